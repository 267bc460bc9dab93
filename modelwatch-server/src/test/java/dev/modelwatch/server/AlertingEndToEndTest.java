package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerting through the real server: traffic whose accuracy drops makes a rule fire, the group is
 * notified once, acknowledged, resolved and notified again; a restart repeats nothing; a silence
 * mutes and counts; a receiver that fails three times gets the notification once.
 */
class AlertingEndToEndTest {
    @TempDir
    Path dir;

    /** A receiver integration that records what it is sent, failing the first {@code failures} attempts. */
    static final class Recording implements Notifier {
        final List<Notification> received = new CopyOnWriteArrayList<>();
        final AtomicInteger attempts = new AtomicInteger();
        final int failures;

        Recording(int failures) {
            this.failures = failures;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public boolean sendResolved() {
            return true;
        }

        @Override
        public NotifyResult send(Notification n) {
            if (attempts.incrementAndGet() <= failures) {
                return NotifyResult.failed(true, -1, "HTTP 503 from the test receiver", 0);
            }
            received.add(n);
            return NotifyResult.delivered(200, 0);
        }
    }

    static final String CONFIG = """
            alerting: {evaluation_interval: 200ms}
            models:
              fraud: {task: binary_classification, window: 1s}
            rules:
              - alert: AccuracyDrop
                expr: accuracy{model="fraud"} < 0.8
                labels: {severity: critical}
                annotations: {summary: "accuracy of {{ $labels.model }} is {{ $value }}"}
            route:
              receiver: ops
              group_by: [model, alertname]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 4h
            receivers:
              - name: ops
            """;

    private ServerConfig config(Recording ops) {
        ServerConfig c = ConfigLoader.parse(CONFIG, "test.yml").withDataDir(dir);
        return c.withAlerting(c.alerting().withReceivers(Map.of("ops", List.of(ops))));
    }

    /** Predictions and labels of one 1-second window ending at least a second ago: {@code correct} of 10 right. */
    static void window(TestServer server, long windowStart, int correct, String prefix) {
        assertThat(server.postJson(windowEvents(windowStart, correct, prefix)).status()).isEqualTo(200);
    }

