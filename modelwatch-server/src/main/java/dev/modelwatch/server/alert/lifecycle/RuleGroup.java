package dev.modelwatch.server.alert.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A named group of alerting rules evaluated together, as in a Prometheus rule file:
 *
 * <pre>
 * groups:
 *   - name: fraud-model
 *     interval: 30s            # optional; null: the server's evaluation interval
 *     rules:
 *       - alert: AccuracyDrop
 *         expr: accuracy{model="fraud"} &lt; 0.8
 *         for: 2m
 *         keep_firing_for: 5m
 *         labels: {severity: critical}
 *         annotations: {summary: "accuracy of {{ $labels.model }} is {{ $value }}"}
 *         no_data_state: no_data      # ok | no_data | alerting
 *         error_state: keep_last      # keep_last | error | alerting | ok
 *         flap_window: 10m
 * </pre>
 *
 * The {@code rules:} section of {@code modelwatch.yml} is a list of such rules without a group
 * ({@link #parseRuleList}). Parsing reports every problem with its path and never throws on bad
 * input.
 *
 * @param name       the group's name, unique in its file
 * @param intervalMs the group's evaluation interval, or null for the server's default
 * @param rules      the rules, in file order
 */
public record RuleGroup(String name, Long intervalMs, List<AlertRule> rules) {
    public RuleGroup {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (intervalMs != null && intervalMs <= 0) {
            throw new IllegalArgumentException("interval must be > 0 ms, was " + intervalMs);
        }
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /**
     * Reads a rule file ({@code groups:} at the top), recording every problem in {@code problems} with
     * a path starting with {@code source} ({@code rules.yml: groups[0].rules[2].for: ...}). Groups and
     * rules with problems are left out of the result.
     */
    public static List<RuleGroup> parseFile(Map<String, Object> file, String source, ConfigProblems problems) {
        List<RuleGroup> out = new ArrayList<>();
        if (file == null) {
            return out;
        }
        ConfigProblems local = new ConfigProblems();
        ConfigNode r = ConfigNode.root(file, "", local);
        r.allowKeys("groups");
        Set<String> names = new LinkedHashSet<>();
        for (ConfigNode g : r.get("groups").items()) {
            if (!g.allowKeys("name", "interval", "rules")) {
                if (g.isUnset()) {
                    g.problem("a group must be a mapping with name and rules");
                }
                continue;
            }
            String name = g.get("name").requireString();
            if (name != null && !names.add(name)) {
                g.get("name").problem("group name '" + name + "' is repeated in the file");
            }
            Long interval = g.get("interval").asDurationMs();
            if (interval != null && interval == 0) {
                g.get("interval").problem("must be > 0");
                interval = null;
            }
            List<AlertRule> rules = parseRuleList(g.get("rules"));
            if (name != null) {
                out.add(new RuleGroup(name, interval, rules));
            }
        }
        for (String p : local.list()) {
            problems.add(source, p);
        }
        return out;
    }

    /**
     * Reads a list of rules (the {@code rules:} of a group, or of {@code modelwatch.yml}); rules with
     * problems are recorded and left out.
     */
    public static List<AlertRule> parseRuleList(ConfigNode list) {
        List<AlertRule> rules = new ArrayList<>();
        for (ConfigNode n : list.items()) {
            AlertRule rule = AlertRule.parse(n);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }
}
