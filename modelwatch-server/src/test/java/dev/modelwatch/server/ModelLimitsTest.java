package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each limit of {@code limits:} (docs/configuration.md, Limits): past it the server keeps working
 * and either rejects the event with the limit and the field or counts it under {@code __other__};
 * each decision is counted in /metrics and still holds after a restart (the admitted sets are
 * stored with the profiles). The replay of uncommitted events after a crash is covered by
 * {@link LimitsReplayTest}.
 */
class ModelLimitsTest {
    private static final String LIMITS = """
            limits:
              max_models: 2
              max_versions_per_model: 2
              max_segment_keys_per_model: 1
              max_segment_values_per_key: 2
              max_features_per_model: 3
              max_classes_per_model: 3
            """;

    @TempDir
    Path dir;

    private TestServer start() {
        ServerConfig config = ConfigLoader.parse(LIMITS, "test.yml").withDataDir(dir);
        return TestServer.start(config);
    }

    /** A prediction of {@code model} now, with optional extras (JSON members after the comma). */
    static String prediction(String model, String id, String extra) {
        return "{\"type\":\"prediction\",\"model\":\"" + model + "\",\"id\":\"" + id + "\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"prediction\":1,\"score\":0.8" + (extra.isEmpty() ? "" : "," + extra)
                + "}";
    }

    private static String array(String... events) {
        return "[" + String.join(",", events) + "]";
    }

    static double metric(TestServer server, String line) {
        for (String l : server.get("/metrics").body().split("\n")) {
            if (l.startsWith(line + " ")) {
                return Double.parseDouble(l.substring(line.length() + 1));
            }
        }
        return 0;
    }

