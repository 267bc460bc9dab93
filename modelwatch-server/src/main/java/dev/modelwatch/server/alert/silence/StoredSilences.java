package dev.modelwatch.server.alert.silence;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.server.alert.dispatch.MatcherParser;
import dev.modelwatch.server.alert.lifecycle.StoredValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stored silences' document (a Jackson record): every silence, and which alerts each suppressed
 * ({@code {"silences": [..], "counts": {silenceId: [fingerprint hex, ..]}}}, sorted).
 *
 * @param silences the silences
 * @param counts   silence id to the fingerprints (hex) of the alerts it muted
 */
public record StoredSilences(List<Entry> silences, Map<String, List<String>> counts) {

    /** The document of {@code silences} and {@code counts}. */
    public static StoredSilences of(List<Silence> silences, SilenceCounts counts) {
        Map<String, List<String>> c = new LinkedHashMap<>();
        counts.suppressed().forEach((id, fps) -> c.put(id, StoredValues.hex(fps)));
        return new StoredSilences(silences.stream().map(Entry::of).toList(), c);
    }

    /** @throws IllegalArgumentException naming the field that is missing or malformed */
    public List<Silence> toSilences() {
        return silences == null ? List.of() : silences.stream().map(Entry::toSilence).toList();
    }

    /** @throws IllegalArgumentException naming the field that is missing or malformed */
    public SilenceCounts toCounts() {
        if (counts == null) {
            return SilenceCounts.EMPTY;
        }
        Map<String, Set<Long>> out = new LinkedHashMap<>();
        counts.forEach((id, hex) -> out.put(id, StoredValues.fingerprints(hex, "silence_counts." + id)));
        return new SilenceCounts(out);
    }

    /**
     * A stored {@link Silence}: matchers written as {@link LabelMatcher#toString()} and read back by
     * {@link MatcherParser}.
     */
    public record Entry(String id, List<String> matchers, Long startsAt, Long endsAt, String createdBy,
            String comment) {
        public static Entry of(Silence s) {
            return new Entry(s.id(), s.matchers().stream().map(LabelMatcher::toString).toList(), s.startsAtMs(),
                    s.endsAtMs(), s.createdBy(), s.comment());
        }

        /** @throws IllegalArgumentException naming what is missing or malformed */
        public Silence toSilence() {
            List<LabelMatcher> ms = new ArrayList<>();
            for (String m : StoredValues.require(matchers, "silence.matchers")) {
                ms.add(MatcherParser.parse(m));
            }
            return new Silence(StoredValues.require(id, "silence.id"), ms,
                    StoredValues.require(startsAt, "silence.starts_at"), StoredValues.require(endsAt, "silence.ends_at"),
                    StoredValues.require(createdBy, "silence.created_by"), comment);
        }
    }
}
