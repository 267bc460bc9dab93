package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelwatch.server.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures of {@code GET /api/v1/dashboard/overview}, model by model, against what the test sent:
 * two hours of one-minute windows of a labelled classifier (its accuracy changing every five
 * minutes), an unlabelled one whose feature {@code x} shifts in the last hour against its uploaded
 * reference, a regression and a model quiet for the last hour. Part of the traffic is committed,
 * the last minutes are still in the aggregation runtime: each event counts once.
 */
class DashboardOverviewTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final String CONFIG = """
            models:
              labelled: {task: binary_classification, positive_class: "1", window: 1m}
              unlabelled: {task: binary_classification, positive_class: "1", window: 1m}
              regress: {task: regression, window: 1m}
              quiet: {task: binary_classification, positive_class: "1", window: 1m}
            rules:
              - alert: LabelledBusy
                expr: count{model="labelled"} > 0
                labels: {severity: critical}
            """;

    /** A labelled prediction: its minute, whether it was right (classifier) or its error (regression). */
    private record Sent(int minute, double prediction, double label) {
    }

    @Test
    void everyModelsRowHoldsItsOwnLastHour(@TempDir Path dir) throws Exception {
        long start = Math.floorDiv(System.currentTimeMillis(), HOUR) * HOUR - 2 * HOUR;
        ManualClock clock = new ManualClock(start);
        Random random = new Random(20_261_204);
        try (TestServer server = TestServer.start(ConfigLoader.parse(CONFIG, "modelwatch.yml").withDataDir(dir), clock)) {
            ArrayNode reference = TestServer.JSON.createArrayNode();
            for (int i = 0; i < 2_000; i++) {
                double score = random.nextDouble();
                reference.addObject().put("prediction", score >= 0.5 ? 1 : 0).put("score", score)
                        .put("label", random.nextDouble() < score ? 1 : 0)
                        .putObject("features").put("x", random.nextGaussian()).put("y", random.nextGaussian());
            }
            assertThat(server.put("/api/v1/models/unlabelled/reference", reference.toString()).status()).isEqualTo(200);

            List<Sent> labelled = new ArrayList<>();
            List<Sent> regress = new ArrayList<>();
            for (int m = 0; m < 120; m++) {
                long t0 = start + m * MINUTE;
                clock.now.set(t0 + 59_000);
                ArrayNode events = TestServer.JSON.createArrayNode();
                ArrayNode labels = TestServer.JSON.createArrayNode();
                for (int i = 0; i < 10; i++) {
                    // labelled: 1 + (m / 5) % 10 of its 10 predictions right, so every sparkline step differs
                    int label = i % 2;
                    int prediction = i < 1 + (m / 5) % 10 ? label : 1 - label;
                    labelled.add(new Sent(m, prediction, label));
                    events.addObject().put("type", "prediction").put("model", "labelled").put("id", "l-" + m + "-" + i)
                            .put("timestamp", t0 + i * 5_000L).put("prediction", prediction).put("score", 0.7)
                            .putObject("features").put("x", i);
                    labels.addObject().put("type", "label").put("model", "labelled").put("id", "l-" + m + "-" + i)
                            .put("label", label);
                    // unlabelled: 3 + m % 4 predictions a minute, x shifted by 3 in the last hour, y never
                    if (i < 3 + m % 4) {
                        double score = random.nextDouble();
                        events.addObject().put("type", "prediction").put("model", "unlabelled").put("id", "u-" + m + "-" + i)
                                .put("timestamp", t0 + i * 5_000L).put("prediction", score >= 0.5 ? 1 : 0).put("score", score)
                                .putObject("features").put("x", random.nextGaussian() + (m >= 60 ? 3 : 0))
                                .put("y", random.nextGaussian());
                    }
                    // regress: 2 predictions a minute, off by (m % 7) - 3
                    if (i < 2) {
                        double p = 10 + i;
                        double l = p - (m % 7 - 3);
                        regress.add(new Sent(m, p, l));
                        events.addObject().put("type", "prediction").put("model", "regress").put("id", "r-" + m + "-" + i)
                                .put("timestamp", t0 + i * 5_000L).put("prediction", p).putObject("features").put("x", i);
                        labels.addObject().put("type", "label").put("model", "regress").put("id", "r-" + m + "-" + i)
                                .put("label", l);
                    }
                    // quiet: traffic in the first half hour only
                    if (m < 30 && i == 0) {
                        events.addObject().put("type", "prediction").put("model", "quiet").put("id", "q-" + m)
                                .put("timestamp", t0).put("prediction", 1).put("score", 0.9).putObject("features").put("x", 1);
                    }
                }
                assertThat(server.postJson(events.toString()).json().path("rejected").asInt()).isZero();
                assertThat(server.postJson(labels.toString()).json().path("rejected").asInt()).isZero();
                if (m == 110) {
                    // the windows so far committed; the last minutes' stay in the aggregation runtime
                    server.server().awaitAggregated(Duration.ofMinutes(2));
                    server.server().aggregator().flushNow().get();
                }
            }
            long now = start + 119 * MINUTE + 30_000;
            clock.now.set(now);
            server.server().awaitAggregated(Duration.ofMinutes(2));
            server.server().alerts().evaluateOnce(now);
            // the last hour: the windows of minutes 60 to 119 (the open one included)
            long hourStart = start + 60 * MINUTE;
            long hourEnd = start + 120 * MINUTE;

            JsonNode overview = server.get("/api/v1/dashboard/overview").json();
            Map<String, JsonNode> rows = new HashMap<>();
            overview.path("models").forEach(r -> rows.put(r.path("name").asText(), r));
            assertThat(rows).containsOnlyKeys("labelled", "unlabelled", "regress", "quiet");

            JsonNode l = rows.get("labelled");
            assertThat(l.path("health").asText()).isEqualTo("critical");
            assertThat(l.path("firing_alerts").asInt()).isEqualTo(1);
            assertThat(l.path("traffic_last_hour").asLong()).isEqualTo(600);
            assertThat(l.path("key_metric").asText()).isEqualTo("accuracy");
            assertThat(l.path("key_value").asDouble()).isCloseTo(accuracy(labelled, 60, 120), within(1e-12));
            assertThat(sparkline(l)).isEqualTo(expectedSparkline(start, labelled, DashboardOverviewTest::accuracy));
            assertThat(l.path("last_event").asText()).isEqualTo(java.time.Instant.ofEpochMilli(start + 119 * MINUTE + 45_000)
                    .toString());
            assertDriftAsTheDriftAnswer(server, "labelled", l, hourStart, hourEnd);

            JsonNode u = rows.get("unlabelled");
            assertThat(u.path("health").asText()).isEqualTo("ok");
            assertThat(u.path("firing_alerts").asInt()).isZero();
            long unlabelledInHour = 0;
            for (int m = 60; m < 120; m++) {
                unlabelledInHour += 3 + m % 4;
            }
            assertThat(u.path("traffic_last_hour").asLong()).isEqualTo(unlabelledInHour);
            assertThat(u.path("key_metric").asText()).isEqualTo("estimated_accuracy");
            assertThat(u.path("sparkline")).isEmpty();
            JsonNode drift = assertDriftAsTheDriftAnswer(server, "unlabelled", u, hourStart, hourEnd);
            assertThat(u.path("key_value").asDouble()).isCloseTo(
                    drift.path("estimated_performance").path("metrics").path("accuracy").path("value").asDouble(), within(1e-12));
            // x drifted, y did not
            assertThat(u.path("drift_share").asDouble()).isEqualTo(0.5);

            JsonNode r = rows.get("regress");
            assertThat(r.path("task").asText()).isEqualTo("regression");
            assertThat(r.path("traffic_last_hour").asLong()).isEqualTo(120);
            assertThat(r.path("key_metric").asText()).isEqualTo("rmse");
            assertThat(r.path("key_value").asDouble()).isCloseTo(rmse(regress, 60, 120), within(1e-9));
            Map<Long, Double> rmseSteps = sparkline(r);
            Map<Long, Double> expectedRmse = expectedSparkline(start, regress, DashboardOverviewTest::rmse);
            assertThat(rmseSteps).hasSameSizeAs(expectedRmse);
            expectedRmse.forEach((t, v) -> assertThat(rmseSteps.get(t)).as("rmse at %d", t).isCloseTo(v, within(1e-9)));

            JsonNode q = rows.get("quiet");
            assertThat(q.path("traffic_last_hour").asLong()).isZero();
            assertThat(q.path("key_value").isNull()).isTrue();
            assertThat(q.path("drift_share").isNull()).isTrue();
            assertThat(q.path("sparkline")).isEmpty();
            assertThat(q.path("last_event").asText()).isEqualTo(java.time.Instant.ofEpochMilli(start + 29 * MINUTE).toString());

            // labels of the last minute arrive: the row of that model changes, and only its figures
            ArrayNode late = TestServer.JSON.createArrayNode();
            for (int i = 0; i < 10; i++) {
                late.addObject().put("type", "prediction").put("model", "labelled").put("id", "late-" + i)
                        .put("timestamp", start + 119 * MINUTE + i * 1_000L).put("prediction", 1).put("score", 0.7)
                        .putObject("features").put("x", i);
                late.addObject().put("type", "label").put("model", "labelled").put("id", "late-" + i).put("label", 0);
                labelled.add(new Sent(119, 1, 0));
            }
            assertThat(server.postJson(late.toString()).json().path("rejected").asInt()).isZero();
            server.server().awaitAggregated(Duration.ofMinutes(2));
            JsonNode again = server.get("/api/v1/dashboard/overview").json();
            Map<String, JsonNode> after = new HashMap<>();
            again.path("models").forEach(row -> after.put(row.path("name").asText(), row));
            assertThat(after.get("labelled").path("traffic_last_hour").asLong()).isEqualTo(610);
            assertThat(after.get("labelled").path("key_value").asDouble())
                    .isCloseTo(accuracy(labelled, 60, 120), within(1e-12));
            assertThat(sparkline(after.get("labelled"))).isEqualTo(expectedSparkline(start, labelled,
                    DashboardOverviewTest::accuracy));
            for (String unchanged : List.of("unlabelled", "regress", "quiet")) {
                assertThat(after.get(unchanged)).as(unchanged).isEqualTo(rows.get(unchanged));
            }
        }
    }

    @Test
    void whileTheOverviewIsInUseItsRowsAreBroughtUpToDateInTheBackgroundBetweenVisits(@TempDir Path dir) throws Exception {
        long start = Math.floorDiv(System.currentTimeMillis(), HOUR) * HOUR - HOUR;
        ManualClock clock = new ManualClock(start + 30 * MINUTE);
        java.util.concurrent.atomic.AtomicReference<FaultInjectingStore> store = new java.util.concurrent.atomic.AtomicReference<>();
        try (TestServer server = startSpied(dir, clock, store)) {
            // someone looks at the overview: it is in use for the next few minutes
            assertThat(server.get("/api/v1/dashboard/overview").json().path("models")).hasSize(4);
            int seen = store.get().modelReads.size();
            postRegress(server, 7, start + 30 * MINUTE);
            // nobody asks for the overview again: the background reads the new model's hour all the same
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (store.get().modelReads.stream().skip(seen).noneMatch(models -> models.contains("regress"))) {
                assertThat(System.nanoTime()).as("the background read regress's hour within 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            JsonNode regress = server.get("/api/v1/dashboard/overview").json().path("models").get(2);
            assertThat(regress.path("name").asText()).isEqualTo("regress");
            assertThat(regress.path("traffic_last_hour").asLong()).isEqualTo(7);
        }
    }

    @Test
    void theFirstVisitAfterAnIdleSpellBuildsTheRowsOnDemand(@TempDir Path dir) throws Exception {
        long start = Math.floorDiv(System.currentTimeMillis(), HOUR) * HOUR - HOUR;
        ManualClock clock = new ManualClock(start + 30 * MINUTE);
        java.util.concurrent.atomic.AtomicReference<FaultInjectingStore> store = new java.util.concurrent.atomic.AtomicReference<>();
        try (TestServer server = startSpied(dir, clock, store)) {
            assertThat(server.get("/api/v1/dashboard/overview").json().path("models")).hasSize(4);
            // ten minutes later, the overview idle: new traffic, then a visit
            clock.advance(Duration.ofMinutes(10));
            postRegress(server, 5, start + 40 * MINUTE);
            // the background left the idle overview alone: the visit itself reads regress's new hour
            int seen = store.get().modelReads.size();
            JsonNode models = server.get("/api/v1/dashboard/overview").json().path("models");
            assertThat(models).hasSize(4);
            JsonNode regress = models.get(2);
            assertThat(regress.path("name").asText()).isEqualTo("regress");
            assertThat(regress.path("traffic_last_hour").asLong()).isEqualTo(5);
            assertThat(store.get().modelReads.stream().skip(seen).anyMatch(read -> read.contains("regress"))).isTrue();
        }
    }

    /** A server whose store counts the models each multi-model read asks for (in {@code store}). */
    private static TestServer startSpied(Path dir, ManualClock clock,
                                         java.util.concurrent.atomic.AtomicReference<FaultInjectingStore> store)
            throws Exception {
        return TestServer.start(ConfigLoader.parse(CONFIG, "modelwatch.yml").withDataDir(dir), clock, real -> {
            store.set(new FaultInjectingStore(real));
            return store.get();
        });
    }

    /** {@code n} predictions of model regress, ids r-0.., a second apart back from {@code last}, aggregated. */
    private static void postRegress(TestServer server, int n, long last) throws Exception {
        ArrayNode events = TestServer.JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            events.addObject().put("type", "prediction").put("model", "regress").put("id", "r-" + i)
                    .put("timestamp", last - i * 1_000L).put("prediction", i).putObject("features").put("x", i);
        }
        assertThat(server.postJson(events.toString()).json().path("rejected").asInt()).isZero();
        server.server().awaitAggregated(Duration.ofMinutes(2));
    }

    /** The row's drift share is the drift answer's over the same hour; returns that answer. */
    private static JsonNode assertDriftAsTheDriftAnswer(TestServer server, String model, JsonNode row, long from, long to) {
        JsonNode drift = server.get("/api/v1/models/" + model + "/drift?from=" + from + "&to=" + to).json();
        assertThat(drift.path("events").asLong()).as(model).isEqualTo(row.path("traffic_last_hour").asLong());
        assertThat(row.path("drift_share").asDouble()).as(model)
                .isEqualTo(drift.path("drift_share").path("share").asDouble());
        return drift;
    }

    private static Map<Long, Double> sparkline(JsonNode row) {
        Map<Long, Double> out = new TreeMap<>();
        row.path("sparkline").forEach(p -> out.put(p.get(0).asLong(), p.get(1).asDouble()));
        return out;
    }

    /** The metric of every five minutes of the last hour (minutes 60 to 119), by the step's start. */
    private static Map<Long, Double> expectedSparkline(long start, List<Sent> sent, Metric metric) {
        Map<Long, Double> out = new TreeMap<>();
        for (int m = 60; m < 120; m += 5) {
            out.put(start + m * MINUTE, metric.of(sent, m, m + 5));
        }
        return out;
    }

    private interface Metric {
        double of(List<Sent> sent, int fromMinute, int toMinute);
    }

    private static double accuracy(List<Sent> sent, int fromMinute, int toMinute) {
        long right = 0;
        long all = 0;
        for (Sent s : sent) {
            if (s.minute() >= fromMinute && s.minute() < toMinute) {
                all++;
                right += s.prediction() == s.label() ? 1 : 0;
            }
        }
        return (double) right / all;
    }

    private static double rmse(List<Sent> sent, int fromMinute, int toMinute) {
        double sum = 0;
        long n = 0;
        for (Sent s : sent) {
            if (s.minute() >= fromMinute && s.minute() < toMinute) {
                sum += (s.prediction() - s.label()) * (s.prediction() - s.label());
                n++;
            }
        }
        return Math.sqrt(sum / n);
    }
}
