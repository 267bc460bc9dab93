package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private ServerConfig config(RecordingReceiver ops) {
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

    /**
     * Waits until the alert rules were evaluated on everything acknowledged so far: every event is
     * aggregated, then two evaluations complete (the second started after the aggregation).
     */
    static void awaitEvaluation(TestServer server) throws InterruptedException {
        server.server().awaitAggregated(Duration.ofSeconds(20));
        AlertRuntime alerts = server.server().alerts();
        long seen = alerts.evaluations();
        await("two evaluations after the events were aggregated", () -> alerts.evaluations() >= seen + 2);
    }

    /** Waits until an evaluation that started at or after {@code epochMs} has completed. */
    static void awaitEvaluationAt(TestServer server, long epochMs) throws InterruptedException {
        await("an evaluation at or after " + java.time.Instant.ofEpochMilli(epochMs), () -> {
            JsonNode last = server.get("/api/v1/rules").json().path("rules").get(0).path("last_evaluation");
            return last.isTextual() && java.time.Instant.parse(last.asText()).toEpochMilli() >= epochMs;
        });
    }

    /**
     * The notifications queued and neither delivered nor given up, over every alert: after an
     * evaluation, a notification it decided on is either here or already received.
     */
    static int pendingDeliveries(TestServer server) {
        int n = 0;
        for (JsonNode a : server.get("/api/v1/alerts").json().path("alerts")) {
            for (JsonNode d : server.get("/api/v1/alerts/" + a.path("id").asText()).json().path("deliveries")) {
                n += d.path("status").asText().equals("pending") ? 1 : 0;
            }
        }
        return n;
    }

    private static long lastWindow;

    /**
     * A closed one-second window, a later one at each call (waiting for the clock to reach it when
     * needed): two windows of a test never fall into the same second, however fast the server is.
     */
    static synchronized long closedWindow() {
        long w;
        while ((w = (System.currentTimeMillis() / 1000 - 2) * 1000) <= lastWindow) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        lastWindow = w;
        return w;
    }

    @Test
    void accuracyDropIsNotifiedOnceAcknowledgedResolvedAndNotRepeatedAfterARestart() throws Exception {
        RecordingReceiver ops = new RecordingReceiver(0);
        TestServer server = TestServer.start(config(ops));
        try {
            window(server, closedWindow(), 10, "good-");
            awaitEvaluation(server);
            assertThat(server.get("/api/v1/alerts").json().path("alerts")).as("a good window raises no alert").isEmpty();
            assertThat(ops.attempts).hasValue(0);

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

            awaitEvaluation(server); // more evaluations of the same breach: nothing new to say
            assertThat(pendingDeliveries(server)).isZero();
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
            awaitEvaluation(server);
            assertThat(pendingDeliveries(server)).isZero();
            assertThat(ops.received).hasSize(2);
            assertThat(server.get("/api/v1/rules").json().path("rules").get(0).path("last_error").isNull()).isTrue();
        } finally {
            server.close();
        }
    }

    @Test
    void silenceMutesAndCountsAndAFailingReceiverGetsTheNotificationOnce() throws Exception {
        RecordingReceiver ops = new RecordingReceiver(3);
        try (TestServer server = TestServer.start(config(ops))) {
            JsonNode silence = server.post("/api/v1/silences", "application/json",
                    "{\"matchers\":[\"model=\\\"fraud\\\"\"],\"duration\":\"1h\",\"created_by\":\"ana\",\"comment\":\"deploy\"}"
                            .getBytes()).json();
            String silenceId = silence.path("id").asText();
            window(server, closedWindow(), 5, "muted-");
            await("the silence to count the alert", () -> server.get("/api/v1/silences").json().path("silences").get(0)
                    .path("suppressed_alerts").asInt() == 1);
            awaitEvaluation(server);
            assertThat(pendingDeliveries(server)).as("a silenced alert queues no notification").isZero();
            assertThat(ops.attempts.get()).isZero();

            assertThat(server.delete("/api/v1/silences/" + silenceId).status()).isEqualTo(204);
            await("the notification after three failures", () -> ops.received.size() == 1);
            assertThat(ops.attempts.get()).isEqualTo(4);
            awaitEvaluation(server);
            assertThat(pendingDeliveries(server)).isZero();
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
                awaitEvaluation(server);
                assertThat(pendingDeliveries(server)).isZero();
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
        RecordingReceiver ops = new RecordingReceiver(0);
        RecordingReceiver managers = new RecordingReceiver(0);
        String yaml = CONFIG.replace("  repeat_interval: 4h\n", "  repeat_interval: 4h\n  escalate: {after: 2s, receiver: managers}\n")
                .replace("receivers:\n  - name: ops\n", "receivers:\n  - name: ops\n  - name: managers\n");
        ServerConfig c = ConfigLoader.parse(yaml, "test.yml").withDataDir(dir);
        c = c.withAlerting(c.alerting().withReceivers(Map.of("ops", List.of(ops), "managers", List.of(managers))));
        try (TestServer server = TestServer.start(c)) {
            window(server, closedWindow(), 5, "first-");
            await("the first notification", () -> ops.received.size() == 1);
            long escalationDue = System.currentTimeMillis() + 2_000; // the first notification was sent before now
            String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
            assertThat(server.post("/api/v1/alerts/" + id + "/ack", "application/json",
                    "{\"by\":\"ana\"}".getBytes()).status()).isEqualTo(200);
            awaitEvaluationAt(server, escalationDue);
            assertThat(pendingDeliveries(server)).isZero();
            assertThat(managers.attempts).as("acknowledged: no escalation").hasValue(0);

            window(server, closedWindow(), 10, "recovered-");
            await("the resolution", () -> ops.received.size() == 2);
            window(server, closedWindow(), 5, "again-");
            await("the second episode", () -> ops.received.size() == 3);
            await("the escalation", () -> managers.received.size() == 1);
            assertThat(managers.received.get(0).reason().name()).isEqualTo("ESCALATION");
            // past a second escalation's due time and the group's interval: an evaluation after them repeats nothing
            awaitEvaluationAt(server, System.currentTimeMillis() + 2_500);
            assertThat(pendingDeliveries(server)).isZero();
            assertThat(managers.received).as("escalated once").hasSize(1);
        }
    }

    @Test
    void aNotificationStillDueWhenTheServerStopsIsSentOnceAfterItStartsAgain() throws Exception {
        RecordingReceiver down = new RecordingReceiver(Integer.MAX_VALUE); // the receiver is unreachable before the restart
        TestServer server = TestServer.start(config(down));
        try {
            window(server, closedWindow(), 5, "before-");
            await("delivery attempts to the unreachable receiver", () -> down.attempts.get() >= 1);
            String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
            // the receiver counts an attempt before the server records its failure: wait for the record
            await("the failed attempt recorded", () -> !server.get("/api/v1/alerts/" + id).json().path("deliveries").path(0)
                    .path("last_error").asText("").isEmpty());
            JsonNode pending = server.get("/api/v1/alerts/" + id).json().path("deliveries").get(0);
            assertThat(pending.path("status").asText()).isEqualTo("pending");
            assertThat(pending.path("last_error").asText()).contains("503");
        } finally {
            server.close();
        }
        RecordingReceiver up = new RecordingReceiver(0);
        try (TestServer restarted = TestServer.start(config(up))) {
            await("the notification after the restart", () -> up.received.size() == 1);
            awaitEvaluation(restarted);
            assertThat(pendingDeliveries(restarted)).isZero();
            assertThat(up.received).hasSize(1);
            assertThat(up.received.get(0).firing()).hasSize(1);
        }
    }
}
