package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherTest {
    static final long T0 = 1_800_000_000_000L;
    static final long S = 1000;
    static final String CONFIG = String.join("\n", "receiver: ops", "group_by: [model]", "group_wait: 10s",
            "group_interval: 1m", "repeat_interval: 4h", "routes:",
            "- {matchers: ['severity=\"critical\"'], receiver: oncall, continue: true}",
            "- {matchers: ['team=\"ml\"'], receiver: ml}");

    static Alert alert(String name, String... labels) {
        String[] all = new String[labels.length + 2];
        all[0] = "alertname";
        all[1] = name;
        System.arraycopy(labels, 0, all, 2, labels.length);
        return Alert.firing(SeriesLabels.of(all), Map.of(), T0);
    }

    @Test
    void alertsAreGroupedPerMatchedRouteAndGroupByValues() {
        Dispatcher d = Dispatcher.create(Yaml.tree(CONFIG)).ingest(List.of(
                alert("A", "model", "fraud", "severity", "critical", "team", "ml"),
                alert("B", "model", "fraud", "team", "ml"),
                alert("C", "model", "churn")), T0);
        Dispatcher.Tick t = d.tick(T0 + 10 * S, r -> true);
        assertThat(t.notifications()).extracting(n -> n.receiver() + ":" + n.groupLabels() + ":" + n.firing().size())
                .containsExactlyInAnyOrder("oncall:{model=\"fraud\"}:1", "ml:{model=\"fraud\"}:2", "ops:{model=\"churn\"}:1");
    }

    @Test
    void mutedAlertsAreDroppedBeforeGroupingAndCountedPerReason() {
        Alert silenced = alert("A", "model", "fraud");
        Alert inhibited = alert("B", "model", "fraud");
        Alert kept = alert("C", "model", "fraud");
        Map<String, Muter> muters = new LinkedHashMap<>();
        muters.put("silenced", (labels, now) -> "A".equals(labels.get("alertname")));
        muters.put("inhibited", (labels, now) -> !"C".equals(labels.get("alertname")));
        Dispatcher d = Dispatcher.create(Yaml.tree(CONFIG)).ingest(List.of(silenced, inhibited, kept), muters, T0);
        assertThat(d.mutedCounts()).containsExactly(Map.entry("inhibited", 1L), Map.entry("silenced", 1L));
        assertThat(d.mutedTotal()).isEqualTo(2);
        Dispatcher.Tick t = d.tick(T0 + 10 * S, r -> true);
        assertThat(t.notifications()).singleElement().satisfies(n -> assertThat(n.firing()).containsExactly(kept));
    }

    @Test
    void aSilencedFiringAlertLeavesItsGroupWithoutAResolutionAndReturnsAsNew() {
        Alert a = alert("A", "model", "fraud");
        Alert b = alert("B", "model", "fraud");
        Dispatcher d = Dispatcher.create(Yaml.tree(CONFIG)).ingest(List.of(a, b), T0);
        d = d.tick(T0 + 10 * S, r -> true).dispatcher();
        Map<String, Muter> silence = Map.of("silenced", (labels, now) -> "A".equals(labels.get("alertname")));
        d = d.ingest(List.of(a), silence, T0 + 20 * S);
        Dispatcher.Tick t = d.tick(T0 + 70 * S, r -> true);
        assertThat(t.notifications()).isEmpty();
        d = t.dispatcher().ingest(List.of(a), T0 + 80 * S);
        t = d.tick(T0 + 130 * S, r -> true);
        assertThat(t.notifications()).singleElement().satisfies(n -> {
            assertThat(n.reason()).isEqualTo(NotifyReason.NEW_ALERTS_IN_GROUP);
            assertThat(n.firing()).containsExactly(a, b);
        });
    }

    @Test
    void aResolvedAlertCreatesNoGroup() {
        Dispatcher d = Dispatcher.create(Yaml.tree(CONFIG)).ingest(List.of(alert("A", "model", "x").resolve(T0)), T0);
        assertThat(d.groups()).isEmpty();
        assertThat(d.nextWakeAtMs()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void emptyGroupsAreDroppedAfterTheirLastFlush() {
        Alert a = alert("A", "model", "fraud");
        Dispatcher d = Dispatcher.create(Yaml.tree(CONFIG)).ingest(List.of(a), T0);
        d = d.tick(T0 + 10 * S, r -> false).dispatcher();
        d = d.ingest(List.of(a.resolve(T0 + 20 * S)), T0 + 20 * S);
        Dispatcher.Tick t = d.tick(T0 + 70 * S, r -> false);
        assertThat(t.notifications()).singleElement().satisfies(n -> assertThat(n.deliverable()).isFalse());
        assertThat(t.dispatcher().groups()).isEmpty();
    }

    @Test
    void stateRoundTripsAndGroupsOfRemovedRoutesAreDropped() {
        Dispatcher d = Dispatcher.create(Yaml.tree(CONFIG)).ingest(List.of(alert("A", "model", "fraud", "team", "ml"),
                alert("B", "model", "churn")), Map.of("silenced", (l, n) -> "X".equals(l.get("alertname"))), T0);
        d = d.ingest(List.of(alert("X")), Map.of("silenced", (l, n) -> "X".equals(l.get("alertname"))), T0);
        StoredDispatcher stored = Json.read(Json.bytes(StoredDispatcher.of(d)), StoredDispatcher.class, "dispatcher");
        assertThat(stored.toDispatcher(d.root())).isEqualTo(d);
        assertThat(stored.toDispatcher(Yaml.tree(CONFIG)).groups()).isEqualTo(d.groups());
        Dispatcher smaller = stored.toDispatcher(Yaml.tree("receiver: ops\ngroup_by: [model]"));
        assertThat(smaller.groups()).hasSize(1);
        assertThat(smaller.mutedCounts()).containsEntry("silenced", 1L);
    }
}
