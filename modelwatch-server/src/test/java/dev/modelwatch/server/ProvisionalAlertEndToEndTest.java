package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An accuracy alert of the default pack raised on 5% of the labels is provisional, held while the
 * later windows bring no labels, and decided when the rest of its windows' labels come in: retracted
 * when they show the accuracy was fine (the first labels were the errors, which are reported first),
 * confirmed when they show it was not. A started server on a manual clock; each window is evaluated at
 * its close ({@code AlertRuntime.evaluateOnce}), as in {@link CleanTrafficEndToEndTest}.
 *
 * <p>Traffic: a binary model whose labelled reference is right 90% of the time; six one-minute windows
 * of 400 predictions, each window's first 20 labels (5%) all errors — a drop of about 0.9, so the
 * default {@code ModelAccuracyDrop} (for 5m) fires at the sixth window's close. The rest of the labels
 * make each window 90% right ("fine") or 50% right ("not fine").
 */
class ProvisionalAlertEndToEndTest {
    private static final long MINUTE = 60_000L;
    private static final String MODEL = "lab";
    private static final int PER_WINDOW = 400;
    private static final int EARLY = 20;
    private static final long START = 20_600 * 86_400_000L;

    @TempDir
    Path dir;

    @Test
    void aProvisionalAlertIsRetractedWhenTheLateLabelsShowTheAccuracyWasFine() throws Exception {
        run(10, "retracted");
    }

    @Test
    void aProvisionalAlertIsConfirmedWhenTheLateLabelsShowTheAccuracyWasNot() throws Exception {
        run(2, "confirmed");
    }

    /** Every {@code wrongEvery}-th prediction is wrong (10: 90% right, 2: 50% right). */
    private void run(int wrongEvery, String expected) throws Exception {
        ManualClock clock = new ManualClock(START - MINUTE);
        RecordingReceiver ops = new RecordingReceiver(0);
        ServerConfig c = ConfigLoader.parse("""
                models:
                  lab: {task: binary_classification, positive_class: "1", window: 1m}
                route:
                  receiver: ops
                  group_by: [model, alertname]
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 4h
                receivers:
                  - name: ops
                """, "modelwatch.yml").withDataDir(dir);
        ServerConfig config = c.withAlerting(c.alerting().withReceivers(Map.of("ops", List.of(ops))));
        try (TestServer server = TestServer.start(config, clock)) {
            assertThat(server.put("/api/v1/models/" + MODEL + "/reference", reference(2000)).status()).isEqualTo(200);
            AlertRuntime alerts = server.server().alerts();
            StringBuilder late = new StringBuilder();
            for (int w = 0; w < 6; w++) {
                window(server, clock, alerts, w, wrongEvery, true, late);
                if (w == 0) {
                    JsonNode pending = accuracyAlert(server).orElseThrow();
                    assertThat(pending.path("state").asText()).isEqualTo("pending");
                    assertThat(pending.path("annotations").path("label_status").asText()).isEqualTo("provisional");
                    assertThat(pending.path("annotations").path("label_coverage").asText()).isEqualTo("0.050");
                }
            }
            JsonNode firing = accuracyAlert(server).orElseThrow();
            assertThat(firing.path("state").asText()).isEqualTo("firing");
            assertThat(firing.path("annotations").path("label_status").asText()).isEqualTo("provisional");
            String id = firing.path("id").asText();
            Notification told = await(ops, n -> n.firing().stream().anyMatch(a -> a.id().equals(id)));
            Alert sent = told.firing().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
            assertThat(sent.annotations()).containsEntry("label_status", "provisional").containsKey("label_note");

            // six more windows: without labels when the model is fine, still with errors reported first when it
            // is not; the first windows leave the rule's lookback, and the provisional alert is held
            for (int w = 6; w < 12; w++) {
                window(server, clock, alerts, w, wrongEvery, wrongEvery == 2, new StringBuilder());
            }
            JsonNode held = accuracyAlert(server).orElseThrow();
            assertThat(held.path("state").asText()).isEqualTo("firing");
            assertThat(held.path("annotations").path("label_status").asText()).isEqualTo("provisional");

            // the late labels of the first six windows
            post(server, late.toString());
            server.server().awaitAggregated(Duration.ofMinutes(1));
            long now = clock.now.get() + 20;
            clock.now.set(now);
            alerts.evaluateOnce(now);

            JsonNode decided = server.get("/api/v1/alerts/" + id).json();
            assertThat(decided.path("annotations").path("label_status").asText()).isEqualTo(expected);
            assertThat(decided.path("annotations").path("label_coverage").asText()).isEqualTo("1.000");
            assertThat(decided.path("annotations").path("label_note").asText()).startsWith(expected + " with 100.0%");
            if (expected.equals("retracted")) {
                assertThat(decided.path("state").asText()).isEqualTo("resolved");
                // the group's next flush is due a group_interval after its last one, on the clock
                now += 2_000;
                clock.now.set(now);
                alerts.evaluateOnce(now);
                Notification resolved = await(ops, n -> n.resolved().stream().anyMatch(a -> a.id().equals(id)));
                Alert r = resolved.resolved().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
                assertThat(r.annotations()).containsEntry("label_status", "retracted");
                assertThat(r.annotations().get("label_note")).contains("does not breach at the time it fired");
                List<String> changes = new java.util.ArrayList<>();
                decided.path("history").forEach(h -> changes.add(h.path("from").asText() + ">" + h.path("to").asText()));
                assertThat(changes).contains("firing>resolved");
            } else {
                assertThat(decided.path("state").asText()).isEqualTo("firing");
                assertThat(ops.received).noneMatch(n -> n.resolved().stream().anyMatch(a -> a.id().equals(id)));
            }
            JsonNode series = server.get("/api/v1/models/" + MODEL + "/metrics?names=label_coverage,accuracy,"
                    + "accuracy_lower,accuracy_upper&from=" + START + "&to=" + (START + 6 * MINUTE)).json().path("series");
            Map<String, JsonNode> byName = new java.util.HashMap<>();
            series.forEach(x -> byName.put(x.path("name").asText(), x.path("points")));
            assertThat(byName.keySet()).containsExactlyInAnyOrder("label_coverage", "accuracy", "accuracy_lower",
                    "accuracy_upper");
            for (int w = 0; w < 6; w++) {
                assertThat(byName.get("label_coverage").get(w).get(1).asDouble()).isEqualTo(1.0);
                double a = byName.get("accuracy").get(w).get(1).asDouble();
                assertThat(byName.get("accuracy_lower").get(w).get(1).asDouble()).isLessThan(a);
                assertThat(byName.get("accuracy_upper").get(w).get(1).asDouble()).isGreaterThan(a);
            }
            JsonNode summary = server.get("/api/v1/models/" + MODEL + "/summary?from=" + START + "&to="
                    + (START + 6 * MINUTE)).json();
            assertThat(summary.path("label_coverage").asDouble()).isEqualTo(1.0);
            JsonNode ci = summary.path("confidence_intervals").path("accuracy");
            assertThat(ci.path("method").asText()).isEqualTo("wilson");
            double accuracy = summary.path("accuracy").asDouble();
            assertThat(ci.path("lower").asDouble()).isLessThan(accuracy);
            assertThat(ci.path("upper").asDouble()).isGreaterThan(accuracy);
        }
    }

