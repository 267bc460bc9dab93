package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ingest endpoint over real HTTP: formats, per-event errors, limits and idempotent replays. */
class IngestApiTest {
    @RegisterExtension
    static final ServerFixture SERVER = ServerFixture.defaults();

    private static String prediction(String model, String id, String extra) {
        return "{\"type\":\"prediction\",\"model\":\"" + model + "\",\"id\":\"" + id + "\",\"timestamp\":"
                + (System.currentTimeMillis() - 1000) + ",\"features\":{\"x\":1.5,\"c\":\"a\"},\"prediction\":1,\"score\":0.8"
                + extra + "}";
    }

    private static long count(TestServer server, String model) {
        JsonNode s = server.get("/api/v1/models/" + model + "/summary").json();
        return s.path("count").asLong();
    }

    @Test
    void acceptsOneObjectAnArrayNdjsonAndGzip(TestServer server) {
        TestServer.Response one = server.postJson(prediction("fmt", "a1", ""));
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().path("accepted").asInt()).isEqualTo(1);

        TestServer.Response array = server.postJson("[" + prediction("fmt", "a2", "") + "," + prediction("fmt", "a3", "") + "]");
        assertThat(array.json().path("accepted").asInt()).isEqualTo(2);

        String nd = prediction("fmt", "a4", "") + "\n\n" + prediction("fmt", "a5", "") + "\r\n";
        TestServer.Response ndjson = server.post("/api/v1/events", "application/x-ndjson", nd.getBytes(StandardCharsets.UTF_8));
        assertThat(ndjson.json().path("accepted").asInt()).isEqualTo(2);

        byte[] gz = TestServer.gzip(("[" + prediction("fmt", "a6", "") + "]").getBytes(StandardCharsets.UTF_8));
        TestServer.Response gzip = server.post("/api/v1/events", "application/json", gz, "Content-Encoding", "gzip");
        assertThat(gzip.json().path("accepted").asInt()).isEqualTo(1);

