package dev.modelwatch.server.alert.dispatch;

import java.util.List;
import java.util.TreeSet;

/**
 * The resolved options of a route (Alertmanager's {@code RouteOpts}), after inheritance from its
 * parents: where to send, how to group, and the three timers.
 *
 * @param receiver         the receiver's name
 * @param groupBy          the labels alerts are grouped by (sorted, distinct); ignored when {@code groupByAll}
 * @param groupByAll       {@code group_by: ['...']}: one group per distinct label set
 * @param groupWaitMs      how long a new group waits before its first notification ({@code >= 0})
 * @param groupIntervalMs  how long after a notification the group is looked at again ({@code > 0})
 * @param repeatIntervalMs how long before an unchanged group is notified again ({@code > 0})
 * @param escalation       the escalation, or null
 */
public record RouteOptions(String receiver, List<String> groupBy, boolean groupByAll, long groupWaitMs,
        long groupIntervalMs, long repeatIntervalMs, Escalation escalation) {
    /** Alertmanager's defaults of the root route: group_wait 30s, group_interval 5m, repeat_interval 4h. */
    public static final long DEFAULT_GROUP_WAIT_MS = 30_000L;
    public static final long DEFAULT_GROUP_INTERVAL_MS = 300_000L;
    public static final long DEFAULT_REPEAT_INTERVAL_MS = 14_400_000L;

    public RouteOptions {
        if (receiver == null || receiver.isBlank()) {
            throw new IllegalArgumentException("receiver must not be blank");
        }
        groupBy = groupBy == null ? List.of() : List.copyOf(new TreeSet<>(groupBy));
        if (groupWaitMs < 0) {
            throw new IllegalArgumentException("group_wait must be >= 0 ms, was " + groupWaitMs);
        }
        if (groupIntervalMs <= 0) {
            throw new IllegalArgumentException("group_interval must be > 0 ms, was " + groupIntervalMs);
        }
        if (repeatIntervalMs <= 0) {
            throw new IllegalArgumentException("repeat_interval must be > 0 ms, was " + repeatIntervalMs);
        }
    }
}
