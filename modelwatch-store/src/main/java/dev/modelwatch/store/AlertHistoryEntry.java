package dev.modelwatch.store;

import java.util.Objects;

/**
 * One change of an alert's state, as the alert history keeps it.
 *
 * @param alertId   the alert's id (its label fingerprint, 16 hex digits)
 * @param rule      the rule's name
 * @param labels    the alert's labels, as JSON
 * @param fromState the state before ({@code inactive}, {@code pending}, {@code firing}, ...)
 * @param toState   the state after
 * @param value     the expression's value at the change (NaN when none)
 * @param atMs      when
 */
public record AlertHistoryEntry(String alertId, String rule, String labels, String fromState, String toState,
                                double value, long atMs) {
    public AlertHistoryEntry {
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(fromState, "fromState");
        Objects.requireNonNull(toState, "toState");
    }
}
