package dev.modelwatch.server.alert.lifecycle;

import java.util.Locale;

/**
 * What a rule does when its evaluation fails ({@code error_state} in a rule file; Grafana's "error
 * state"). The error is always recorded on the {@link RuleState} and returned by the step. Default
 * {@link #KEEP_LAST}.
 */
public enum ErrorState {
    /** Keep every alert instance as it was: a failed evaluation says nothing about the data. */
    KEEP_LAST,
    /**
     * Also raise one {@link AlertState#ERROR} instance for the rule (labels: the rule's constant labels,
     * {@code alertname} and {@code alertstate="error"}), notified, resolved by the next successful
     * evaluation. Other instances are kept as they were.
     */
    ERROR,
    /** Treat the failure as a breach of that rule-level instance (pending, then firing after {@code for}). */
    ALERTING,
    /** Treat the failure as "no breach": every instance clears (and resolves after {@code keep_firing_for}). */
    OK;

    /** As written in a rule file: {@code keep_last}, {@code error}, {@code alerting}, {@code ok}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value written {@code name} (case-insensitive), or null. */
    public static ErrorState ofWireName(String name) {
        for (ErrorState s : values()) {
            if (s.wireName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }
}
