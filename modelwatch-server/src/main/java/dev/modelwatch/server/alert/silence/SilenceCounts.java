package dev.modelwatch.server.alert.silence;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which distinct alerts each silence suppressed (Alertmanager #4987: "how many alerts did this
 * silence mute?"), by alert fingerprint. Immutable snapshot of a {@link Silencer}'s counters.
 *
 * <p>Stored in {@link StoredSilences}.
 *
 * @param suppressed silence id to the fingerprints of the alerts it muted
 */
public record SilenceCounts(Map<String, Set<Long>> suppressed) {
    public SilenceCounts {
        Map<String, Set<Long>> m = new TreeMap<>();
        if (suppressed != null) {
            for (Map.Entry<String, Set<Long>> e : suppressed.entrySet()) {
                Set<Long> s = new TreeSet<>(Long::compareUnsigned);
                s.addAll(e.getValue());
                m.put(e.getKey(), Collections.unmodifiableSet(s));
            }
        }
        suppressed = Collections.unmodifiableMap(m);
    }

    public static final SilenceCounts EMPTY = new SilenceCounts(Map.of());

    /** How many distinct alerts silence {@code id} muted. */
    public int count(String id) {
        Set<Long> s = suppressed.get(id);
        return s == null ? 0 : s.size();
    }
}
