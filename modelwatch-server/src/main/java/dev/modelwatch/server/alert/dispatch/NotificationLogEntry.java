package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.StoredMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a group's receiver was last told (Alertmanager's {@code nflogpb.Entry}): the fingerprints of
 * the firing and of the resolved alerts in the last notification, and when it was sent.
 *
 * <p>Stored as {@link #toMap()}: {@code {"firing": [hex, ..], "resolved": [hex, ..], "at": ms}}.
 *
 * @param firing      fingerprints firing in the last notification
 * @param resolved    fingerprints resolved in it
 * @param timestampMs when it was sent
 */
public record NotificationLogEntry(Set<Long> firing, Set<Long> resolved, long timestampMs) {
    public NotificationLogEntry {
        firing = sorted(firing);
        resolved = sorted(resolved);
    }

    private static Set<Long> sorted(Collection<Long> fps) {
        Set<Long> s = new TreeSet<>(Long::compareUnsigned);
        if (fps != null) {
            s.addAll(fps);
        }
        return Collections.unmodifiableSet(s);
    }

    /** Whether every fingerprint of {@code subset} was firing in the last notification. */
    public boolean isFiringSubset(Set<Long> subset) {
        return firing.containsAll(subset);
    }

    /** Whether every fingerprint of {@code subset} was resolved in the last notification. */
    public boolean isResolvedSubset(Set<Long> subset) {
        return resolved.containsAll(subset);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("firing", hex(firing));
        m.put("resolved", hex(resolved));
        m.put("at", timestampMs);
        return m;
    }

    private static List<String> hex(Set<Long> fps) {
        List<String> out = new ArrayList<>();
        for (long fp : fps) {
            out.add(AlertFingerprint.format(fp));
        }
        return out;
    }

    public static NotificationLogEntry fromMap(Map<?, ?> map) {
        StoredMap m = StoredMap.of(map, "notification_log_entry");
        return new NotificationLogEntry(fps(m.requireList("firing")), fps(m.requireList("resolved")), m.requireLong("at"));
    }

    private static Set<Long> fps(List<Object> hex) {
        Set<Long> out = new TreeSet<>(Long::compareUnsigned);
        for (Object o : hex) {
            out.add(AlertFingerprint.parse(String.valueOf(o)));
        }
        return out;
    }
}
