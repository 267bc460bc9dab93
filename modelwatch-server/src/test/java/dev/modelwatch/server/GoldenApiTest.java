package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.modelwatch.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A scripted session against a server on a manual clock that calls every endpoint of docs/api.md,
 * and compares each answer (status and JSON body, field order aside) with its golden file under
 * {@code src/test/resources/golden/api}. Values that no fixed clock or data can fix (silence ids,
 * token ids and secrets) are replaced by placeholders numbered in the order they first appear.
 *
 * <p>To record the golden files again (only when the public answers are meant to change):
 * {@code mvn -B -o -pl modelwatch-server -am test -Dtest=GoldenApiTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dgolden.update=true}, then review the diff.
 */
class GoldenApiTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "api");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final long HOUR = 3_600_000L;
    /** The server's time all through the session: just after the 10:00 window closed. */
    private static final long NOW = Instant.parse("2026-11-22T10:00:00.020Z").toEpochMilli();
    private static final long WINDOW = NOW - 20 - HOUR;
    /** The fraud model's window (1m) that closed at 10:00. */
    private static final long LAST_MINUTE = NOW - 20 - 60_000;
    private static final long EVALUATED = NOW + 60_000;

    private static final String CONFIG = """
            alerting: {evaluation_interval: 1h}
            models:
              fraud: {task: binary_classification, positive_class: "1", window: 1m}
            rules:
              - alert: AccuracyDrop
                expr: accuracy{model="fraud"} < 0.8
                labels: {severity: critical}
                annotations: {summary: "accuracy of {{ $labels.model }} is {{ $value }}"}
            """;

    private final ManualClock clock = new ManualClock(NOW);
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.of(dir -> ConfigLoader.parse(CONFIG, "golden.yml").withDataDir(dir))
            .clock(clock);

    /** Strings that change from run to run, with the placeholder each stands for. */
    private final Map<String, String> volatileValues = new LinkedHashMap<>();
    private final Map<String, String> nextVolatile = new LinkedHashMap<>();
    private final List<String> mismatches = new ArrayList<>();
    private int step;
    private final boolean update = Boolean.getBoolean("golden.update");

    @Test
    void everyEndpointAnswersAsRecorded(TestServer server) throws Exception {
        volatileValue(server.base, "server"); // its port
        var alerts = server.server().alerts();
        // the evaluator's first pass, at start, before any data; it waits an hour (of this clock) for the next
        AlertingEndToEndTest.await("the first alert evaluation", () -> alerts.evaluations() >= 1);

        record(server, "healthz", "GET", "/healthz", null, null);
        record(server, "readyz", "GET", "/readyz", null, null);

        // models
        record(server, "declare-fraud", "PUT", "/api/v1/models/fraud", "application/json",
                "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}");
        record(server, "declare-regression", "PUT", "/api/v1/models/price", "application/json",
                "{\"task\":\"regression\",\"window\":\"1h\"}");
        record(server, "declare-multiclass", "PUT", "/api/v1/models/kind", "application/json",
                "{\"task\":\"multiclass_classification\",\"window\":\"1h\"}");
        record(server, "declare-bad-task", "PUT", "/api/v1/models/other", "application/json",
                "{\"task\":\"clustering\"}");
        record(server, "declare-malformed", "PUT", "/api/v1/models/fraud", "application/json", "{\"task\":");

        // ingest
        record(server, "ingest-fraud-json", "POST", "/api/v1/events", "application/json", fraudEvents(200, 7, 0));
        record(server, "ingest-price-ndjson", "POST", "/api/v1/events", "application/x-ndjson", priceEvents());
        recordBytes(server, "ingest-kind-gzip", "POST", "/api/v1/events", "application/json",
                TestServer.gzip(kindEvents().getBytes(StandardCharsets.UTF_8)), "Content-Encoding", "gzip");
        record(server, "ingest-rejects", "POST", "/api/v1/events", "application/json", """
                [{"type":"prediction","model":"fraud","timestamp":%d,"prediction":1},
                 {"type":"prediction","model":"fraud"},
                 {"type":"prediction","model":"bad name","prediction":1},
                 {"type":"label","model":"fraud"},
                 {"type":"training","model":"fraud","run":"r-1","step":-1},
                 {"type":"metric","name":"gpu utilization","value":1},
                 {"type":"metric","name":"gpu_utilization","value":"NaN","timestamp":%d},
                 {"type":"prediction","model":"fraud","prediction":1,"latency_ms":"NaN","timestamp":%d},
                 {"type":"prediction","model":"fraud","prediction":1,"timestamp":%d}]
                """.formatted(WINDOW + 1, WINDOW, WINDOW, NOW + 3 * HOUR));
        record(server, "ingest-not-json", "POST", "/api/v1/events", "application/json", "{not json");
        record(server, "ingest-text-plain", "POST", "/api/v1/events", "text/plain", "{}");
        recordBytes(server, "ingest-bad-encoding", "POST", "/api/v1/events", "application/json",
                "{}".getBytes(StandardCharsets.UTF_8), "Content-Encoding", "br");
        server.server().awaitAggregated(Duration.ofSeconds(30));
        record(server, "declare-window-change", "PUT", "/api/v1/models/fraud", "application/json",
                "{\"task\":\"binary_classification\",\"window\":\"1h\"}");

        record(server, "models", "GET", "/api/v1/models", null, null);
        TestServer.Response page = record(server, "models-page-1", "GET", "/api/v1/models?limit=1", null, null);
        record(server, "models-page-2", "GET", "/api/v1/models?limit=1&cursor="
                + TestServer.q(page.json().path("next_cursor").asText()), null, null);
        record(server, "models-bad-limit", "GET", "/api/v1/models?limit=0", null, null);
        record(server, "models-bad-cursor", "GET", "/api/v1/models?cursor=zz", null, null);
        record(server, "model-fraud", "GET", "/api/v1/models/fraud", null, null);
        record(server, "model-unknown", "GET", "/api/v1/models/nosuch", null, null);
        record(server, "model-bad-name", "GET", "/api/v1/models/bad%20name", null, null);

        // summaries and series
        String range = "from=" + (WINDOW - HOUR) + "&to=" + TestServer.q("2026-11-22T10:00:00Z");
        record(server, "summary-fraud", "GET", "/api/v1/models/fraud/summary?" + range, null, null);
        record(server, "summary-fraud-segment", "GET", "/api/v1/models/fraud/summary?" + range
                + "&segment=region:eu", null, null);
        record(server, "summary-fraud-version", "GET", "/api/v1/models/fraud/summary?" + range + "&version=v2",
                null, null);
        record(server, "summary-price", "GET", "/api/v1/models/price/summary?" + range, null, null);
        record(server, "summary-kind", "GET", "/api/v1/models/kind/summary?" + range, null, null);
        record(server, "summary-default-range", "GET", "/api/v1/models/fraud/summary", null, null);
        record(server, "summary-bad-range", "GET", "/api/v1/models/fraud/summary?from=10&to=5", null, null);
        record(server, "summary-bad-time", "GET", "/api/v1/models/fraud/summary?from=yesterday", null, null);
        record(server, "summary-bad-segment", "GET", "/api/v1/models/fraud/summary?segment=eu", null, null);
        record(server, "series-fraud", "GET", "/api/v1/models/fraud/metrics?" + range
                + "&names=count,accuracy,roc_auc,latency_p99_ms,missing_rate,feature_mean&step=1h", null, null);
        record(server, "series-price", "GET", "/api/v1/models/price/metrics?" + range + "&names=rmse,mae,r2",
                null, null);
        record(server, "series-no-names", "GET", "/api/v1/models/fraud/metrics", null, null);
        record(server, "series-unknown-name", "GET", "/api/v1/models/fraud/metrics?names=nope", null, null);
        record(server, "series-bad-step", "GET", "/api/v1/models/fraud/metrics?names=count&step=7m", null, null);

        // references and drift
        record(server, "drift-baseline", "GET", "/api/v1/models/fraud/drift?" + range, null, null);
        record(server, "reference-fraud-json", "PUT", "/api/v1/models/fraud/reference", "application/json",
                fraudReference());
        record(server, "reference-price-csv", "PUT", "/api/v1/models/price/reference?version=v1", "text/csv",
                priceReferenceCsv());
        record(server, "reference-no-valid-row", "PUT", "/api/v1/models/price/reference", "application/json",
                "[{\"features\":\"x\"}]");
        record(server, "reference-bad-version", "PUT", "/api/v1/models/price/reference?version=", "application/json",
                "[]");
        record(server, "references-fraud", "GET", "/api/v1/models/fraud/reference", null, null);
        record(server, "references-price", "GET", "/api/v1/models/price/reference", null, null);
        record(server, "drift-fraud", "GET", "/api/v1/models/fraud/drift?" + range, null, null);
        record(server, "drift-fraud-segment", "GET", "/api/v1/models/fraud/drift?" + range + "&segment=region:eu",
                null, null);
        record(server, "drift-price", "GET", "/api/v1/models/price/drift?" + range + "&version=v1", null, null);
        record(server, "series-drift", "GET", "/api/v1/models/fraud/metrics?" + range
                + "&names=drift_psi,drift_share,estimated_accuracy,data_quality_issues", null, null);
        record(server, "reference-delete-unknown", "DELETE", "/api/v1/models/price/reference?version=v9", null, null);
        record(server, "reference-delete", "DELETE", "/api/v1/models/price/reference?version=v1", null, null);

        // alerts, as evaluated a minute after the close of the window the traffic is in
        clock.now.set(EVALUATED);
        alerts.evaluateOnce(EVALUATED);
        record(server, "rules", "GET", "/api/v1/rules", null, null);
        TestServer.Response all = record(server, "alerts", "GET", "/api/v1/alerts", null, null);
        record(server, "alerts-firing", "GET", "/api/v1/alerts?state=firing&model=fraud", null, null);
        TestServer.Response alertPage = record(server, "alerts-page-1", "GET", "/api/v1/alerts?limit=1", null, null);
        record(server, "alerts-page-2", "GET", "/api/v1/alerts?limit=1&cursor="
                + TestServer.q(alertPage.json().path("next_cursor").asText()), null, null);
        record(server, "alerts-bad-state", "GET", "/api/v1/alerts?state=burning", null, null);
        String firing = null;
        for (JsonNode a : all.json().path("alerts")) {
            if ("AccuracyDrop".equals(a.path("rule").asText())) {
                firing = a.path("id").asText();
            }
        }
        assertThat(firing).as("the AccuracyDrop alert (%s)", all.body()).isNotNull();
        record(server, "alert", "GET", "/api/v1/alerts/" + firing, null, null);
        record(server, "alert-bad-id", "GET", "/api/v1/alerts/not-an-id", null, null);
        record(server, "alert-unknown", "GET", "/api/v1/alerts/00000000000000ff", null, null);
        record(server, "ack", "POST", "/api/v1/alerts/" + firing + "/ack", "application/json",
                "{\"by\":\"ana\",\"comment\":\"looking into it\"}");
        record(server, "ack-without-by", "POST", "/api/v1/alerts/" + firing + "/ack", "application/json", "{}");
        record(server, "ack-not-object", "POST", "/api/v1/alerts/" + firing + "/ack", "application/json", "[1]");
        record(server, "alert-acknowledged", "GET", "/api/v1/alerts/" + firing, null, null);
        record(server, "alert-history", "GET", "/api/v1/alert-history", null, null);
        record(server, "alert-history-one", "GET", "/api/v1/alert-history?alert=" + firing + "&since="
                + TestServer.q("2026-11-22T00:00:00Z"), null, null);

        // silences
        nextVolatile("id", "silence");
        TestServer.Response silence = record(server, "silence-add", "POST", "/api/v1/silences", "application/json",
                "{\"matchers\":[\"model=\\\"fraud\\\"\",\"severity=~\\\"critical|page\\\"\"],\"duration\":\"2h\","
                        + "\"created_by\":\"ana\",\"comment\":\"deploy\"}");
        nextVolatile("id", "silence");
        TestServer.Response later = record(server, "silence-add-later", "POST", "/api/v1/silences",
                "application/json", "{\"matchers\":[\"model=\\\"price\\\"\"],\"starts_at\":\"2026-11-22T12:00:00Z\","
                        + "\"ends_at\":\"2026-11-22T13:00:00Z\",\"created_by\":\"bo\"}");
        record(server, "silence-bad", "POST", "/api/v1/silences", "application/json",
                "{\"matchers\":[\"model\"],\"ends_at\":\"soon\"}");
        record(server, "silence-no-matchers", "POST", "/api/v1/silences", "application/json", "{\"duration\":\"1h\"}");
        alerts.evaluateOnce(EVALUATED);
        record(server, "silences", "GET", "/api/v1/silences", null, null);
        record(server, "alerts-silenced", "GET", "/api/v1/alerts?state=firing", null, null);
        clock.now.set(EVALUATED + 60_000); // a minute later: the silence has run a while
        record(server, "silence-expire", "DELETE", "/api/v1/silences/" + silence.json().path("id").asText(), null, null);
        record(server, "silence-expire-unknown", "DELETE", "/api/v1/silences/nope", null, null);
        record(server, "silences-after-expire", "GET", "/api/v1/silences", null, null);

        // dead letters (none parked in this session)
        record(server, "dead-letters", "GET", "/api/v1/dead-letters", null, null);
        record(server, "dead-letters-replayed", "GET", "/api/v1/dead-letters?replayed=true", null, null);
        record(server, "dead-letter-unknown", "GET", "/api/v1/dead-letters/nope", null, null);
        record(server, "dead-letter-replay-unknown", "POST", "/api/v1/dead-letters/nope/replay", "application/json",
                "{}");

        // tokens
        nextVolatile("token", "token-secret"); // first: it contains the id
        nextVolatile("id", "token-id");
        TestServer.Response token = record(server, "token-create", "POST", "/api/v1/tokens", "application/json",
                "{\"name\":\"ci\",\"scopes\":[\"ingest\",\"read\"]}");
        record(server, "token-create-bad-scope", "POST", "/api/v1/tokens", "application/json",
                "{\"name\":\"x\",\"scopes\":[\"root\"]}");
        record(server, "tokens", "GET", "/api/v1/tokens", null, null);
        record(server, "token-revoke", "DELETE", "/api/v1/tokens/" + token.json().path("id").asText(), null, null);
        record(server, "token-revoke-unknown", "DELETE", "/api/v1/tokens/nope", null, null);
        record(server, "tokens-after-revoke", "GET", "/api/v1/tokens", null, null);

        // errors of routing and access
        record(server, "no-such-endpoint", "GET", "/api/v1/nothing", null, null);
        record(server, "method-not-allowed", "PATCH", "/api/v1/models", "application/json", "{}");
        record(server, "cross-site", "POST", "/api/v1/silences", "application/json", "{}", "Origin",
                "https://evil.example");
        record(server, "metrics-text", "GET", "/metrics", null, null);
        assertThat(mismatches).as("answers that differ from their golden files").isEmpty();
    }

    // ---- the session's data: fixed, from seeded generators ----

    /** Binary predictions of one window, half of them labelled; {@code correct} of each 10 labels agree. */
    private static String fraudEvents(int n, int correct, long seed) {
        SplittableRandom r = new SplittableRandom(seed + 11);
        StringBuilder b = new StringBuilder("[");
        String[] countries = {"DE", "FR", "US"};
        for (int i = 0; i < n; i++) {
            double amount = 100 + 40 * r.nextDouble();
            double score = 0.5 + 0.5 * r.nextDouble();
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"type\":\"prediction\",\"model\":\"fraud\","
                            + "\"id\":\"p-%d\",\"version\":\"%s\",\"timestamp\":%d,\"features\":{\"amount\":%.3f,"
                            + "\"country\":\"%s\",\"tenure\":%s},\"prediction\":1,\"score\":%.4f,\"latency_ms\":%.1f,"
                            + "\"segments\":{\"region\":\"%s\"}}",
                    i, i % 4 == 0 ? "v2" : "v1", LAST_MINUTE + i * 250L, amount, countries[r.nextInt(3)],
                    i % 5 == 0 ? "null" : String.valueOf(r.nextInt(40)), score, 5 + 20 * r.nextDouble(),
                    i % 3 == 0 ? "eu" : "us"));
        }
        for (int i = 0; i < n; i += 2) {
            b.append(",{\"type\":\"label\",\"model\":\"fraud\",\"id\":\"p-").append(i).append("\",\"label\":")
                    .append(i / 2 % 10 < correct ? 1 : 0).append("}");
        }
        b.append(",{\"type\":\"training\",\"model\":\"fraud\",\"run\":\"r-1\",\"step\":10,\"epoch\":1,\"timestamp\":")
                .append(WINDOW).append(",\"metrics\":{\"loss\":0.31,\"val_loss\":NaN}}");
        b.append(",{\"type\":\"metric\",\"name\":\"gpu_utilization\",\"value\":87.5,\"model\":\"fraud\",")
                .append("\"labels\":{\"host\":\"gpu-1\"},\"timestamp\":").append(WINDOW).append("}");
        return b.append("]").toString();
    }

    private static String priceEvents() {
        SplittableRandom r = new SplittableRandom(23);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            double size = 50 + 100 * r.nextDouble();
            b.append(String.format(Locale.ROOT, "{\"type\":\"prediction\",\"model\":\"price\",\"id\":\"q-%d\","
                    + "\"version\":\"v1\",\"timestamp\":%d,\"features\":{\"size\":%.2f},\"prediction\":%.2f}%n",
                    i, WINDOW + i * 30_000L, size, 3 * size + 10 * r.nextDouble()));
            b.append(String.format(Locale.ROOT, "{\"type\":\"label\",\"model\":\"price\",\"id\":\"q-%d\",\"label\":%.2f}%n",
                    i, 3 * size + 10 * r.nextDouble()));
        }
        b.append("{\"type\":\"prediction\",\"model\":\"price\"\n");
        b.append("\n");
        b.append("{\"type\":\"prediction\",\"model\":\"price\",\"id\":\"q-x\",\"timestamp\":").append(WINDOW)
                .append(",\"prediction\":\"cheap\"}\n");
        return b.toString();
    }

    private static String kindEvents() {
        SplittableRandom r = new SplittableRandom(31);
        String[] classes = {"cat", "dog", "fox"};
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 90; i++) {
            double a = r.nextDouble();
            double c = r.nextDouble() * (1 - a);
            String predicted = classes[i % 3];
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"type\":\"prediction\",\"model\":\"kind\","
                            + "\"id\":\"k-%d\",\"timestamp\":%d,\"features\":{\"w\":%.3f},\"prediction\":\"%s\","
                            + "\"scores\":{\"cat\":%.3f,\"dog\":%.3f,\"fox\":%.3f}}",
                    i, WINDOW + i * 20_000L, r.nextDouble(), predicted, a, c, 1 - a - c));
            b.append(",{\"type\":\"label\",\"model\":\"kind\",\"id\":\"k-").append(i).append("\",\"label\":\"")
                    .append(classes[r.nextInt(3)]).append("\"}");
        }
        return b.append("]").toString();
    }

    private static String fraudReference() {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder b = new StringBuilder("{\"rows\":[");
        String[] countries = {"DE", "FR", "US", "IT"};
        for (int i = 0; i < 400; i++) {
            double amount = 90 + 40 * r.nextDouble();
            double score = r.nextDouble();
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"features\":{\"amount\":%.3f,"
                            + "\"country\":\"%s\",\"tenure\":%d},\"prediction\":%d,\"score\":%.4f,\"label\":%d}",
                    amount, countries[r.nextInt(4)], r.nextInt(40), score >= 0.5 ? 1 : 0, score,
                    r.nextDouble() < score ? 1 : 0));
        }
        b.append(",{\"features\":{\"amount\":\"NaN\"},\"score\":2}");
        return b.append("],\"feature_importances\":{\"amount\":0.6,\"country\":0.3,\"tenure\":0.1}}").toString();
    }

    private static String priceReferenceCsv() {
        SplittableRandom r = new SplittableRandom(9);
        StringBuilder b = new StringBuilder("size,prediction,label\n");
        for (int i = 0; i < 120; i++) {
            double size = 40 + 100 * r.nextDouble();
            b.append(String.format(Locale.ROOT, "%.2f,%.2f,%.2f%n", size, 3 * size + 5 * r.nextDouble(),
                    3 * size + 5 * r.nextDouble()));
        }
        b.append("NA,1,\n");
        return b.toString();
    }

    // ---- recording and comparing ----

    /** The next answer's top-level {@code field} is a value that changes from run to run. */
    private void nextVolatile(String field, String kind) {
        nextVolatile.put(field, kind);
    }

    private void volatileValue(String value, String kind) {
        if (value != null && !value.isEmpty() && !volatileValues.containsKey(value)) {
            long n = volatileValues.values().stream().filter(v -> v.startsWith("<" + kind + "-")).count();
            volatileValues.put(value, "<" + kind + "-" + (n + 1) + ">");
        }
    }

    private TestServer.Response record(TestServer server, String name, String method, String path, String contentType,
                                       String body, String... headers) throws IOException {
        return recordBytes(server, name, method, path, contentType,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private TestServer.Response recordBytes(TestServer server, String name, String method, String path,
                                            String contentType, byte[] body, String... headers) throws IOException {
        TestServer.Response r = server.request(method, path, contentType, body, headers);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("request", normalise(method + " " + path));
        answer.put("status", r.status());
        String type = r.headers().firstValue("Content-Type").orElse(null);
        if (type != null && type.startsWith("application/json")) {
            JsonNode json = JSON.readTree(r.body());
            nextVolatile.forEach((field, kind) -> volatileValue(json.path(field).asText(), kind));
            answer.set("body", normalise(json));
        } else {
            answer.put("content_type", type); // text (Prometheus metrics, timings included): its type only
        }
        nextVolatile.clear();
        Path file = GOLDEN.resolve(String.format(Locale.ROOT, "%03d-%s.json", ++step, name));
        if (update) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, JSON.writeValueAsString(answer) + "\n");
        } else if (!Files.exists(file)) {
            mismatches.add(file + ": no golden file (record them with -Dgolden.update=true)");
        } else {
            JsonNode expected = JSON.readTree(file.toFile());
            if (!expected.equals(answer)) {
                mismatches.add(file + ":\n  expected " + expected + "\n  actual   " + answer);
            }
        }
        return r;
    }

    private String normalise(String s) {
        String out = s;
        for (Map.Entry<String, String> v : volatileValues.entrySet()) {
            out = out.replace(v.getKey(), v.getValue());
        }
        return out;
    }

    private JsonNode normalise(JsonNode n) {
        if (n.isTextual()) {
            return new TextNode(normalise(n.asText()));
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.forEach(e -> a.add(normalise(e)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode value = normalise(e.getValue());
                if (e.getKey().equals("versions") && value.isArray()) {
                    // a set: its order is not part of the contract
                    List<JsonNode> sorted = new ArrayList<>();
                    value.forEach(sorted::add);
                    sorted.sort(java.util.Comparator.comparing(JsonNode::asText));
                    value = JsonNodeFactory.instance.arrayNode().addAll(sorted);
                }
                o.set(normalise(e.getKey()), value);
            }
            return o;
        }
        return n;
    }
}
