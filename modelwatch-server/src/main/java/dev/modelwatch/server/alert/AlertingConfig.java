package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.dispatch.Route;
import dev.modelwatch.server.alert.dispatch.RouteConfig;
import dev.modelwatch.server.alert.inhibit.InhibitRule;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.notify.receiver.ReceiverConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The alerting sections of the configuration file: {@code rules}, {@code route}, {@code receivers},
 * {@code inhibit_rules} and {@code alerting} (evaluation interval).
 *
 * <p>Parsing gives values only: {@code receiverConfigs} holds the receivers as written, and
 * {@code receivers} their names, each with no integration yet. The wiring builds the notifiers
 * (with its HTTP client and clock) by {@link #withIntegrations}; tests hand theirs to
 * {@link #withReceivers}.
 *
 * @param rules                the alerting rules
 * @param route                the routing tree, or null when none is configured (alerts are then
 *                             evaluated, kept and shown, but nobody is notified)
 * @param receivers            receiver name to its integrations (empty lists until built)
 * @param receiverConfigs      the receivers as configured, whose integrations are not built yet
 * @param inhibitRules         inhibition rules
 * @param evaluationIntervalMs how often rules are evaluated besides just after each window closes
 * @param lookbackDeltaMs      how far back an instant selector looks for a sample
 * @param labels               when alerts raised on part of their labels are confirmed or retracted
 */
public record AlertingConfig(List<AlertRule> rules, Route route, Map<String, List<dev.modelwatch.server.alert.notify.Notifier>> receivers,
                             List<ReceiverConfig> receiverConfigs, List<InhibitRule> inhibitRules,
                             long evaluationIntervalMs, long lookbackDeltaMs, LabelPolicy labels) {
    public static final long DEFAULT_EVALUATION_INTERVAL_MS = 10_000;
    public static final long DEFAULT_LOOKBACK_DELTA_MS = 300_000;
    /** No configuration file: the default rule pack, evaluated and shown, routed to no receiver. */
    public static final AlertingConfig NONE = new AlertingConfig(DefaultRules.rules(), null, Map.of(), List.of(), List.of(),
            DEFAULT_EVALUATION_INTERVAL_MS, DEFAULT_LOOKBACK_DELTA_MS);

    public AlertingConfig {
        rules = List.copyOf(rules);
        receivers = Map.copyOf(receivers);
        receiverConfigs = List.copyOf(receiverConfigs);
        inhibitRules = List.copyOf(inhibitRules);
        labels = labels == null ? LabelPolicy.DEFAULT : labels;
        if (evaluationIntervalMs < 100) {
            throw new IllegalArgumentException("evaluationIntervalMs must be >= 100, was " + evaluationIntervalMs);
        }
    }

    /** The settings with the default {@link LabelPolicy}. */
    public AlertingConfig(List<AlertRule> rules, Route route,
                          Map<String, List<dev.modelwatch.server.alert.notify.Notifier>> receivers,
                          List<ReceiverConfig> receiverConfigs, List<InhibitRule> inhibitRules, long evaluationIntervalMs,
                          long lookbackDeltaMs) {
        this(rules, route, receivers, receiverConfigs, inhibitRules, evaluationIntervalMs, lookbackDeltaMs,
                LabelPolicy.DEFAULT);
    }

    /** For tests: these settings with other receivers, already built (nothing is left to build). */
    public AlertingConfig withReceivers(Map<String, List<dev.modelwatch.server.alert.notify.Notifier>> r) {
        return new AlertingConfig(rules, route, r, List.of(), inhibitRules, evaluationIntervalMs, lookbackDeltaMs, labels);
    }

    /**
     * These settings with the integrations of each configured receiver built by {@code build}
     * (called by the wiring, which owns the HTTP client and the clock the notifiers use).
     */
    public AlertingConfig withIntegrations(Function<ReceiverConfig, List<dev.modelwatch.server.alert.notify.Notifier>> build) {
        Map<String, List<dev.modelwatch.server.alert.notify.Notifier>> built = new LinkedHashMap<>(receivers);
        for (ReceiverConfig r : receiverConfigs) {
            built.put(r.name(), List.copyOf(build.apply(r)));
        }
        return new AlertingConfig(rules, route, built, List.of(), inhibitRules, evaluationIntervalMs, lookbackDeltaMs,
                labels);
    }

    /** The route; without a route section, one that keeps and shows alerts but routes them to no receiver. */
    public Route routeOrNone() {
        return route != null ? route : NO_ROUTE;
    }

    private static final Route NO_ROUTE = Route.of(RouteConfig.parse(ConfigNode.root(
            Map.of("receiver", "none"), "route", new ConfigProblems())));
}
