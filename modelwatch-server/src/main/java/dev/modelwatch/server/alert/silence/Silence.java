package dev.modelwatch.server.alert.silence;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.List;

/**
 * A silence: alerts whose labels match <em>all</em> its matchers are muted from {@code startsAt} to
 * {@code endsAt} (both inclusive, as Alertmanager: active when {@code startsAt <= now <= endsAt}).
 * Immutable and valid by construction.
 *
 * <p>Validation (Alertmanager's {@code validateSilence}, every problem reported by {@link #problems}):
 * an id; at least one matcher; not every matcher matching the empty string (a silence like
 * {@code team=~".*"} would mute every alert); {@code endsAt} after {@code startsAt}; who created it.
 *
 * <p>Stored as {@link StoredSilences.Entry}.
 *
 * @param id          unique id
 * @param matchers    all must match
 * @param startsAtMs  start, epoch ms
 * @param endsAtMs    end, epoch ms, after the start
 * @param createdBy   who created it
 * @param comment     why (may be empty)
 */
public record Silence(String id, List<LabelMatcher> matchers, long startsAtMs, long endsAtMs, String createdBy,
        String comment) {
    /** @throws IllegalArgumentException listing every problem of {@link #problems} */
    public Silence {
        matchers = matchers == null ? List.of() : List.copyOf(matchers);
        comment = comment == null ? "" : comment;
        List<String> problems = problems(id, matchers, startsAtMs, endsAtMs, createdBy);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Every problem of a would-be silence, each naming its field; empty when it is valid. */
    public static List<String> problems(String id, List<LabelMatcher> matchers, long startsAtMs, long endsAtMs,
            String createdBy) {
        List<String> out = new ArrayList<>();
        if (id == null || id.isBlank()) {
            out.add("id: missing");
        }
        if (matchers == null || matchers.isEmpty()) {
            out.add("matchers: at least one matcher is required");
        } else {
            boolean allMatchEmpty = true;
            for (LabelMatcher m : matchers) {
                if (m == null) {
                    out.add("matchers: must not hold null");
                    allMatchEmpty = false;
                    break;
                }
                allMatchEmpty &= m.matches((String) null);
            }
            if (allMatchEmpty) {
                out.add("matchers: at least one matcher must not match the empty string (this silence would mute every alert)");
            }
        }
        if (endsAtMs <= startsAtMs) {
            out.add("ends_at: must be after starts_at");
        }
        if (createdBy == null || createdBy.isBlank()) {
            out.add("created_by: missing");
        }
        return out;
    }

    /** Whether all matchers match {@code labels}. */
    public boolean matches(SeriesLabels labels) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Pending before the start, active from start to end inclusive, expired after. */
    public SilenceState state(long nowMs) {
        if (nowMs < startsAtMs) {
            return SilenceState.PENDING;
        }
        return nowMs > endsAtMs ? SilenceState.EXPIRED : SilenceState.ACTIVE;
    }

    /** Whether it mutes an alert with {@code labels} at {@code nowMs}. */
    public boolean mutes(SeriesLabels labels, long nowMs) {
        return state(nowMs) == SilenceState.ACTIVE && matches(labels);
    }
}