    /** The events of {@link #window}, as a JSON array. */
    static String windowEvents(long windowStart, int correct, String prefix) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"fraud\",\"id\":\"").append(prefix).append(i)
                    .append("\",\"timestamp\":").append(windowStart + i * 50).append(",\"prediction\":1,\"score\":0.9}");
        }
        for (int i = 0; i < 10; i++) {
            b.append(",{\"type\":\"label\",\"model\":\"fraud\",\"id\":\"").append(prefix).append(i).append("\",\"label\":")
                    .append(i < correct ? 1 : 0).append("}");
        }
        return b.append("]").toString();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static long closedWindow() {
        return (System.currentTimeMillis() / 1000 - 2) * 1000;
    }

    @Test
    void accuracyDropIsNotifiedOnceAcknowledgedResolvedAndNotRepeatedAfterARestart() throws Exception {
        Recording ops = new Recording(0);
        TestServer server = TestServer.start(config(ops));
        try {
            window(server, closedWindow(), 10, "good-");
            Thread.sleep(1_000);
            assertThat(ops.received).isEmpty();

            window(server, closedWindow(), 5, "bad-");
            await("the firing notification", () -> ops.received.size() == 1);
            Notification firing = ops.received.get(0);
            assertThat(firing.firing()).hasSize(1);
            Alert alert = firing.firing().get(0);
            assertThat(alert.labels().get("alertname")).isEqualTo("AccuracyDrop");
            assertThat(alert.labels().get("model")).isEqualTo("fraud");
            assertThat(alert.annotations().get("summary")).isEqualTo("accuracy of fraud is 0.5");

            assertThat(server.get("/api/v1/models/fraud").json().path("health").asText()).isEqualTo("critical");
            JsonNode alerts = server.get("/api/v1/alerts?state=firing").json().path("alerts");
            assertThat(alerts).hasSize(1);
            String id = alerts.get(0).path("id").asText();
            assertThat(alerts.get(0).path("severity").asText()).isEqualTo("critical");
            JsonNode acked = server.post("/api/v1/alerts/" + id + "/ack", "application/json",
                    "{\"by\":\"ana\",\"comment\":\"retraining\"}".getBytes()).json();
            assertThat(acked.path("acknowledged_by").asText()).isEqualTo("ana");

            Thread.sleep(1_500); // more evaluations of the same breach: nothing new to say
            assertThat(ops.received).hasSize(1);

            window(server, closedWindow(), 10, "recovered-");
            await("the resolved notification", () -> ops.received.size() == 2);
            assertThat(ops.received.get(1).firing()).isEmpty();
            assertThat(ops.received.get(1).resolved()).extracting(Alert::id).containsExactly(id);
            JsonNode one = server.get("/api/v1/alerts/" + id).json();
            assertThat(one.path("state").asText()).isEqualTo("resolved");
            assertThat(one.path("deliveries")).hasSize(2);
            assertThat(one.path("deliveries").get(0).path("status").asText()).isEqualTo("delivered");
            List<String> changes = new java.util.ArrayList<>();
            one.path("history").forEach(h -> changes.add(h.path("from").asText() + ">" + h.path("to").asText()));
            assertThat(changes).contains("firing>resolved").anyMatch(c -> c.endsWith(">firing"));
            assertThat(server.get("/api/v1/alert-history?alert=" + id).json().path("history").size())
                    .isEqualTo(changes.size());

            server = server.restart();
            Thread.sleep(1_500);
            assertThat(ops.received).hasSize(2);
            assertThat(server.get("/api/v1/rules").json().path("rules").get(0).path("last_error").isNull()).isTrue();
        } finally {
            server.close();
        }
    }

    @Test
    void silenceMutesAndCountsAndAFailingReceiverGetsTheNotificationOnce() throws Exception {
        Recording ops = new Recording(3);
        try (TestServer server = TestServer.start(config(ops))) {
            JsonNode silence = server.post("/api/v1/silences", "application/json",
                    "{\"matchers\":[\"model=\\\"fraud\\\"\"],\"duration\":\"1h\",\"created_by\":\"ana\",\"comment\":\"deploy\"}"
                            .getBytes()).json();
            String silenceId = silence.path("id").asText();
            window(server, closedWindow(), 5, "muted-");
            await("the silence to count the alert", () -> server.get("/api/v1/silences").json().path("silences").get(0)
                    .path("suppressed_alerts").asInt() == 1);
            Thread.sleep(500);
            assertThat(ops.attempts.get()).isZero();

            assertThat(server.delete("/api/v1/silences/" + silenceId).status()).isEqualTo(204);
            await("the notification after three failures", () -> ops.received.size() == 1);
            assertThat(ops.attempts.get()).isEqualTo(4);
            Thread.sleep(1_000);
            assertThat(ops.received).hasSize(1);
            String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
            JsonNode delivery = server.get("/api/v1/alerts/" + id).json().path("deliveries").get(0);
            assertThat(delivery.path("attempts").asInt()).isEqualTo(4);
            assertThat(delivery.path("status").asText()).isEqualTo("delivered");
            assertThat(delivery.path("last_error").isNull()).isTrue();
        }
    }

    @org.junit.jupiter.api.extension.RegisterExtension
    static final com.icegreen.greenmail.junit5.GreenMailExtension MAIL = new com.icegreen.greenmail.junit5.GreenMailExtension(
            com.icegreen.greenmail.util.ServerSetup.dynamicPort(new com.icegreen.greenmail.util.ServerSetup[] {
                    com.icegreen.greenmail.util.ServerSetupTest.SMTP}))
            .withConfiguration(com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig()
                    .withUser("mw@example.com", "mw", "s3cret-password"));

    @Test
    void aRealWebhookAndARealSmtpServerEachGetTheGroupOnceWithSecretsFromTheEnvironment() throws Exception {
        List<String> hooks = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            hooks.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        try {
            String yaml = CONFIG.replace("receivers:\n  - name: ops\n", """
                    receivers:
                      - name: ops
                        webhook_configs: [{url: "http://127.0.0.1:%d/hook"}]
                        email_configs:
                          - {to: oncall@example.com, from: mw@example.com, smarthost: "127.0.0.1:%d",
                             require_tls: false, auth_username: mw, auth_password_env: SMTP_PASSWORD}
                    """.formatted(hook.getAddress().getPort(), MAIL.getSmtp().getPort()));
            ServerConfig config = ConfigLoader.parse(yaml, "test.yml",
                    Map.of("SMTP_PASSWORD", "s3cret-password")::get).withDataDir(dir);
            try (TestServer server = TestServer.start(config)) {
                window(server, closedWindow(), 4, "hook-");
                await("the webhook and the e-mail", () -> hooks.size() == 1 && MAIL.getReceivedMessages().length == 1);
                Thread.sleep(1_000);
                assertThat(hooks).hasSize(1);
                assertThat(MAIL.getReceivedMessages()).hasSize(1);
                JsonNode payload = TestServer.JSON.readTree(hooks.get(0));
                assertThat(payload.path("version").asText()).isEqualTo("4");
                assertThat(payload.path("status").asText()).isEqualTo("firing");
                assertThat(payload.path("receiver").asText()).isEqualTo("ops");
                assertThat(payload.path("alerts").get(0).path("labels").path("alertname").asText()).isEqualTo("AccuracyDrop");
                assertThat(payload.path("alerts").get(0).path("annotations").path("summary").asText())
                        .isEqualTo("accuracy of fraud is 0.4");
                assertThat(MAIL.getReceivedMessages()[0].getAllRecipients()[0].toString()).isEqualTo("oncall@example.com");
                assertThat(server.get("/api/v1/alerts").body()).doesNotContain("s3cret-password");
            }
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void anAcknowledgementStopsEscalationAndAnUnacknowledgedAlertEscalatesOnce() throws Exception {
        Recording ops = new Recording(0);
        Recording managers = new Recording(0);
        String yaml = CONFIG.replace("  repeat_interval: 4h\n", "  repeat_interval: 4h\n  escalate: {after: 2s, receiver: managers}\n")
                .replace("receivers:\n  - name: ops\n", "receivers:\n  - name: ops\n  - name: managers\n");
        ServerConfig c = ConfigLoader.parse(yaml, "test.yml").withDataDir(dir);
        c = c.withAlerting(c.alerting().withReceivers(Map.of("ops", List.of(ops), "managers", List.of(managers))));
        try (TestServer server = TestServer.start(c)) {
            window(server, closedWindow(), 5, "first-");
            await("the first notification", () -> ops.received.size() == 1);
            String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
            assertThat(server.post("/api/v1/alerts/" + id + "/ack", "application/json",
                    "{\"by\":\"ana\"}".getBytes()).status()).isEqualTo(200);
            Thread.sleep(3_500);
            assertThat(managers.received).as("acknowledged: no escalation").isEmpty();

            window(server, closedWindow(), 10, "recovered-");
            await("the resolution", () -> ops.received.size() == 2);
            window(server, closedWindow(), 5, "again-");
            await("the second episode", () -> ops.received.size() == 3);
            await("the escalation", () -> managers.received.size() == 1);
            assertThat(managers.received.get(0).reason().name()).isEqualTo("ESCALATION");
            Thread.sleep(2_500);
            assertThat(managers.received).as("escalated once").hasSize(1);
        }
    }

    @Test
    void aNotificationStillDueWhenTheServerStopsIsSentOnceAfterItStartsAgain() throws Exception {
        Recording down = new Recording(Integer.MAX_VALUE); // the receiver is unreachable before the restart
        TestServer server = TestServer.start(config(down));
        try {
            window(server, closedWindow(), 5, "before-");
            await("delivery attempts to the unreachable receiver", () -> down.attempts.get() >= 1);
            String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
            JsonNode pending = server.get("/api/v1/alerts/" + id).json().path("deliveries").get(0);
            assertThat(pending.path("status").asText()).isEqualTo("pending");
            assertThat(pending.path("last_error").asText()).contains("503");
        } finally {
            server.close();
        }
        Recording up = new Recording(0);
        try (TestServer restarted = TestServer.start(config(up))) {
            await("the notification after the restart", () -> up.received.size() == 1);
            Thread.sleep(1_500);
            assertThat(up.received).hasSize(1);
            assertThat(up.received.get(0).firing()).hasSize(1);
        }
    }
}
