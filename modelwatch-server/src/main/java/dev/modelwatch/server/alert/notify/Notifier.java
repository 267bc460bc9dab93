package dev.modelwatch.server.alert.notify;

import dev.modelwatch.server.alert.dispatch.Notification;

/**
 * One integration of a receiver (a webhook, a mailbox, a chat robot) that turns a
 * {@link Notification} into a message and delivers it: Alertmanager's {@code notify.Notifier}, whose
 * {@code Notify} returns {@code (retry bool, err error)}.
 *
 * <p>{@link #send} blocks, bounded by the integration's own timeouts, and never throws for a delivery
 * problem: every outcome is a {@link NotifyResult} saying whether the message was delivered and, when
 * it was not, whether trying again may help. The caller (the delivery loop) keeps the attempts and asks
 * {@link RetryPolicy#decide} when to try again. A notifier shows the notification's firing alerts, and
 * its resolved alerts only when its own {@code send_resolved} is on; when that leaves nothing to show it
 * sends nothing and reports the notification delivered, as Alertmanager's retry stage does. This is the
 * one interface between the delivery loop ({@code DeliveryQueue}) and the integrations.
 *
 * <p>Implementations are immutable and thread-safe; they are made from the configuration by
 * {@code Notifiers.forReceiver}.
 *
 * <p>Usage:
 * <pre>{@code
 * for (Notifier n : Notifiers.forReceiver(receiver, httpClient, clock)) {
 *     NotifyResult r = n.send(notification);
 *     RetryDecision d = RetryPolicy.DEFAULT.decide(r, 1, r.atMs(), random);
 * }
 * }</pre>
 */
public interface Notifier {
    /**
     * The integration and its index in the receiver, {@code webhook[0]}, {@code email[1]}: with the
     * receiver name it identifies the integration in logs and in the delivery outbox.
     */
    String name();

    /**
     * Whether this integration is told about resolved alerts ({@code send_resolved}); the delivery
     * loop does not attempt a notification that has only resolved alerts when it is off.
     */
    boolean sendResolved();

    /** Delivers the notification; never throws for a delivery failure (see the class comment). */
    NotifyResult send(Notification notification);
}
