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

    /**
     * The notification's stable id, for receivers to deduplicate by (the webhook's
     * {@code idempotency_key} and {@code Idempotency-Key} header, the e-mail's {@code Message-ID}, a
     * line of a chat message): 32 hex digits of the SHA-256 of the group key, the receiver, the
     * group's state (firing or resolved) and each alert's fingerprint, state and episode start. A
     * retry, or a re-send after a crash, carries the same id; a new state of the group (an alert more,
     * an alert resolved, a new episode) a new one. A reminder ({@code repeat_interval}) or an
     * escalation also gets a new one (its decision time is hashed in), since it is meant to be seen.
     */
    public String idempotencyKey() {
        StringBuilder b = new StringBuilder().append(groupKey).append('\n').append(receiver).append('\n')
                .append(firing.isEmpty() ? "resolved" : "firing");
        for (Alert a : firing) {
            b.append('\n').append(a.fingerprint()).append(" firing ").append(a.startsAtMs());
        }
        for (Alert a : resolved) {
            b.append('\n').append(a.fingerprint()).append(" resolved ").append(a.startsAtMs());
        }
        if (reason == NotifyReason.REPEAT_INTERVAL_ELAPSED || reason == NotifyReason.ESCALATION) {
            b.append("\n").append(reason).append(' ').append(atMs);
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Whether there is anything to send to the receiver. */
    public boolean deliverable() {
        return !firing.isEmpty() || (sendResolved && !resolved.isEmpty());
    }
}
