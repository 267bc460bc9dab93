package dev.modelwatch.server.alert.lifecycle;

/**
 * Someone's acknowledgement of an active alert: who, when, and why. Recorded on the
 * {@link AlertInstance} by {@link AlertLifecycle#ack}, cleared when the alert's notified episode ends
 * (its resolution is notified). An acknowledged alert is not escalated.
 *
 * <p>Stored as {@link StoredRuleState.Ack}.
 *
 * @param by      who acknowledged, not blank
 * @param comment why (may be empty, never null)
 * @param atMs    when, epoch milliseconds
 */
public record Acknowledgement(String by, String comment, long atMs) {
    public Acknowledgement {
        if (by == null || by.isBlank()) {
            throw new IllegalArgumentException("by must name who acknowledges the alert");
        }
        comment = comment == null ? "" : comment;
    }
}
