package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The routing table of Alertmanager's {@code dispatch/route_test.go} ({@code TestRouteMatchers}), ported. */
class RouteTest {
    static final String TREE = String.join("\n",
            "receiver: notify-def",
            "routes:",
            "- matchers: ['{owner=\"team-A\"}', '{level!=\"critical\"}']",
            "  receiver: notify-A",
            "  routes:",
            "  - matchers: ['{env=\"testing\"}', '{baz!~\".*quux\"}']",
            "    receiver: notify-testing",
            "    group_by: ['...']",
            "  - matchers: ['{env=\"production\"}']",
            "    receiver: notify-productionA",
            "    group_wait: 1m",
            "    continue: true",
            "  - matchers: [ 'env=~\"produ.*\"', 'job=~\".*\"']",
            "    receiver: notify-productionB",
            "    group_wait: 30s",
            "    group_interval: 5m",
            "    repeat_interval: 1h",
            "    group_by: ['job']",
            "- matchers: ['owner=~\"team-(B|C)\"']",
            "  group_by: ['foo', 'bar']",
            "  group_wait: 2m",
            "  receiver: notify-BC",
            "- matchers: ['group_by=\"role\"']",
            "  group_by: ['role']",
            "  routes:",
            "  - matchers: ['{env=\"testing\"}']",
            "    receiver: notify-testing",
            "    routes:",
            "    - matchers: ['wait=\"long\"']",
            "      group_wait: 2m");

    static final long S = 1000;
    static final long M = 60 * S;
    static final long H = 60 * M;

    static RouteOptions opts(String receiver, List<String> groupBy, boolean all, long wait, long interval, long repeat) {
        return new RouteOptions(receiver, groupBy, all, wait, interval, repeat, null);
    }