    /**
     * One window: its predictions, and (when {@code early}) its first {@link #EARLY} errors' labels; the
     * others are added to {@code late}. Then the clock moves to the window's close and the rules are evaluated.
     */
    private static void window(TestServer server, ManualClock clock, AlertRuntime alerts, int w, int wrongEvery,
            boolean early, StringBuilder late) throws InterruptedException {
        long from = START + w * MINUTE;
        clock.now.set(Math.max(clock.now.get(), from));
        Random random = new Random(1_000L * w + wrongEvery);
        StringBuilder predictions = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        int earlySent = 0;
        for (int i = 0; i < PER_WINDOW; i++) {
            String id = "w" + w + "-" + i;
            long ts = from + i * (MINUTE / PER_WINDOW);
            double score = random.nextDouble();
            int predicted = score >= 0.5 ? 1 : 0;
            boolean wrong = i % wrongEvery == 0;
            int label = wrong ? 1 - predicted : predicted;
            predictions.append("{\"type\":\"prediction\",\"model\":\"").append(MODEL).append("\",\"id\":\"").append(id)
                    .append("\",\"timestamp\":").append(ts).append(",\"features\":{\"x\":")
                    .append(random.nextGaussian()).append("},\"score\":").append(score).append(",\"prediction\":\"")
                    .append(predicted).append("\"}\n");
            String labelEvent = "{\"type\":\"label\",\"model\":\"" + MODEL + "\",\"id\":\"" + id + "\",\"label\":\""
                    + label + "\",\"timestamp\":" + ts + "}\n";
            if (early && wrong && earlySent < EARLY) {
                labels.append(labelEvent);
                earlySent++;
            } else {
                late.append(labelEvent);
            }
        }
        post(server, predictions.toString());
        if (!labels.isEmpty()) {
            post(server, labels.toString());
        }
        server.server().awaitAggregated(Duration.ofMinutes(1));
        long now = from + MINUTE + 20;
        clock.now.set(now);
        alerts.evaluateOnce(now);
    }

    /** A labelled reference right 90% of the time. */
    private static String reference(int rows) {
        Random random = new Random(7);
        StringBuilder b = new StringBuilder("{\"rows\":[");
        for (int r = 0; r < rows; r++) {
            double score = random.nextDouble();
            int predicted = score >= 0.5 ? 1 : 0;
            int label = random.nextDouble() < 0.9 ? predicted : 1 - predicted;
            b.append(r == 0 ? "" : ",").append("{\"features\":{\"x\":").append(random.nextGaussian())
                    .append("},\"score\":").append(score).append(",\"prediction\":\"").append(predicted)
                    .append("\",\"label\":\"").append(label).append("\"}");
        }
        return b.append("]}").toString();
    }

    private static Optional<JsonNode> accuracyAlert(TestServer server) {
        for (JsonNode a : server.get("/api/v1/alerts?model=" + MODEL).json().path("alerts")) {
            if (a.path("rule").asText().equals("ModelAccuracyDrop")) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Waits for the receiver to get a notification that {@code matches} (delivery runs on its own thread). */
    private static Notification await(RecordingReceiver ops, java.util.function.Predicate<Notification> matches)
            throws InterruptedException {
        BooleanSupplier seen = () -> ops.received.stream().anyMatch(matches);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!seen.getAsBoolean()) {
            assertThat(System.nanoTime()).as("a matching notification within 30 s; got " + ops.received)
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
        return ops.received.stream().filter(matches).findFirst().orElseThrow();
    }

    private static void post(TestServer server, String ndjson) {
        TestServer.Response r = server.post("/api/v1/events", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("rejected").asInt()).as(r.body()).isZero();
    }
}
