package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.inhibit.InhibitRule;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.lifecycle.ErrorState;
import dev.modelwatch.server.alert.lifecycle.NoDataState;
import dev.modelwatch.server.alert.lifecycle.RuleGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The alerting sections of {@code modelwatch.yml} (rules, route, receivers, inhibit_rules) read from
 * the map a YAML parser gives, every problem reported at once with its path.
 */
class AlertingConfigParseTest {
    static final String VALID = String.join("\n",
            "rules:",
            "  - alert: AccuracyDrop",
            "    expr: accuracy{model=\"fraud\"} < 0.8",
            "    for: 2m",
            "    keep_firing_for: 5m",
            "    labels: {severity: critical}",
            "    annotations: {summary: \"accuracy of {{ $labels.model }} is {{ $value | printf \\\"%.3f\\\" }}\"}",
            "  - alert: NoTraffic",
            "    expr: count{model=\"fraud\"} < bool 1",
            "    no_data_state: alerting",
            "    error_state: error",
            "    flap_window: 0",
            "route:",
            "  receiver: ops",
            "  group_by: [model, alertname]",
            "  group_wait: 10s",
            "  group_interval: 1m",
            "  repeat_interval: 4h",
            "  escalate: {after: 15m, receiver: managers}",
            "  routes: [{matchers: ['severity=\"critical\"'], receiver: oncall}]",
            "receivers:",
            "  - name: ops",
            "    webhook_configs: [{url: \"http://127.0.0.1:9000/hook\"}]",
            "  - name: oncall",
            "  - name: managers",
            "inhibit_rules:",
            "  - source_matchers: ['severity=\"critical\"']",
            "    target_matchers: ['severity=\"warning\"']",
            "    equal: [model]",
            "  - source_match: {severity: critical}",
            "    target_match_re: {severity: 'warning|info'}");

    @Test
    void aValidFileGivesRulesRouteAndInhibitRules() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode file = ConfigNode.root(Yaml.map(VALID), "", problems);
        List<AlertRule> rules = RuleGroup.parseRuleList(file.get("rules"));
        RoutingConfig routing = RoutingConfig.parse(file);
        List<InhibitRule> inhibit = InhibitRule.parseAll(file.get("inhibit_rules"));
        assertThat(problems.list()).isEmpty();

        assertThat(rules).hasSize(2);
        AlertRule drop = rules.get(0);
        assertThat(drop.name()).isEqualTo("AccuracyDrop");
        assertThat(drop.forMs()).isEqualTo(120_000);
        assertThat(drop.keepFiringForMs()).isEqualTo(300_000);
        assertThat(drop.flapWindowMs()).isEqualTo(AlertRule.DEFAULT_FLAP_WINDOW_MS);
        assertThat(drop.severity()).isEqualTo("critical");
        assertThat(drop.noDataState()).isEqualTo(NoDataState.NO_DATA);
        assertThat(drop.errorState()).isEqualTo(ErrorState.KEEP_LAST);
        assertThat(drop.expandAnnotations(SeriesLabels.of("model", "fraud"), 0.71234))
                .containsEntry("summary", "accuracy of fraud is 0.712");
        AlertRule noTraffic = rules.get(1);
        assertThat(noTraffic.noDataState()).isEqualTo(NoDataState.ALERTING);
        assertThat(noTraffic.errorState()).isEqualTo(ErrorState.ERROR);
        assertThat(noTraffic.flapWindowMs()).isZero();
        assertThat(noTraffic.reportsEverySeries()).isTrue();

        assertThat(routing.receivers()).containsExactly("ops", "oncall", "managers");
        Route tree = routing.tree();
        assertThat(tree.options()).isEqualTo(new RouteOptions("ops", List.of("alertname", "model"), false, 10_000, 60_000,
                14_400_000, new Escalation(900_000, "managers")));
        assertThat(tree.routes()).singleElement().satisfies(r -> assertThat(r.options().receiver()).isEqualTo("oncall"));

