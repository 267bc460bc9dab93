package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route's {@code escalate: {after: 15m, receiver: managers}} on a fake clock. */
class EscalationTest {
    static final long T0 = 1_800_000_000_000L;
    static final long S = 1000;
    static final long M = 60 * S;
    static final long H = 60 * M;
    static final String CONFIG = String.join("\n", "receiver: ops", "group_by: [model]", "group_wait: 30s",
            "group_interval: 5m", "repeat_interval: 4h", "escalate: {after: 15m, receiver: managers}");

    final Route tree = Yaml.tree(CONFIG);
    Dispatcher d = Dispatcher.create(tree);
    long now = T0;
    final List<Notification> sent = new ArrayList<>();

    static Alert alert(String name, long startsAt) {
        return Alert.firing(SeriesLabels.of("alertname", name, "model", "fraud"), Map.of(), startsAt);
    }

    void ingest(Alert... alerts) {
        d = d.ingest(List.of(alerts), now);
    }

    /** Advances the fake clock to {@code t}, ticking at each wake-up. */
    void advanceTo(long t) {
        while (d.nextWakeAtMs() <= t) {
            now = Math.max(now, d.nextWakeAtMs());
            Dispatcher.Tick tick = d.tick(now, r -> true);
            sent.addAll(tick.notifications());
            d = tick.dispatcher();
        }
        now = t;
    }

    List<Notification> to(String receiver) {
        return sent.stream().filter(n -> n.receiver().equals(receiver)).toList();
    }

    @Test
    void anUnacknowledgedAlertIsEscalatedOnceAfterItsFirstNotification() {
        ingest(alert("A", T0));
        advanceTo(T0 + 30 * S);
        assertThat(to("ops")).hasSize(1);
        // escalation is due 15m after the first notification, between two group flushes
        assertThat(d.nextWakeAtMs()).isEqualTo(T0 + 30 * S + 5 * M);
        advanceTo(T0 + 30 * S + 15 * M - 1);
        assertThat(to("managers")).isEmpty();
        advanceTo(T0 + 30 * S + 15 * M);
        assertThat(to("managers")).singleElement().satisfies(n -> {
            assertThat(n.reason()).isEqualTo(NotifyReason.ESCALATION);
            assertThat(n.atMs()).isEqualTo(T0 + 30 * S + 15 * M);
            assertThat(n.firing()).extracting(a -> a.labels().get("alertname")).containsExactly("A");
        });
        // never again while it keeps firing, repeats included
        advanceTo(T0 + 10 * H);
        assertThat(to("managers")).hasSize(1);
        assertThat(to("ops")).extracting(Notification::reason).contains(NotifyReason.REPEAT_INTERVAL_ELAPSED);
    }

    @Test
    void anAcknowledgedAlertIsNotEscalated() {
        Alert a = alert("A", T0);
        ingest(a);
        advanceTo(T0 + 10 * M);
        ingest(a.acknowledgedBy("alice"));
        advanceTo(T0 + 2 * H);
        assertThat(to("managers")).isEmpty();
    }

    @Test
    void itEscalatesAgainOnlyAfterResolvingAndFiringAgain() {
        Alert a = alert("A", T0);
        ingest(a);
        advanceTo(T0 + 30 * M);
        assertThat(to("managers")).hasSize(1);
        ingest(a.resolve(T0 + 31 * M));
        advanceTo(T0 + 40 * M);
        Alert again = alert("A", T0 + 41 * M);
        ingest(again);
        advanceTo(T0 + 41 * M + 30 * S);
        long renotified = to("ops").get(to("ops").size() - 1).atMs();
        advanceTo(renotified + 15 * M - 1);
        assertThat(to("managers")).hasSize(1);
        advanceTo(renotified + 15 * M);
        assertThat(to("managers")).hasSize(2);
    }

    @Test
    void anotherAlertOfTheGroupEscalatesOnItsOwnSchedule() {
        ingest(alert("A", T0));
        advanceTo(T0 + 4 * M);
        ingest(alert("B", T0 + 4 * M));
        // A notified at 30s, B at the next flush (5m30s); A escalates at 15m30s, B at 20m30s
        advanceTo(T0 + 25 * M);
        assertThat(to("managers")).extracting(Notification::atMs).containsExactly(T0 + 15 * M + 30 * S, T0 + 20 * M + 30 * S);
        assertThat(to("managers").get(1).firing()).hasSize(2);
    }

    @Test
    void escalationStateSurvivesARestart() {
        ingest(alert("A", T0));
        advanceTo(T0 + 10 * M);
        d = Json.read(Json.bytes(StoredDispatcher.of(d)), StoredDispatcher.class, "dispatcher").toDispatcher(Yaml.tree(CONFIG));
        advanceTo(T0 + 30 * S + 15 * M);
        assertThat(to("managers")).hasSize(1);
    }
}
