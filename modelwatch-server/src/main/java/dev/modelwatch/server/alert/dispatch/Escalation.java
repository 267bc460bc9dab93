package dev.modelwatch.server.alert.dispatch;

/**
 * A route's escalation ({@code escalate: {after: 15m, receiver: managers}}): a firing alert of a
 * group that nobody acknowledged {@code after} its first notification is notified, with its group, to
 * {@code receiver} once per episode (again only after it resolves and fires again).
 *
 * @param afterMs  how long after the alert's first notification, {@code > 0}
 * @param receiver the receiver escalated to
 */
public record Escalation(long afterMs, String receiver) {
    public Escalation {
        if (afterMs <= 0) {
            throw new IllegalArgumentException("escalate.after must be > 0 ms, was " + afterMs);
        }
        if (receiver == null || receiver.isBlank()) {
            throw new IllegalArgumentException("escalate.receiver must name a receiver");
        }
    }
}