        assertThat(inhibit).containsExactly(
                new InhibitRule(List.of(LabelMatcher.equal("severity", "critical")),
                        List.of(LabelMatcher.equal("severity", "warning")), List.of("model")),
                new InhibitRule(List.of(LabelMatcher.equal("severity", "critical")),
                        List.of(LabelMatcher.of("severity", LabelMatcher.Type.REGEX, "warning|info")), List.of()));
    }

    static final String BROKEN = String.join("\n",
            "rules:",
            "  - alert: AccuracyDrop",
            "    expr: accuracy{model=\"fraud\"} < 0.8",
            "    for: 2x",
            "    annotations: {summary: \"{{ $value | printf \\\"%d\\\" }}\", bad-name: x}",
            "  - alert: bad name",
            "    expr: accuracy{model=\"fraud\" < 0.8",
            "    no_data_state: maybe",
            "    typo_key: 1",
            "  - record: job:rate5m",
            "    expr: rate(x[5m])",
            "route:",
            "  receiver: ops",
            "  group_by: [model, model, '...']",
            "  continue: true",
            "  routes:",
            "    - matchers: ['severity=\"critical\"']",
            "      receiver: oncall",
            "    - matchers: ['team=~\"(ml\"']",
            "      group_wait: 10x",
            "      group_interval: 0s",
            "      receiver: pager",
            "      escalate: {after: 0s, receiver: managers}",
            "receivers:",
            "  - name: ops",
            "  - name: oncall",
            "  - name: ops",
            "  - {}",
            "inhibit_rules:",
            "  - source_matchers: ['severity=\"critical\"']",
            "    target_matchers: ['severity=warning\"']",
            "    equal: [model, 'bad-label']");

    @Test
    void everyProblemIsReportedAtOnceWithItsPath() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode file = ConfigNode.root(Yaml.map(BROKEN), "", problems);
        List<AlertRule> rules = RuleGroup.parseRuleList(file.get("rules"));
        RoutingConfig.parse(file);
        InhibitRule.parseAll(file.get("inhibit_rules"));
        assertThat(rules).isEmpty();
        assertThat(problems.list()).satisfiesExactly(
                p -> assertThat(p).isEqualTo("rules[0].for: '2x' is not a duration (like 500ms, 30s, 5m, 1h30m, 7d)"),
                p -> assertThat(p).startsWith("rules[0].annotations.summary: template \"{{ $value | printf \"%d\" }}\": ")
                        .contains("%d needs an integer"),
                p -> assertThat(p).isEqualTo(
                        "rules[0].annotations.bad-name: 'bad-name' is not a valid annotation name ([a-zA-Z_][a-zA-Z0-9_]*)"),
                p -> assertThat(p).startsWith("rules[1].typo_key: unknown key (known: "),
                p -> assertThat(p).isEqualTo("rules[1].alert: 'bad name' must match [a-zA-Z_:][a-zA-Z0-9_:]*"),
                p -> assertThat(p).startsWith("rules[1].expr: ").contains("column"),
                p -> assertThat(p).isEqualTo("rules[1].no_data_state: 'maybe' must be one of ok, no_data, alerting"),
                p -> assertThat(p).isEqualTo("rules[2].record: recording rules are not supported; write an alerting rule (alert:)"),
                p -> assertThat(p).isEqualTo("route.group_by[1]: duplicated label 'model' in group_by"),
                p -> assertThat(p).isEqualTo("route.group_by: cannot have wildcard group_by (`...`) and other labels at the same time"),
                p -> assertThat(p).isEqualTo("route.continue: cannot have continue in root route"),
                p -> assertThat(p).startsWith("route.routes[1].matchers[0]: matcher 'team=~\"(ml\"': invalid regular expression"),
                p -> assertThat(p).isEqualTo("route.routes[1].group_wait: '10x' is not a duration (like 500ms, 30s, 5m, 1h30m, 7d)"),
                p -> assertThat(p).isEqualTo("route.routes[1].group_interval: cannot be zero"),
                p -> assertThat(p).isEqualTo("route.routes[1].escalate.after: must be > 0"),
                p -> assertThat(p).isEqualTo("receivers[2].name: receiver name 'ops' is not unique"),
                p -> assertThat(p).isEqualTo("receivers[3].name: is required"),
                p -> assertThat(p).isEqualTo("route.routes[1].receiver: undefined receiver 'pager' used in route (defined: ops, oncall)"),
                p -> assertThat(p).startsWith("inhibit_rules[0].target_matchers[0]: matcher 'severity=warning\"': "),
                p -> assertThat(p).isEqualTo("inhibit_rules[0].equal[1]: 'bad-label' is not a label name"));
    }

    @Test
    void ruleFilesWithGroupsArePrefixedWithTheirSource() {
        ConfigProblems problems = new ConfigProblems();
        Map<String, Object> file = Yaml.map(String.join("\n", "groups:", "  - name: fraud", "    interval: 30s",
                "    rules: [{alert: A, expr: 'up == 0'}]", "  - name: fraud", "    rules: [{alert: B, expr: 'up == 0', for: 1q}]",
                "  - rules: []"));
        List<RuleGroup> groups = RuleGroup.parseFile(file, "rules/fraud.yml", problems);
        assertThat(problems.list()).containsExactly(
                "rules/fraud.yml: groups[1].name: group name 'fraud' is repeated in the file",
                "rules/fraud.yml: groups[1].rules[0].for: '1q' is not a duration (like 500ms, 30s, 5m, 1h30m, 7d)",
                "rules/fraud.yml: groups[2].name: is required");
        assertThat(groups).extracting(RuleGroup::name).containsExactly("fraud", "fraud");
        assertThat(groups.get(0).intervalMs()).isEqualTo(30_000);
        assertThat(groups.get(0).rules()).extracting(AlertRule::name).containsExactly("A");
    }

    @Test
    void noRouteSectionMeansAlertsAreNotRouted() {
        ConfigProblems problems = new ConfigProblems();
        RoutingConfig routing = RoutingConfig.parse(ConfigNode.root(Yaml.map("receivers: [{name: ops}]"), "", problems));
        assertThat(problems.list()).isEmpty();
        assertThat(routing.route()).isNull();
    }

    @Test
    void rootRouteNeedsAReceiverAndNoMatchers() {
        ConfigProblems problems = new ConfigProblems();
        RoutingConfig.parse(ConfigNode.root(Yaml.map("route: {matchers: ['a=\"b\"'], group_by: ['-x']}"), "", problems));
        assertThat(problems.list()).containsExactly(
                "route.group_by[0]: invalid label name '-x' in group_by list",
                "route.receiver: root route must specify a default receiver",
                "route: root route must not have any matchers");
    }
}
