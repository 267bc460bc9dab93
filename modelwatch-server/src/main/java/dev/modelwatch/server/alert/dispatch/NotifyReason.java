package dev.modelwatch.server.alert.dispatch;

/** Why a group is (or is not) notified at a flush, as Alertmanager's {@code notify.NotifyReason}. */
public enum NotifyReason {
    /** Nothing new: no notification. */
    DO_NOT_NOTIFY,
    /** The group was never notified (or its last notification had nothing firing) and has firing alerts. */
    FIRST_NOTIFICATION,
    /** Firing alerts that were not firing in the last notification. */
    NEW_ALERTS_IN_GROUP,
    /** Resolved alerts not in the last notification, and the receiver wants resolutions. */
    NEW_RESOLVED_ALERTS,
    /** Nothing fires any more, and the last notification had firing alerts. */
    ALL_ALERTS_RESOLVED,
    /** Nothing changed, but the repeat interval passed since the last notification. */
    REPEAT_INTERVAL_ELAPSED,
    /** Sent to a route's escalation receiver: an alert stayed unacknowledged past {@code escalate.after}. */
    ESCALATION;

    public boolean shouldNotify() {
        return this != DO_NOT_NOTIFY;
    }
}
