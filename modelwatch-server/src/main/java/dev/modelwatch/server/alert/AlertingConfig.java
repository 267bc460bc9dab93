package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.dispatch.Route;
import dev.modelwatch.server.alert.inhibit.InhibitRule;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.notify.Notifier;
import java.util.List;
import java.util.Map;

/**
 * The alerting sections of the configuration file: {@code rules}, {@code route}, {@code receivers},
 * {@code inhibit_rules} and {@code alerting} (evaluation interval).
 *
 * @param rules                the alerting rules
 * @param route                the routing tree, or null when none is configured (alerts are then
 *                             evaluated, kept and shown, but nobody is notified)
 * @param receivers            receiver name to its integrations (empty lists until configured)
 * @param inhibitRules         inhibition rules
 * @param evaluationIntervalMs how often rules are evaluated besides just after each window closes
 * @param lookbackDeltaMs      how far back an instant selector looks for a sample
 */
public record AlertingConfig(List<AlertRule> rules, Route route, Map<String, List<Notifier>> receivers,
                             List<InhibitRule> inhibitRules, long evaluationIntervalMs, long lookbackDeltaMs) {
    public static final long DEFAULT_EVALUATION_INTERVAL_MS = 10_000;
    public static final long DEFAULT_LOOKBACK_DELTA_MS = 300_000;
    /** No configuration file: the default rule pack, evaluated and shown, routed to no receiver. */
    public static final AlertingConfig NONE = new AlertingConfig(DefaultRules.rules(), null, Map.of(), List.of(),
            DEFAULT_EVALUATION_INTERVAL_MS, DEFAULT_LOOKBACK_DELTA_MS);

    public AlertingConfig {
        rules = List.copyOf(rules);
        receivers = Map.copyOf(receivers);
        inhibitRules = List.copyOf(inhibitRules);
        if (evaluationIntervalMs < 100) {
            throw new IllegalArgumentException("evaluationIntervalMs must be >= 100, was " + evaluationIntervalMs);
        }
    }

    /** For tests: these settings with other receivers. */
    public AlertingConfig withReceivers(Map<String, List<Notifier>> r) {
        return new AlertingConfig(rules, route, r, inhibitRules, evaluationIntervalMs, lookbackDeltaMs);
    }
}
