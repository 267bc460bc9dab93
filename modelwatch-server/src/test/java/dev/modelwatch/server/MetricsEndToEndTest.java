package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sends binary, multiclass and regression traffic with delayed labels (some arriving before their
 * predictions) through HTTP to a started server, and compares every metric with values computed
 * independently by scikit-learn and numpy ({@code modelwatch-core/src/test/resources/fixtures/make_fixtures.py}).
 * Then restarts the server and checks that the stored answer is the same.
 */
class MetricsEndToEndTest {
    private static final Path FIXTURES = Path.of(System.getProperty("modelwatch.fixtures",
            "../modelwatch-core/src/test/resources/fixtures"));
    private static final double KLL_RANK_TOLERANCE = 0.0133 + 0.002;

    @RegisterExtension
    final ServerFixture servers = ServerFixture.defaults();

    @ParameterizedTest
    @ValueSource(strings = {"binary", "multiclass", "regression"})
    void everyMetricMatchesTheIndependentReference(String name, TestServer server) throws IOException {
        JsonNode fixture = TestServer.JSON.readTree(Files.readAllBytes(FIXTURES.resolve(name + ".json")));
        String model = fixture.path("model").asText();
        long hour = 3_600_000L;
        long base = Math.floorDiv(System.currentTimeMillis() - 2 * hour, hour) * hour;
        List<String> predictions = rebased(fixture.path("predictions"), base);
        List<String> labels = rebased(fixture.path("labels"), base);

        if (!fixture.path("task").asText().isEmpty()) {
            String decl = "{\"task\":\"" + fixture.path("task").asText() + "\""
                    + (fixture.has("positive_class") ? ",\"positive_class\":\"" + fixture.path("positive_class").asText() + "\"" : "")
                    + ",\"window\":\"1m\"}";
            assertThat(server.put("/api/v1/models/" + model, decl).status()).isEqualTo(200);
        }
        int early = labels.size() / 10;
        sendJsonArrays(server, labels.subList(0, early));            // labels before their predictions
        sendNdjson(server, predictions);
        sendJsonArrays(server, labels.subList(early, labels.size())); // the rest, later

        String range = "?from=" + base + "&to=" + (base + hour);
        JsonNode summary = server.get("/api/v1/models/" + model + "/summary" + range).json();
        assertMatches(summary, fixture.path("expected"), fixture.path("predictions"), null, null);
        assertThat(summary.path("throughput_per_s").asDouble())
                .isCloseTo(fixture.path("expected").path("count").asDouble() / 3600, within(1e-9));
        TestServer running = server;
        fixture.path("expected_by_segment").fields().forEachRemaining(e -> {
            JsonNode s = running.get("/api/v1/models/" + model + "/summary" + range + "&segment="
                    + TestServer.q(e.getKey())).json();
            String[] kv = e.getKey().split(":", 2);
            assertMatches(s, e.getValue(), fixture.path("predictions"), kv, null);
        });
        fixture.path("expected_by_version").fields().forEachRemaining(e -> {
            JsonNode s = running.get("/api/v1/models/" + model + "/summary" + range + "&version=" + e.getKey()).json();
            assertMatches(s, e.getValue(), fixture.path("predictions"), null, e.getKey());
        });

        // base windows (a range not aligned to the hour) give the same exact counts as the hour roll-up
        JsonNode fromMinutes = server.get("/api/v1/models/" + model + "/summary?from=" + (base + 1) + "&to="
                + (base + 11 * 60_000L)).json();
        assertThat(fromMinutes.path("count").asLong()).isEqualTo(summary.path("count").asLong());
        assertThat(fromMinutes.path("labeled").asLong()).isEqualTo(summary.path("labeled").asLong());

        // the time series adds up to the summary
        JsonNode series = server.get("/api/v1/models/" + model + "/metrics" + range + "&names=count&step=1m").json();
        long total = 0;
        for (JsonNode p : series.path("series").get(0).path("points")) {
            total += p.get(1).asLong();
        }
        assertThat(total).isEqualTo(fixture.path("expected").path("count").asLong());
        assertThat(series.path("series").get(0).path("points").size()).isEqualTo(10);

        server = servers.restart();
        JsonNode stored = server.get("/api/v1/models/" + model + "/summary" + range).json();
        assertMatches(stored, fixture.path("expected"), fixture.path("predictions"), null, null);
    }

