package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.List;

/**
 * One notification a flush decided to send: to which receiver, for which group, the group's firing
 * and resolved alerts, and why. The notifiers (later) turn it into an e-mail, a webhook call, ...
 *
 * <p>{@link #resolved()} holds every resolved alert of the group at the flush; the receiver is shown
 * them only when it wants resolutions ({@link #alerts()}). A notification whose {@link #alerts()} is
 * empty (all resolved, {@code send_resolved} off) still records the group's state in the log, but
 * nothing needs sending ({@link #deliverable()} is false), as in Alertmanager.
 *
 * @param groupKey     the group
 * @param receiver     the receiver's name
 * @param firing       the group's firing alerts, in fingerprint order
 * @param resolved     the group's resolved alerts, in fingerprint order
 * @param sendResolved whether the receiver is shown resolved alerts
 * @param reason       why it is sent
 * @param atMs         the flush time
 */
public record Notification(GroupKey groupKey, String receiver, List<Alert> firing, List<Alert> resolved,
        boolean sendResolved, NotifyReason reason, long atMs) {
    public Notification {
        if (groupKey == null || receiver == null || reason == null) {
            throw new IllegalArgumentException("groupKey, receiver and reason must not be null");
        }
        firing = List.copyOf(firing);
        resolved = List.copyOf(resolved);
    }

    /** The labels the group is keyed by. */
    public SeriesLabels groupLabels() {
        return groupKey.groupLabels();
    }

    /** What the receiver is shown: the firing alerts, then the resolved ones when it wants them. */
    public List<Alert> alerts() {
        List<Alert> out = new ArrayList<>(firing);
        if (sendResolved) {
            out.addAll(resolved);
        }
        return out;
    }

    /** Whether there is anything to send to the receiver. */
    public boolean deliverable() {
        return !firing.isEmpty() || (sendResolved && !resolved.isEmpty());
    }
}
