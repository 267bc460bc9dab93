package dev.modelwatch.server.alert.dispatch;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a group's receiver was last told (Alertmanager's {@code nflogpb.Entry}): the fingerprints of
 * the firing and of the resolved alerts in the last notification, and when it was sent.
 *
 * <p>Stored as {@link StoredDispatcher.LogEntry}.
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
}
