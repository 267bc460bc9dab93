package dev.modelwatch.server.alert.notify.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RecordingServer;
import dev.modelwatch.server.alert.notify.TestNotification;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A receiver's notifiers made from its configuration, and the test notification of {@code modelwatch alert test}. */
class NotifiersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long NOW = Instant.parse("2026-11-22T12:00:00Z").toEpochMilli();
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

    @Test
    void theTestNotificationHasOneFiringAlertThatSaysItIsATest() {
        Notification n = TestNotification.builder("oncall", NOW).build();
        assertThat(n.receiver()).isEqualTo("oncall");
        assertThat(n.reason()).isEqualTo(NotifyReason.FIRST_NOTIFICATION);
        assertThat(n.deliverable()).isTrue();
        assertThat(n.resolved()).isEmpty();
        assertThat(n.firing()).hasSize(1);
        Alert a = n.firing().get(0);
        assertThat(a.labels().asMap()).containsEntry("alertname", "ModelWatchTest").containsEntry("model", "test");
        assertThat(a.annotations().get("summary")).contains("Test notification").contains("oncall");
        assertThat(a.startsAtMs()).isEqualTo(NOW);
        assertThat(n.groupLabels().asMap()).containsExactly(Map.entry("alertname", "ModelWatchTest"));
    }

    @Test
    void theTestNotificationBuilderCoversResolvedAcknowledgedEscalatedAndSeveralAlerts() {
        Notification many = TestNotification.builder("oncall", NOW).alerts(3).label("severity", "critical")
                .acknowledgedBy("alice").escalation(true).startsAtMs(NOW - 60_000).build();
        assertThat(many.firing()).hasSize(3);
        assertThat(many.firing()).extracting(a -> a.labels().get("instance"))
                .containsExactlyInAnyOrder("test-1", "test-2", "test-3");
        assertThat(many.firing()).allSatisfy(a -> {
            assertThat(a.acknowledgedBy()).isEqualTo("alice");
            assertThat(a.labels().get("severity")).isEqualTo("critical");
            assertThat(a.startsAtMs()).isEqualTo(NOW - 60_000);
        });
        assertThat(many.reason()).isEqualTo(NotifyReason.ESCALATION);

        Notification resolved = TestNotification.builder("oncall", NOW).resolved(true).build();
        assertThat(resolved.firing()).isEmpty();
        assertThat(resolved.resolved()).singleElement().satisfies(a -> assertThat(a.resolvedAtMs()).isEqualTo(NOW));
        assertThat(resolved.deliverable()).isTrue();
    }

    @Test
    void aReceiversNotifiersDeliverTheTestNotificationToEachIntegration() throws Exception {
        try (RecordingServer hook = RecordingServer.start(); RecordingServer slack = RecordingServer.start()) {
            String yaml = String.join("\n",
                    "receivers:",
                    "  - name: oncall",
                    "    webhook_configs: [{url: '" + hook.uri("/hook") + "'}]",
                    "    slack_configs: [{url_env: SLACK_URL}]");
            ConfigProblems problems = new ConfigProblems();
            List<ReceiverConfig> receivers = ReceiverConfig.parse(ReceiverConfigTest.yaml(yaml), problems,
                    Map.of("SLACK_URL", slack.uri("/services/T1/B1/abcdefghijklmnopqrstuvwx").toString())::get);
            assertThat(problems.list()).isEmpty();

            List<Notifier> notifiers = Notifiers.forReceiver(receivers.get(0), HttpClient.newHttpClient(), CLOCK,
                    "https://mw.example.com");
            Notification test = TestNotification.builder("oncall", CLOCK.millis()).build();
            for (Notifier n : notifiers) {
                NotifyResult r = n.send(test);
                assertThat(r.delivered()).as(n.name() + ": " + r.error()).isTrue();
                assertThat(r.atMs()).isEqualTo(NOW);
            }
            JsonNode payload = JSON.readTree(hook.only().body());
            assertThat(payload.get("receiver").asText()).isEqualTo("oncall");
            assertThat(payload.get("externalURL").asText()).isEqualTo("https://mw.example.com");
            assertThat(payload.get("groupKey").asText()).isEqualTo("test:{alertname=\"ModelWatchTest\"}");
            assertThat(payload.get("alerts").get(0).get("labels").get("alertname").asText()).isEqualTo("ModelWatchTest");
            assertThat(JSON.readTree(slack.only().body()).get("text").asText()).isEqualTo("[FIRING:1] ModelWatchTest");
        }
    }
}