    private static List<String> rebased(JsonNode events, long base) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) {
            ObjectNode copy = e.deepCopy();
            copy.put("timestamp", base + e.path("timestamp").asLong());
            out.add(copy.toString());
        }
        return out;
    }

    private static void sendJsonArrays(TestServer server, List<String> events) {
        for (int i = 0; i < events.size(); i += 400) {
            List<String> chunk = events.subList(i, Math.min(events.size(), i + 400));
            JsonNode r = server.postJson("[" + String.join(",", chunk) + "]").json();
            assertThat(r.path("rejected").asInt()).as(r.toString()).isZero();
        }
    }

    private static void sendNdjson(TestServer server, List<String> events) {
        for (int i = 0; i < events.size(); i += 700) {
            List<String> chunk = events.subList(i, Math.min(events.size(), i + 700));
            JsonNode r = server.post("/api/v1/events", "application/x-ndjson",
                    String.join("\n", chunk).getBytes(StandardCharsets.UTF_8)).json();
            assertThat(r.path("rejected").asInt()).as(r.toString()).isZero();
            assertThat(r.path("accepted").asInt()).isEqualTo(chunk.size());
        }
    }

    private static void assertMatches(JsonNode actual, JsonNode expected, JsonNode predictions, String[] segment,
                                      String version) {
        String where = (segment == null ? "" : " segment " + String.join(":", segment))
                + (version == null ? "" : " version " + version);
        assertThat(actual.path("count").asLong()).as("count" + where).isEqualTo(expected.path("count").asLong());
        assertThat(actual.path("labeled").asLong()).as("labeled" + where).isEqualTo(expected.path("labeled").asLong());
        for (String exact : List.of("accuracy", "precision", "recall", "f1", "log_loss", "mae", "rmse", "mape", "r2",
                "error_rate")) {
            if (!expected.has(exact)) {
                continue;
            }
            if (expected.path(exact).isNull()) {
                assertThat(actual.path(exact).isNull()).as(exact + where + " should be null").isTrue();
            } else {
                double e = expected.path(exact).asDouble();
                assertThat(actual.path(exact).asDouble()).as(exact + where).isCloseTo(e, within(1e-9 * Math.max(1, Math.abs(e))));
            }
        }
        if (expected.has("roc_auc") && !expected.path("roc_auc").isNull()) {
            assertThat(actual.path("roc_auc").asDouble()).as("roc_auc" + where)
                    .isCloseTo(expected.path("roc_auc").asDouble(), within(0.005));
        }
        if (expected.has("confusion_matrix")) {
            assertThat(actual.path("confusion_matrix")).as("confusion matrix" + where).isEqualTo(expected.path("confusion_matrix"));
        }
        if (expected.has("per_class")) {
            expected.path("per_class").fields().forEachRemaining(c -> {
                JsonNode a = actual.path("per_class").path(c.getKey());
                assertThat(a.path("support").asLong()).isEqualTo(c.getValue().path("support").asLong());
                for (String m : List.of("precision", "recall", "f1")) {
                    assertThat(a.path(m).asDouble()).as(m + " of class " + c.getKey() + where)
                            .isCloseTo(c.getValue().path(m).asDouble(), within(1e-9));
                }
            });
        }
        JsonNode latency = expected.path("latency_ms");
        if (latency.isObject()) {
            double[] values = values(predictions, "latency_ms", null, segment, version);
            for (String q : List.of("p50", "p95", "p99")) {
                double rank = Double.parseDouble("0." + q.substring(1));
                assertRank(values, actual.path("latency_ms").path(q).asDouble(), rank, "latency " + q + where);
            }
            assertThat(actual.path("latency_ms").path("max").asDouble()).isEqualTo(latency.path("max").asDouble());
        }
        Iterator<Map.Entry<String, JsonNode>> features = expected.path("features").fields();
        while (features.hasNext()) {
            Map.Entry<String, JsonNode> f = features.next();
            JsonNode a = actual.path("features").path(f.getKey());
            JsonNode e = f.getValue();
            String what = "feature " + f.getKey() + where;
            assertThat(a.path("count").asLong()).as(what + " count").isEqualTo(e.path("count").asLong());
            assertThat(a.path("missing_rate").asDouble()).as(what + " missing_rate")
                    .isCloseTo(e.path("missing_rate").asDouble(), within(1e-12));
            if (e.has("mean")) {
                for (String m : List.of("mean", "std", "min", "max")) {
                    double x = e.path(m).asDouble();
                    assertThat(a.path(m).asDouble()).as(what + " " + m).isCloseTo(x, within(1e-9 * Math.max(1, Math.abs(x))));
                }
                double[] values = values(predictions, "features", f.getKey(), segment, version);
                e.path("quantiles").fieldNames().forEachRemaining(q ->
                        assertRank(values, a.path("quantiles").path(q).asDouble(), Double.parseDouble(q), what + " q" + q));
            } else {
                assertThat(a.path("type").asText()).isEqualTo("categorical");
                double distinct = e.path("distinct").asDouble();
                assertThat(a.path("distinct").asDouble()).as(what + " distinct").isCloseTo(distinct, within(Math.max(1, 0.05 * distinct)));
                assertThat(a.path("top").get(0)).as(what + " top value").isEqualTo(e.path("top").get(0));
            }
        }
    }

    private static double[] values(JsonNode predictions, String field, String feature, String[] segment, String version) {
        List<Double> out = new ArrayList<>();
        for (JsonNode p : predictions) {
            if (segment != null && !p.path("segments").path(segment[0]).asText().equals(segment[1])) {
                continue;
            }
            if (version != null && !p.path("version").asText().equals(version)) {
                continue;
            }
            JsonNode v = feature == null ? p.path(field) : p.path(field).path(feature);
            if (v.isNumber()) {
                out.add(v.asDouble());
            }
        }
        double[] a = out.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /** The reported quantile's rank among the exact values is within the KLL rank error of the target. */
    private static void assertRank(double[] sorted, double value, double target, String what) {
        int below = 0;
        int atOrBelow = 0;
        for (double v : sorted) {
            if (v < value) {
                below++;
            }
            if (v <= value) {
                atOrBelow++;
            }
        }
        double lo = (double) below / sorted.length;
        double hi = (double) atOrBelow / sorted.length;
        assertThat(target).as(what + ": value " + value + " has rank [" + lo + ", " + hi + "]")
                .isBetween(lo - KLL_RANK_TOLERANCE, hi + KLL_RANK_TOLERANCE);
    }
}
