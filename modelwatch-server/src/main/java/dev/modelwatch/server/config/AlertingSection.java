package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.alert.DefaultRules;
import dev.modelwatch.server.alert.LabelPolicy;
import dev.modelwatch.server.alert.dispatch.Route;
import dev.modelwatch.server.alert.dispatch.RoutingConfig;
import dev.modelwatch.server.alert.inhibit.InhibitRule;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.lifecycle.RuleGroup;
import dev.modelwatch.server.alert.notify.receiver.ReceiverConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The alerting sections ({@code alerting}, {@code rules}, {@code route}, {@code receivers},
 * {@code inhibit_rules}), read into values by the alert pipeline's own parsers (Prometheus rule and
 * Alertmanager route syntax); their problems join the file's, each with its path.
 */
final class AlertingSection {
    private AlertingSection() {
    }

    /**
     * The alerting sections, read by the alert pipeline's own parsers (Prometheus rule and
     * Alertmanager route syntax); their problems join this file's, each with its path.
     */
    @SuppressWarnings("unchecked")
    static AlertingConfig read(ConfigReader r, JsonNode root, Function<String, String> env) {
        JsonNode settings = r.section(root, "alerting", Set.of("evaluation_interval", "lookback_delta", "default_rules",
                "label_coverage_complete", "label_delay"));
        boolean defaultRules = r.boolValue(settings, "alerting.default_rules", "default_rules", true);
        Duration interval = r.durationValue(settings, "alerting.evaluation_interval", "evaluation_interval",
                Duration.ofMillis(AlertingConfig.DEFAULT_EVALUATION_INTERVAL_MS));
        Duration lookback = r.durationValue(settings, "alerting.lookback_delta", "lookback_delta",
                Duration.ofMillis(AlertingConfig.DEFAULT_LOOKBACK_DELTA_MS));
        LabelPolicy labels = labelPolicy(r, settings);
        if (interval.toMillis() < 100) {
            r.problems.add("alerting.evaluation_interval: must be at least 100ms");
            interval = Duration.ofMillis(AlertingConfig.DEFAULT_EVALUATION_INTERVAL_MS);
        }
        Map<String, Object> file = new LinkedHashMap<>();
        for (String k : List.of("rules", "route", "receivers", "inhibit_rules")) {
            if (root.has(k) && !root.get(k).isNull()) {
                file.put(k, Json.MAPPER.convertValue(root.get(k), Object.class));
            }
        }
        ConfigProblems found = new ConfigProblems();
        ConfigNode node = ConfigNode.root(file, "", found);
        List<AlertRule> rules = node.get("rules").isPresent() ? RuleGroup.parseRuleList(node.get("rules")) : List.of();
        Set<String> names = new HashSet<>();
        for (AlertRule rule : rules) {
            if (!names.add(rule.name())) {
                found.add("rules", "two rules are named '" + rule.name() + "'; rule names must be unique");
            }
        }
        RoutingConfig routing = RoutingConfig.parse(node);
        List<InhibitRule> inhibit = node.get("inhibit_rules").isPresent()
                ? InhibitRule.parseAll(node.get("inhibit_rules")) : List.of();
        r.problems.addAll(found.list());
        int reported = found.size();
        Map<String, List<dev.modelwatch.server.alert.notify.Notifier>> receivers = new LinkedHashMap<>();
        List<ReceiverConfig> receiverConfigs = node.get("receivers").isPresent()
                ? ReceiverConfig.parse(node.get("receivers"), env) : List.of();
        r.problems.addAll(found.list().subList(Math.min(found.size(), reported), found.size()));
        for (ReceiverConfig receiver : receiverConfigs) {
            receivers.put(receiver.name(), List.of());
        }
        for (String name : routing.receivers()) {
            receivers.putIfAbsent(name, List.of());
        }
        Route route = null;
        if (routing.route() != null && found.isEmpty()) {
            route = routing.tree();
        }
        return new AlertingConfig(defaultRules ? DefaultRules.merge(rules) : rules, route, receivers, receiverConfigs,
                inhibit, interval.toMillis(), lookback.toMillis(), labels);
    }

    /** {@code alerting.label_coverage_complete} and {@code alerting.label_delay}; a bad one is a problem, and the default is used. */
    private static LabelPolicy labelPolicy(ConfigReader r, JsonNode settings) {
        Duration delay = r.durationValue(settings, "alerting.label_delay", "label_delay",
                Duration.ofMillis(LabelPolicy.DEFAULT.labelDelayMs()));
        double complete = LabelPolicy.DEFAULT.completeCoverage();
        JsonNode c = settings == null ? null : settings.get("label_coverage_complete");
        if (c != null && !c.isNull()) {
            if (!c.isNumber() || !(c.asDouble() > 0 && c.asDouble() <= 1)) {
                r.problems.add("alerting.label_coverage_complete: must be a number in (0, 1] (a share of the "
                        + "predictions), was " + c);
            } else {
                complete = c.asDouble();
            }
        }
        if (delay.toMillis() <= 0) {
            r.problems.add("alerting.label_delay: must be positive, was " + delay);
            delay = Duration.ofMillis(LabelPolicy.DEFAULT.labelDelayMs());
        }
        return new LabelPolicy(complete, delay.toMillis());
    }
}
