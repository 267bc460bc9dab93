package dev.modelwatch.server.alert.dispatch;

import java.util.Set;

/**
 * Alertmanager's deduplication decision ({@code notify.DedupStage.needsUpdate}), a pure function of
 * what the receiver was last told, the group's alerts now, the repeat interval and the time:
 * <ol>
 *   <li>never notified: notify when something fires ({@link NotifyReason#FIRST_NOTIFICATION});</li>
 *   <li>firing alerts that were not firing last time: notify ({@code FIRST_NOTIFICATION} when nothing
 *       fired last time, else {@link NotifyReason#NEW_ALERTS_IN_GROUP});</li>
 *   <li>nothing fires: notify when something fired last time ({@link NotifyReason#ALL_ALERTS_RESOLVED},
 *       whatever {@code send_resolved}, so that the log forgets the firing alerts), else not;</li>
 *   <li>{@code send_resolved} and resolved alerts not resolved last time:
 *       {@link NotifyReason#NEW_RESOLVED_ALERTS};</li>
 *   <li>otherwise only once the last notification is strictly older than {@code repeat_interval}
 *       ({@link NotifyReason#REPEAT_INTERVAL_ELAPSED}).</li>
 * </ol>
 * Alerts that stopped firing but were firing last time do not by themselves trigger a notification
 * when {@code send_resolved} is off (the firing set is a subset of the last one).
 */
public final class DedupStage {
    private DedupStage() {
    }

    /**
     * @param last         what the receiver was last told, null if never
     * @param firing       fingerprints of the group's firing alerts now
     * @param resolved     fingerprints of its resolved alerts now
     * @param repeatMs     the route's repeat interval
     * @param sendResolved whether the receiver wants resolved notifications
     * @param nowMs        the flush time
     */
    public static NotifyReason needsUpdate(NotificationLogEntry last, Set<Long> firing, Set<Long> resolved, long repeatMs,
            boolean sendResolved, long nowMs) {
        if (last == null) {
            return firing.isEmpty() ? NotifyReason.DO_NOT_NOTIFY : NotifyReason.FIRST_NOTIFICATION;
        }
        if (!last.isFiringSubset(firing)) {
            return last.firing().isEmpty() ? NotifyReason.FIRST_NOTIFICATION : NotifyReason.NEW_ALERTS_IN_GROUP;
        }
        if (firing.isEmpty()) {
            return last.firing().isEmpty() ? NotifyReason.DO_NOT_NOTIFY : NotifyReason.ALL_ALERTS_RESOLVED;
        }
        if (sendResolved && !last.isResolvedSubset(resolved)) {
            return NotifyReason.NEW_RESOLVED_ALERTS;
        }
        return last.timestampMs() < nowMs - repeatMs ? NotifyReason.REPEAT_INTERVAL_ELAPSED : NotifyReason.DO_NOT_NOTIFY;
    }
}