        assertThat(count(server, "fmt")).isEqualTo(6);
    }

    @Test
    void replayedPredictionsAndLabelsAreAcceptedButCountedOnce(TestServer server) {
        String batch = "[" + prediction("replay", "r1", "") + "," + prediction("replay", "r2", "")
                + ",{\"type\":\"label\",\"model\":\"replay\",\"id\":\"r1\",\"label\":1}]";
        for (int i = 0; i < 3; i++) {
            TestServer.Response r = server.postJson(batch);
            assertThat(r.json().path("accepted").asInt()).isEqualTo(3);
        }
        JsonNode s = server.get("/api/v1/models/replay/summary").json();
        assertThat(s.path("count").asLong()).isEqualTo(2);
        assertThat(s.path("labeled").asLong()).isEqualTo(1);
    }

    @Test
    void invalidEventsAreRejectedWithIndexAndReasonWhileValidOnesInTheSameBatchAreKept(TestServer server) {
        long now = System.currentTimeMillis();
        List<String> events = new ArrayList<>();
        events.add(prediction("mixed", "ok-1", ""));                                                      // 0 ok
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"prediction\":1,\"latency_ms\":-5}");   // 1 negative latency
        events.add("{\"type\":\"teleport\",\"model\":\"mixed\"}");                                        // 2 unknown type
        events.add("{\"type\":\"prediction\",\"model\":\"bad name!\",\"prediction\":1}");                // 3 bad model name
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"prediction\":1,\"latency_ms\":NaN}"); // 4 NaN latency
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"prediction\":1,\"timestamp\":\"yesterday\"}"); // 5
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"prediction\":1,\"features\":{\"x\":{\"deep\":1}}}"); // 6
        events.add("17");                                                                                 // 7 not an object
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"prediction\":1,\"timestamp\":" + (now + 3_600_000) + "}"); // 8
        events.add("{\"type\":\"label\",\"model\":\"mixed\",\"label\":1}");                              // 9 label without id
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"prediction\":1,\"features\":{\"x\":NaN,\"y\":\"Infinity\"}}"); // 10 ok
        events.add("{\"type\":\"prediction\",\"model\":\"mixed\",\"latency_ms\":\"fast\",\"prediction\":1}"); // 11 wrong type
        TestServer.Response r = server.postJson("[" + String.join(",", events) + "]");
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("accepted").asInt()).isEqualTo(2);
        assertThat(body.path("rejected").asInt()).isEqualTo(10);
        List<String> errors = new ArrayList<>();
        body.path("errors").forEach(e -> errors.add(e.path("index").asInt() + " " + e.path("error").asText()));
        assertThat(errors).containsExactly(
                "1 latency_ms: must be a finite number >= 0, got -5.0",
                "2 type: unknown event type 'teleport'; expected prediction, label, training or metric",
                "3 model: 'bad name!' must match [A-Za-z0-9_.-]{1,128}",
                "4 latency_ms: must be a finite number >= 0, got NaN",
                "5 timestamp: 'yesterday' is not an RFC 3339 time like 2026-11-22T10:00:00Z",
                "6 features.x: must be a number, string, boolean or null, got an object",
                "7 event must be a JSON object, got a number",
                "8 timestamp: " + Instant.ofEpochMilli(now + 3_600_000) + " is more than 10 min in the future (ingest.max_future_skew)",
                "9 id: required to join the label to its prediction",
                "11 latency_ms: must be a number, got the string 'fast'");
        JsonNode summary = server.get("/api/v1/models/mixed/summary").json();
        assertThat(summary.path("count").asLong()).isEqualTo(2);
        assertThat(summary.path("features").path("x").path("nan_count").asLong()).isEqualTo(1);
        assertThat(summary.path("features").path("y").path("infinity_count").asLong()).isEqualTo(1);
    }

    @Test
    void malformedBodiesAreA400AndNothingOfThemIsAccepted(TestServer server) {
        TestServer.Response truncated = server.postJson("[" + prediction("malformed", "m1", "") + ",{\"type\":");
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(truncated.json().path("error").asText()).contains("malformed JSON").contains("line 1");
        assertThat(server.postJson("not json").status()).isEqualTo(400);
        assertThat(server.postJson("").json().path("error").asText()).startsWith("empty body");
        TestServer.Response wrongType = server.post("/api/v1/events", "text/plain", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(wrongType.status()).as("a type browsers send cross-site without asking: 415").isEqualTo(415);
        assertThat(wrongType.json().path("error").asText()).contains("Content-Type");
        TestServer.Response badGzip = server.post("/api/v1/events", "application/json",
                "not gzip".getBytes(StandardCharsets.UTF_8), "Content-Encoding", "gzip");
        assertThat(badGzip.status()).isEqualTo(400);
        assertThat(server.get("/api/v1/models/malformed/summary").status()).isEqualTo(404);
    }

    @Test
    void deepNestingIsRejectedClearlyAndTheServerStaysUp(TestServer server) {
        String deep = "[" + "[".repeat(5000) + "]".repeat(5000) + "]";
        TestServer.Response r = server.postJson(deep);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).contains("nesting");
        String nestedFeature = "{\"type\":\"prediction\",\"model\":\"nest\",\"prediction\":1,\"features\":{\"x\":"
                + "{\"a\":".repeat(50) + "1" + "}".repeat(50) + "}}";
        TestServer.Response one = server.postJson("[" + nestedFeature + "," + prediction("nest", "n1", "") + "]");
        assertThat(one.json().path("accepted").asInt()).isEqualTo(1);
        assertThat(one.json().path("errors").get(0).path("error").asText()).startsWith("features.x: must be a number");
        assertThat(server.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void tenThousandFeaturesAreRejectedForThatEventOnly(TestServer server) {
        StringBuilder features = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            features.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
        }
        String wide = "{\"type\":\"prediction\",\"model\":\"wide\",\"prediction\":1,\"features\":{" + features + "}}";
        TestServer.Response r = server.postJson("[" + wide + "," + prediction("wide", "w1", "") + "]");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(1);
        assertThat(r.json().path("errors").get(0).path("error").asText())
                .isEqualTo("features: 10000 features exceed the limit of 1000 (ingest.max_features)");
    }

    @Test
    void aHundredMegabyteBodyIsA413AndTheServerStaysUp(TestServer server) {
        byte[] big = new byte[100 << 20];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '[';
        big[big.length - 1] = ']';
        // the server answers 413 as soon as the body passes the limit and closes the connection; a client
        // still writing the rest may see the close before the answer (as with any server that refuses a
        // body part-way): either is a refusal, and what counts is that nothing was accepted and it stays up
        try {
            TestServer.Response r = server.post("/api/v1/events", "application/json", big);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.json().path("error").asText()).contains("over the limit");
        } catch (AssertionError e) {
            assertThat(e).hasMessageStartingWith("request failed").hasRootCauseInstanceOf(java.io.IOException.class);
        }
        byte[] bomb = TestServer.gzip(big);
        TestServer.Response gz = server.post("/api/v1/events", "application/json", bomb, "Content-Encoding", "gzip");
        assertThat(gz.status()).isEqualTo(413);
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        assertThat(server.postJson(prediction("after-big", "b1", "")).json().path("accepted").asInt()).isEqualTo(1);
    }

    @Test
    void trainingAndMetricEventsAreAcceptedIncludingNonFiniteValues(TestServer server) {
        String body = "[{\"type\":\"training\",\"model\":\"trainer\",\"run\":\"r-1\",\"step\":10,\"epoch\":1,"
                + "\"metrics\":{\"loss\":NaN,\"val_loss\":\"Infinity\",\"lr\":0.001}},"
                + "{\"type\":\"metric\",\"name\":\"gpu_utilization\",\"value\":87.5,\"labels\":{\"host\":\"gpu-1\"}},"
                + "{\"type\":\"training\",\"model\":\"trainer\",\"run\":\"r-1\",\"step\":NaN},"
                + "{\"type\":\"metric\",\"name\":\"bad name\",\"value\":1}]";
        JsonNode r = server.postJson(body).json();
        assertThat(r.path("accepted").asInt()).isEqualTo(2);
        assertThat(r.path("errors").get(0).path("error").asText()).startsWith("step: required, a finite integer");
        assertThat(r.path("errors").get(1).path("error").asText()).startsWith("name: 'bad name' must match");
    }

    @Test
    void errorsAreJsonEverywhere(TestServer server) {
        TestServer.Response notFound = server.get("/api/v1/nothing-here");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.json().path("error").asText()).contains("no such endpoint");
        TestServer.Response unknownModel = server.get("/api/v1/models/nobody/summary");
        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.json().path("error").asText()).isEqualTo("unknown model 'nobody'");
    }
}
