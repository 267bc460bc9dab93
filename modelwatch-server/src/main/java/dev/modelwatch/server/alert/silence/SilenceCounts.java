package dev.modelwatch.server.alert.silence;

import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.StoredMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which distinct alerts each silence suppressed (Alertmanager #4987: "how many alerts did this
 * silence mute?"), by alert fingerprint. Immutable snapshot of a {@link Silencer}'s counters.
 *
 * <p>Stored as {@link #toMap()}: {@code {silenceId: [fingerprint hex, ..]}}, sorted.
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

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Set<Long>> e : suppressed.entrySet()) {
            List<String> hex = new ArrayList<>();
            for (long fp : e.getValue()) {
                hex.add(AlertFingerprint.format(fp));
            }
            m.put(e.getKey(), hex);
        }
        return m;
    }

    public static SilenceCounts fromMap(Map<?, ?> map) {
        StoredMap m = StoredMap.of(map, "silence_counts");
        Map<String, Set<Long>> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Set<Long> fps = new TreeSet<>(Long::compareUnsigned);
            for (Object o : m.requireList(String.valueOf(e.getKey()))) {
                fps.add(AlertFingerprint.parse(String.valueOf(o)));
            }
            out.put(String.valueOf(e.getKey()), fps);
        }
        return new SilenceCounts(out);
    }
}