    static RouteOptions def(String receiver) {
        return opts(receiver, List.of(), false, 30 * S, 5 * M, 4 * H);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(SeriesLabels.of("owner", "team-A"), List.of(def("notify-A")),
                        List.of("{}/{level!=\"critical\",owner=\"team-A\"}")),
                Arguments.of(SeriesLabels.of("owner", "team-A", "env", "unset"), List.of(def("notify-A")),
                        List.of("{}/{level!=\"critical\",owner=\"team-A\"}")),
                Arguments.of(SeriesLabels.of("owner", "team-C"),
                        List.of(opts("notify-BC", List.of("bar", "foo"), false, 2 * M, 5 * M, 4 * H)),
                        List.of("{}/{owner=~\"team-(B|C)\"}")),
                Arguments.of(SeriesLabels.of("owner", "team-A", "env", "testing"),
                        List.of(opts("notify-testing", List.of(), true, 30 * S, 5 * M, 4 * H)),
                        List.of("{}/{level!=\"critical\",owner=\"team-A\"}/{baz!~\".*quux\",env=\"testing\"}")),
                Arguments.of(SeriesLabels.of("owner", "team-A", "env", "production"),
                        List.of(opts("notify-productionA", List.of(), false, 1 * M, 5 * M, 4 * H),
                                opts("notify-productionB", List.of("job"), false, 30 * S, 5 * M, 1 * H)),
                        List.of("{}/{level!=\"critical\",owner=\"team-A\"}/{env=\"production\"}",
                                "{}/{level!=\"critical\",owner=\"team-A\"}/{env=~\"produ.*\",job=~\".*\"}")),
                Arguments.of(SeriesLabels.of("group_by", "role"),
                        List.of(opts("notify-def", List.of("role"), false, 30 * S, 5 * M, 4 * H)),
                        List.of("{}/{group_by=\"role\"}")),
                Arguments.of(SeriesLabels.of("env", "testing", "group_by", "role"),
                        List.of(opts("notify-testing", List.of("role"), false, 30 * S, 5 * M, 4 * H)),
                        List.of("{}/{group_by=\"role\"}/{env=\"testing\"}")),
                Arguments.of(SeriesLabels.of("env", "testing", "group_by", "role", "wait", "long"),
                        List.of(opts("notify-testing", List.of("role"), false, 2 * M, 5 * M, 4 * H)),
                        List.of("{}/{group_by=\"role\"}/{env=\"testing\"}/{wait=\"long\"}")),
                // not in Alertmanager's table: a critical team-A alert matches no child of team-A's route
                Arguments.of(SeriesLabels.of("owner", "team-A", "level", "critical"), List.of(def("notify-def")),
                        List.of("{}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void matchedRoutesAndTheirInheritedOptions(SeriesLabels alert, List<RouteOptions> options, List<String> keys) {
        List<Route> matched = Yaml.tree(TREE).match(alert);
        assertThat(matched).extracting(Route::options).containsExactlyElementsOf(options);
        assertThat(matched).extracting(Route::key).containsExactlyElementsOf(keys);
    }

    @Test
    void walkVisitsDepthFirstInOrder() {
        List<String> receivers = new ArrayList<>();
        Yaml.tree(TREE).walk(r -> receivers.add(r.options().receiver()));
        assertThat(receivers).containsExactly("notify-def", "notify-A", "notify-testing", "notify-productionA",
                "notify-productionB", "notify-BC", "notify-def", "notify-testing", "notify-testing");
    }

    @Test
    void idsAreUniqueEvenWhereKeysAreNot() {
        Route tree = Yaml.tree("receiver: a\nroutes:\n- {matchers: ['x=\"1\"'], receiver: b}\n- {matchers: ['x=\"1\"'], receiver: c}");
        List<String> keys = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        tree.walk(r -> {
            keys.add(r.key());
            ids.add(r.id());
        });
        assertThat(keys).containsExactly("{}", "{}/{x=\"1\"}", "{}/{x=\"1\"}");
        assertThat(ids).containsExactly("{}", "{}/{x=\"1\"}/0", "{}/{x=\"1\"}/1");
        assertThat(tree.find("{}/{x=\"1\"}/1").options().receiver()).isEqualTo("c");
    }

    @Test
    void groupByAllIsInheritedUntilAChildListsLabels() {
        // Alertmanager's TestInheritParentGroupByAll
        Route tree = Yaml.tree(String.join("\n", "receiver: r", "routes:", "- matchers: ['env=\"parent\"']",
                "  group_by: ['...']", "  routes:", "  - matchers: ['env=\"child1\"']", "  - matchers: ['env=\"child2\"']",
                "    group_by: ['foo']", "  - matchers: ['env=\"child3\"']", "    group_by: []"));
        Route parent = tree.routes().get(0);
        assertThat(parent.options().groupByAll()).isTrue();
        assertThat(parent.routes().get(0).options().groupByAll()).isTrue();
        assertThat(parent.routes().get(1).options().groupByAll()).isFalse();
        assertThat(parent.routes().get(1).options().groupBy()).containsExactly("foo");
        // an empty list inherits, as Alertmanager
        assertThat(parent.routes().get(2).options().groupByAll()).isTrue();
    }

    @Test
    void escalationIsInheritedAndCanBeTurnedOff() {
        Route tree = Yaml.tree(String.join("\n", "receiver: ops", "escalate: {after: 15m, receiver: managers}", "routes:",
                "- {matchers: ['team=\"ml\"'], receiver: ml}", "- {matchers: ['team=\"web\"'], receiver: web, escalate: false}",
                "- {matchers: ['team=\"db\"'], receiver: db, escalate: {after: 5m, receiver: dba-lead}}"));
        assertThat(tree.options().escalation()).isEqualTo(new Escalation(15 * M, "managers"));
        assertThat(tree.routes().get(0).options().escalation()).isEqualTo(new Escalation(15 * M, "managers"));
        assertThat(tree.routes().get(1).options().escalation()).isNull();
        assertThat(tree.routes().get(2).options().escalation()).isEqualTo(new Escalation(5 * M, "dba-lead"));
    }

    @Test
    void groupKeyTakesTheGroupByLabelsOrAllOfThem() {
        Route tree = Yaml.tree("receiver: r\ngroup_by: [model, alertname]\nroutes:\n- {matchers: ['all=\"yes\"'], group_by: ['...']}");
        SeriesLabels a = SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud", "version", "v3");
        assertThat(tree.match(a).get(0).groupKey(a))
                .isEqualTo(new GroupKey("{}", SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud")));
        SeriesLabels b = a.with("all", "yes");
        assertThat(tree.match(b).get(0).groupKey(b)).isEqualTo(new GroupKey("{}/{all=\"yes\"}/0", b));
        // a missing group_by label is simply absent from the key
        SeriesLabels c = SeriesLabels.of("alertname", "X");
        assertThat(tree.match(c).get(0).groupKey(c).groupLabels()).isEqualTo(SeriesLabels.of("alertname", "X"));
    }

    @Test
    void everyAlertMatchesAtLeastTheRoot() {
        Route tree = Yaml.tree(TREE);
        assertThat(tree.match(SeriesLabels.EMPTY).stream().map(Route::id).collect(Collectors.toList())).containsExactly("{}");
    }
}
