package dev.modelwatch.server.alert.silence;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Muter;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Muter} of a set of {@link Silence}s: an alert is muted when at least one silence is
 * active and matches it. Every silence that mutes an alert records it, so that
 * {@link #suppressedCount(String)} is the number of <em>distinct</em> alerts (by
 * {@link AlertFingerprint} of the labels) the silence muted, however often they were checked.
 *
 * <p>The silences are fixed at construction (a new Silencer is made when silences change, carrying
 * the counts over with {@link #of(Collection, SilenceCounts)}; counts of silences no longer given are
 * dropped). The counters are the only mutable part; one thread at a time (the dispatcher's).
 *
 * <p>Usage:
 * <pre>{@code
 * Silencer silencer = Silencer.of(silences, storedCounts);
 * boolean muted = silencer.mutes(alert.labels(), nowMs);
 * store.save(silencer.counts());
 * }</pre>
 */
public final class Silencer implements Muter {
    private final List<Silence> silences;
    private final Map<String, Set<Long>> suppressed = new LinkedHashMap<>();

    private Silencer(Collection<Silence> silences, SilenceCounts counts) {
        this.silences = List.copyOf(silences);
        Set<String> ids = new HashSet<>();
        for (Silence s : this.silences) {
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("silences: id '" + s.id() + "' is given twice");
            }
            Set<Long> prev = counts.suppressed().get(s.id());
            suppressed.put(s.id(), prev == null ? new HashSet<>() : new HashSet<>(prev));
        }
    }

    /** A silencer of {@code silences} with no counts. */
    public static Silencer of(Collection<Silence> silences) {
        return new Silencer(silences, SilenceCounts.EMPTY);
    }

    /** A silencer of {@code silences} continuing {@code counts}. */
    public static Silencer of(Collection<Silence> silences, SilenceCounts counts) {
        return new Silencer(silences, counts == null ? SilenceCounts.EMPTY : counts);
    }

    public List<Silence> silences() {
        return silences;
    }

    /** Whether an active silence matches {@code alertLabels}; every such silence counts the alert. */
    @Override
    public boolean mutes(SeriesLabels alertLabels, long nowMs) {
        boolean muted = false;
        long fp = -1;
        for (Silence s : silences) {
            if (s.mutes(alertLabels, nowMs)) {
                if (!muted) {
                    fp = AlertFingerprint.of(alertLabels);
                    muted = true;
                }
                suppressed.get(s.id()).add(fp);
            }
        }
        return muted;
    }

    /** The silences muting {@code alertLabels} at {@code nowMs} (the API's {@code silenced_by}); counts nothing. */
    public List<Silence> mutingSilences(SeriesLabels alertLabels, long nowMs) {
        List<Silence> out = new ArrayList<>();
        for (Silence s : silences) {
            if (s.mutes(alertLabels, nowMs)) {
                out.add(s);
            }
        }
        return out;
    }

    /** How many distinct alerts silence {@code id} has muted (0 for an unknown id). */
    public int suppressedCount(String id) {
        Set<Long> s = suppressed.get(id);
        return s == null ? 0 : s.size();
    }

    /** A snapshot of the counters. */
    public SilenceCounts counts() {
        return new SilenceCounts(suppressed);
    }
}
