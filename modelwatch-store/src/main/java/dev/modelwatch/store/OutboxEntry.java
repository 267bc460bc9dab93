package dev.modelwatch.store;

import java.util.Objects;

/**
 * A notification waiting in (or delivered from) the outbox.
 *
 * @param id            assigned by the store on insert (0 before)
 * @param receiver      the receiver's name
 * @param groupKey      the alert group it is about
 * @param alertIds      the ids of the alerts it carries, comma-separated (for each alert's delivery log)
 * @param payload       the notification as the alert pipeline encoded it
 * @param createdAtMs   when the pipeline decided to send it
 * @param dueAtMs       when the next attempt is due
 * @param attempts      attempts made so far
 * @param status        {@link #PENDING}, {@link #DELIVERED}, {@link #FAILED} (given up) or {@link #SUPERSEDED}
 *                      (dropped undelivered: a newer notification of the same group and integration was queued)
 * @param lastError     the last attempt's error, or null
 * @param deliveredAtMs when it was delivered, or null
 */
public record OutboxEntry(long id, String receiver, String groupKey, String alertIds, byte[] payload, long createdAtMs,
                          long dueAtMs, int attempts, String status, String lastError, Long deliveredAtMs) {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
    public static final String SUPERSEDED = "superseded";

    public OutboxEntry {
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(groupKey, "groupKey");
        Objects.requireNonNull(alertIds, "alertIds");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(status, "status");
        if (lastError != null && lastError.length() > 2000) {
            lastError = lastError.substring(0, 1997) + "...";
        }
    }

    /** A new pending entry, due now. */
    public static OutboxEntry pending(String receiver, String groupKey, String alertIds, byte[] payload, long nowMs) {
        return new OutboxEntry(0, receiver, groupKey, alertIds, payload, nowMs, nowMs, 0, PENDING, null, null);
    }
}
