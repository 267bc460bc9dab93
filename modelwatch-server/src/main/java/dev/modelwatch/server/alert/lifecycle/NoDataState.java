package dev.modelwatch.server.alert.lifecycle;

import java.util.Locale;

/**
 * What a rule does when a series it watched returns no data (Grafana's "no data state";
 * {@code no_data_state} in a rule file). Default {@link #NO_DATA}.
 *
 * <p>A series "returns no data" only where the rule can tell absence from a clear condition: when the
 * rule's condition uses {@code bool} ({@code accuracy < bool 0.8}: 1 breach, 0 clear, NaN or a missing
 * series is no data), or when the evaluation says which series exist
 * ({@link RuleEvaluation#of(java.util.List, java.util.Collection)}). A plain filter
 * ({@code accuracy < 0.8}) returning nothing means "clear", as in Prometheus.
 */
public enum NoDataState {
    /** Treat missing data as a clear condition: the alert resolves. */
    OK,
    /** Report the alert instance as {@link AlertState#NO_DATA}, which is notified. */
    NO_DATA,
    /** Treat missing data as a breach: pending, then firing after {@code for}. */
    ALERTING;

    /** As written in a rule file: {@code ok}, {@code no_data}, {@code alerting}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value written {@code name} (case-insensitive), or null. */
    public static NoDataState ofWireName(String name) {
        for (NoDataState s : values()) {
            if (s.wireName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }
}