    private static JsonNode summary(TestServer server, String model, String query) throws Exception {
        server.server().awaitAggregated(Duration.ofSeconds(30));
        TestServer.Response r = server.get("/api/v1/models/" + model + "/summary" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void anEventOfAModelPastMaxModelsIsRejectedWithTheLimitAndAfterARestartToo() throws Exception {
        TestServer server = start();
        try {
            TestServer.Response r = server.postJson(array(prediction("a", "1", ""), prediction("b", "1", ""),
                    prediction("c", "1", ""),
                    "{\"type\":\"label\",\"model\":\"d\",\"id\":\"1\",\"label\":1}"));
            JsonNode answer = r.json();
            assertThat(answer.path("accepted").asInt()).isEqualTo(2);
            assertThat(answer.path("rejected").asInt()).isEqualTo(2);
            assertThat(answer.path("errors").get(0).path("index").asInt()).isEqualTo(2);
            assertThat(answer.path("errors").get(0).path("error").asText())
                    .contains("model: 'c' is not tracked").contains("limits.max_models = 2");
            assertThat(answer.path("errors").get(1).path("index").asInt()).isEqualTo(3);
            assertThat(metric(server, "modelwatch_limit_rejected_events_total{limit=\"models\",model=\"\"}"))
                    .isEqualTo(2);

            TestServer.Response declared = server.put("/api/v1/models/e", "{\"task\":\"regression\"}");
            assertThat(declared.status()).isEqualTo(409);
            assertThat(declared.json().path("error").asText()).contains("limits.max_models = 2");

            server = server.restart();
            r = server.postJson(array(prediction("a", "2", ""), prediction("c", "2", "")));
            assertThat(r.json().path("accepted").asInt()).isEqualTo(1);
            assertThat(r.json().path("errors").get(0).path("error").asText()).contains("limits.max_models");
            assertThat(server.get("/api/v1/models/c").status()).isEqualTo(404);
            assertThat(summary(server, "a", "").path("count").asLong()).isEqualTo(2);
        } finally {
            server.close();
        }
    }

    @Test
    void aPredictionBringingItsModelPastMaxFeaturesIsRejectedWholeAndTheAdmittedFeaturesStay() throws Exception {
        TestServer server = start();
        try {
            assertThat(server.postJson(prediction("m", "1", "\"features\":{\"x\":1,\"y\":2,\"z\":\"a\"}")).json()
                    .path("accepted").asInt()).isEqualTo(1);
            JsonNode answer = server.postJson(array(prediction("m", "2", "\"features\":{\"x\":1,\"w\":2}"),
                    prediction("m", "3", "\"features\":{\"y\":5,\"z\":\"b\"}"))).json();
            assertThat(answer.path("accepted").asInt()).isEqualTo(1);
            assertThat(answer.path("errors").get(0).path("index").asInt()).isZero();
            assertThat(answer.path("errors").get(0).path("error").asText()).startsWith("features.w: ")
                    .contains("model 'm' has 3 features").contains("limits.max_features_per_model = 3");
            assertThat(metric(server, "modelwatch_limit_rejected_events_total{limit=\"features\",model=\"m\"}"))
                    .isEqualTo(1);

            server = server.restart();
            answer = server.postJson(array(prediction("m", "4", "\"features\":{\"w\":1}"),
                    prediction("m", "5", "\"features\":{\"x\":3}"))).json();
            assertThat(answer.path("accepted").asInt()).isEqualTo(1);
            assertThat(answer.path("errors").get(0).path("error").asText()).startsWith("features.w: ");
            JsonNode s = summary(server, "m", "");
            assertThat(s.path("count").asLong()).isEqualTo(3);
            assertThat(s.path("features").has("w")).isFalse();
        } finally {
            server.close();
        }
    }

    @Test
    void segmentValuesPastTheLimitAreCountedUnderOtherAlsoAfterARestart() throws Exception {
        TestServer server = start();
        try {
            List<String> events = new ArrayList<>();
            for (String region : new String[] {"eu", "us", "asia", "eu", "africa"}) {
                events.add(prediction("m", "p" + events.size(), "\"segments\":{\"region\":\"" + region + "\"}"));
            }
            assertThat(server.postJson(array(events.toArray(String[]::new))).json().path("accepted").asInt())
                    .isEqualTo(5);
            assertThat(summary(server, "m", "?segment=region:eu").path("count").asLong()).isEqualTo(2);
            assertThat(summary(server, "m", "?segment=region:us").path("count").asLong()).isEqualTo(1);
            assertThat(summary(server, "m", "?segment=region:__other__").path("count").asLong()).isEqualTo(2);
            assertThat(summary(server, "m", "?segment=region:asia").path("count").asLong()).isZero();
            assertThat(metric(server, "modelwatch_limit_folded_values_total{limit=\"segment_values\",model=\"m\"}"))
                    .isEqualTo(2);

            server = server.restart();
            server.postJson(array(prediction("m", "q1", "\"segments\":{\"region\":\"us\"}"),
                    prediction("m", "q2", "\"segments\":{\"region\":\"oceania\"}")));
            assertThat(summary(server, "m", "?segment=region:us").path("count").asLong()).isEqualTo(2);
            assertThat(summary(server, "m", "?segment=region:__other__").path("count").asLong()).isEqualTo(3);
            assertThat(summary(server, "m", "").path("count").asLong()).isEqualTo(7);
        } finally {
            server.close();
        }
    }

    @Test
    void segmentKeysPastTheLimitAreCountedUnderTheOtherSegment() throws Exception {
        try (TestServer server = start()) {
            server.postJson(array(prediction("m", "1", "\"segments\":{\"region\":\"eu\"}"),
                    prediction("m", "2", "\"segments\":{\"device\":\"ios\"}"),
                    prediction("m", "3", "\"segments\":{\"region\":\"eu\",\"device\":\"web\",\"plan\":\"pro\"}")));
            assertThat(summary(server, "m", "?segment=region:eu").path("count").asLong()).isEqualTo(2);
            assertThat(summary(server, "m", "?segment=__other__:__other__").path("count").asLong()).isEqualTo(2);
            assertThat(summary(server, "m", "?segment=device:ios").path("count").asLong()).isZero();
            assertThat(metric(server, "modelwatch_limit_folded_values_total{limit=\"segment_keys\",model=\"m\"}"))
                    .isEqualTo(3);
        }
    }

    @Test
    void versionsPastTheLimitAreCountedAsVersionOther() throws Exception {
        TestServer server = start();
        try {
            server.postJson(array(prediction("m", "1", "\"version\":\"v1\""), prediction("m", "2", "\"version\":\"v2\""),
                    prediction("m", "3", "\"version\":\"v3\""), prediction("m", "4", "\"version\":\"v1\"")));
            assertThat(summary(server, "m", "?version=__other__").path("count").asLong()).isEqualTo(1);
            assertThat(summary(server, "m", "?version=v1").path("count").asLong()).isEqualTo(2);
            List<String> versions = new ArrayList<>();
            server.get("/api/v1/models/m").json().path("versions").forEach(v -> versions.add(v.asText()));
            assertThat(versions).containsExactlyInAnyOrder("__other__", "v1", "v2");
            assertThat(metric(server, "modelwatch_limit_folded_values_total{limit=\"versions\",model=\"m\"}"))
                    .isEqualTo(1);

            server = server.restart();
            server.postJson(array(prediction("m", "5", "\"version\":\"v4\""), prediction("m", "6", "\"version\":\"v2\"")));
            assertThat(summary(server, "m", "?version=__other__").path("count").asLong()).isEqualTo(2);
            assertThat(summary(server, "m", "?version=v2").path("count").asLong()).isEqualTo(2);
        } finally {
            server.close();
        }
    }

    @Test
    void classesPastTheLimitAreCountedAsClassOtherInPredictionsLabelsAndScores() throws Exception {
        try (TestServer server = start()) {
            List<String> events = new ArrayList<>();
            String[] predicted = {"cat", "dog", "fox", "owl", "cat"};
            String[] actual = {"cat", "dog", "cat", "owl", "eel"};
            for (int i = 0; i < predicted.length; i++) {
                events.add("{\"type\":\"prediction\",\"model\":\"zoo\",\"id\":\"z" + i + "\",\"prediction\":\""
                        + predicted[i] + "\",\"scores\":{\"cat\":0.4,\"dog\":0.3,\"fox\":0.2,\"owl\":0.1}}");
                events.add("{\"type\":\"label\",\"model\":\"zoo\",\"id\":\"z" + i + "\",\"label\":\"" + actual[i] + "\"}");
            }
            assertThat(server.postJson(array(events.toArray(String[]::new))).json().path("accepted").asInt())
                    .isEqualTo(10);
            JsonNode confusion = summary(server, "zoo", "").path("confusion_matrix");
            assertThat(confusion.path("cat").path("cat").asLong()).isEqualTo(1);
            assertThat(confusion.path("cat").path("fox").asLong()).isEqualTo(1);
            assertThat(confusion.path("__other__").path("__other__").asLong()).as("owl predicted, owl true").isEqualTo(1);
            assertThat(confusion.path("__other__").path("cat").asLong()).as("cat predicted, eel true").isEqualTo(1);
            assertThat(confusion.has("owl")).isFalse();
            assertThat(metric(server, "modelwatch_limit_folded_values_total{limit=\"classes\",model=\"zoo\"}"))
                    .as("the owl prediction, its label, the eel label, and five score maps with owl").isEqualTo(8);
        }
    }

    @Test
    void pastMaxQueuedEventBytesARequestWaitsThenGetsA429() throws Exception {
        String yaml = """
                ingest: {max_queue_wait: 1s}
                limits: {max_queued_event_bytes: 1048576, max_features_per_model: 1000}
                """;
        try (TestServer server = TestServer.start(ConfigLoader.parse(yaml, "test.yml").withDataDir(dir))) {
            // hold the aggregator still: what is acknowledged now waits in the queue
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            server.server().aggregator().ask(a -> {
                try {
                    return release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            // 200 events of 400 features: far fewer events than ingest.max_queued_events, over 1 MiB of heap
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                StringBuilder f = new StringBuilder("\"features\":{");
                for (int k = 0; k < 400; k++) {
                    f.append(k == 0 ? "" : ",").append("\"f").append(k).append("\":").append(k);
                }
                events.add(prediction("wide", "w" + i, f.append("}").toString()));
            }
            assertThat(server.postJson(array(events.toArray(String[]::new))).status()).isEqualTo(200);
            TestServer.Response refused = server.postJson(prediction("wide", "late", ""));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.body()).contains("200 events are waiting").contains("MiB");
            release.countDown();
            server.server().awaitAggregated(Duration.ofSeconds(30));
            assertThat(server.postJson(prediction("wide", "late", "")).status()).isEqualTo(200);
        }
    }
}
