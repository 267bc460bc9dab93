package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every limit's decision is taken again the same way when the ingest log is replayed after a hard
 * kill: nothing is committed before the kill here (the flush interval is an hour), so the second
 * process rebuilds its state, and its admitted sets, from the log alone.
 */
class LimitsReplayTest {
    private static final String CONFIG = """
            aggregation:
              flush_interval: 1h
            limits:
              max_models: 3
              max_versions_per_model: 2
              max_segment_keys_per_model: 1
              max_segment_values_per_key: 2
              max_features_per_model: 2
              max_classes_per_model: 3
            """;
    private static final String[] QUERIES = {
        "/api/v1/models/m/summary", "/api/v1/models/m/summary?segment=region:__other__",
        "/api/v1/models/m/summary?segment=region:eu", "/api/v1/models/m/summary?segment=__other__:__other__",
        "/api/v1/models/m/summary?version=__other__", "/api/v1/models/zoo/summary", "/api/v1/models/m",
    };
    private static final String[] COUNTERS = {
        "modelwatch_limit_folded_values_total{limit=\"segment_values\",model=\"m\"}",
        "modelwatch_limit_folded_values_total{limit=\"segment_keys\",model=\"m\"}",
        "modelwatch_limit_folded_values_total{limit=\"versions\",model=\"m\"}",
        "modelwatch_limit_folded_values_total{limit=\"classes\",model=\"zoo\"}",
    };

    @TempDir
    Path dir;

    private static String traffic() {
        StringBuilder sb = new StringBuilder();
        String[] regions = {"eu", "us", "asia", "eu", "africa", "us", "oceania"};
        for (int i = 0; i < regions.length; i++) {
            sb.append("{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"r").append(i).append("\",\"version\":\"v")
                    .append(1 + i % 3).append("\",\"features\":{\"x\":").append(i).append(",\"y\":\"a\"},")
                    .append("\"prediction\":1,\"score\":0.").append(i + 1).append(",\"segments\":{")
                    .append(i % 2 == 0 ? "\"region\":\"" + regions[i] + "\"" : "\"device\":\"d" + i + "\"")
                    .append("}}\n");
        }
        sb.append("{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"w\",\"features\":{\"z\":1},\"prediction\":1}\n");
        String[] predicted = {"cat", "dog", "fox", "owl", "cat"};
        String[] actual = {"cat", "dog", "cat", "owl", "eel"};
        for (int i = 0; i < predicted.length; i++) {
            sb.append("{\"type\":\"prediction\",\"model\":\"zoo\",\"id\":\"z").append(i).append("\",\"prediction\":\"")
                    .append(predicted[i]).append("\",\"scores\":{\"cat\":0.4,\"dog\":0.3,\"fox\":0.2,\"owl\":0.1}}\n");
            sb.append("{\"type\":\"label\",\"model\":\"zoo\",\"id\":\"z").append(i).append("\",\"label\":\"")
                    .append(actual[i]).append("\"}\n");
        }
        for (String model : new String[] {"third", "fourth"}) {
            sb.append("{\"type\":\"prediction\",\"model\":\"").append(model).append("\",\"prediction\":2.5}\n");
        }
        return sb.toString();
    }

    /**
     * What the limits decided, as the API shows it: counts, confusion matrices, output classes and
     * versions per query (not every float: a restart merges the same events in another grouping).
     */
    private static Map<String, String> state(ServerProcess server) throws Exception {
        Map<String, String> state = new LinkedHashMap<>();
        for (String q : QUERIES) {
            JsonNode answer = server.json(q);
            java.util.List<String> versions = new java.util.ArrayList<>();
            answer.path("versions").forEach(v -> versions.add(v.asText()));
            java.util.Collections.sort(versions);
            state.put(q, "count=" + answer.path("count") + " labeled=" + answer.path("labeled")
                    + " predictions=" + answer.path("prediction_count") + " versions=" + versions
                    + " confusion=" + answer.path("confusion_matrix") + " output=" + answer.path("output").path("top")
                    + " features=" + answer.path("features").size());
        }
        for (String c : COUNTERS) {
            state.put(c, Double.toString(server.metric(c)));
        }
        state.put("models", server.json("/api/v1/models").findValuesAsText("name").toString());
        return state;
    }

    @Test
    void aReplayAfterAHardKillFoldsAndRejectsExactlyAsTheRunningServerDid() throws Exception {
        Path data = dir.resolve("data");
        ServerProcess server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-1.log"));
        try {
            HttpResponse<String> r = server.postNdjson(traffic());
            JsonNode answer = TestServer.JSON.readTree(r.body());
            assertThat(answer.path("rejected").asInt()).as(r.body()).isEqualTo(2);
            assertThat(answer.path("errors").toString()).contains("limits.max_features_per_model")
                    .contains("limits.max_models");
            Map<String, String> before = state(server);
            assertThat(before.get(COUNTERS[0])).isEqualTo("2.0");
            assertThat(before.get(QUERIES[1])).contains("count=2 ");
            assertThat(before.get(QUERIES[5])).contains("confusion={\"__other__\":{\"__other__\":1,\"cat\":1}");
            assertThat(before.get("models")).isEqualTo("[m, third, zoo]");
            server.kill();

            server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-2.log"));
            assertThat(state(server)).isEqualTo(before);
            // the sets the replay rebuilt decide what comes next
            server.postNdjson("{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"n1\",\"version\":\"v9\",\"features\":"
                    + "{\"x\":1},\"prediction\":1,\"score\":0.5,\"segments\":{\"region\":\"eu\"}}\n"
                    + "{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"n2\",\"version\":\"v2\",\"features\":"
                    + "{\"x\":1},\"prediction\":1,\"score\":0.5,\"segments\":{\"region\":\"mars\"}}\n");
            assertThat(server.json(QUERIES[1]).path("count").asLong()).isEqualTo(3);
            assertThat(server.json(QUERIES[2]).path("count").asLong()).isEqualTo(2);
            assertThat(server.json(QUERIES[4]).path("count").asLong()).isEqualTo(3);
        } finally {
            server.close();
        }
    }
}
