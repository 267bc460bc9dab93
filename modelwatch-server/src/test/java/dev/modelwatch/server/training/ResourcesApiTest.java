package dev.modelwatch.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/resources}: a run's GPU and host series over its time span, down-sampled with
 * their extremes kept, filtered by run, host, model and name; bad parameters named.
 */
class ResourcesApiTest {
    @TempDir
    Path dir;

    private static String metric(String name, double value, String model, String labels, long ts) {
        return "{\"type\":\"metric\",\"name\":\"" + name + "\",\"value\":" + (Double.isNaN(value) ? "NaN" : value)
                + (model == null ? "" : ",\"model\":\"" + model + "\"") + ",\"labels\":{" + labels + "},\"timestamp\":"
                + ts + "}";
    }

    private static JsonNode awaitEvents(TestServer server, String query, long events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode answer;
        while ((answer = server.get("/api/v1/resources?" + query).json()).path("events").asLong() < events) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the resource events were not stored: " + answer);
            }
            Thread.sleep(50);
        }
        return answer;
    }

    @Test
    void aRunsResourcesAreDownSampledWithTheirExtremes() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            long t0 = System.currentTimeMillis() - 600_000; // ten minutes ago, a reading a second
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                double util = i == 300 ? 100 : 50 + (i % 10);
                events.add(metric("gpu_utilization", util, "digits", "\"host\":\"gpu-1\",\"gpu\":\"0\",\"run\":\"r1\"", t0 + i * 1000L));
                events.add(metric("host_cpu_utilization", i == 450 ? Double.NaN : 20, null,
                        "\"host\":\"gpu-1\",\"run\":\"r1\"", t0 + i * 1000L));
                events.add(metric("gpu_utilization", 5, "other", "\"host\":\"gpu-2\",\"gpu\":\"0\",\"run\":\"r2\"", t0 + i * 1000L));
            }
            // the run's training steps span the same ten minutes
            events.add("{\"type\":\"training\",\"model\":\"digits\",\"run\":\"r1\",\"step\":0,\"timestamp\":" + t0
                    + ",\"metrics\":{\"loss\":2}}");
            events.add("{\"type\":\"training\",\"model\":\"digits\",\"run\":\"r1\",\"step\":1,\"timestamp\":" + (t0 + 599_000)
                    + ",\"metrics\":{\"loss\":1}}");
            assertThat(server.postJson("[" + String.join(",", events) + "]").json().path("accepted").asInt())
                    .isEqualTo(1802);

            String range = "&from=" + t0 + "&to=" + (t0 + 600_000);
            JsonNode all = awaitEvents(server, "points=60" + range, 1800);
            assertThat(all.path("bucket_ms").asLong()).isEqualTo(10_000);
            assertThat(all.path("series")).hasSize(3);
            assertThat(all.path("truncated").asBoolean()).isFalse();

            // by run, without a range: the run's span and a minute either side
            JsonNode r1 = server.get("/api/v1/resources?run=r1&points=60").json();
            assertThat(r1.path("from").asText()).isEqualTo(java.time.Instant.ofEpochMilli(t0 - 60_000).toString());
            assertThat(r1.path("series")).hasSize(2);
            JsonNode gpu = r1.path("series").get(0);
            assertThat(gpu.path("name").asText()).isEqualTo("gpu_utilization");
            assertThat(gpu.path("model").asText()).isEqualTo("digits");
            assertThat(gpu.path("labels").path("gpu").asText()).isEqualTo("0");
            double max = 0;
            long count = 0;
            for (JsonNode p : gpu.path("points")) {
                max = Math.max(max, p.get(3).asDouble());
                count += p.get(4).asLong();
                assertThat(p.get(2).asDouble()).isLessThanOrEqualTo(p.get(1).asDouble());
            }
            // 60 buckets over the run's 12 minutes (its 10 and a minute each side): the readings fill 50 or 51
            assertThat(gpu.path("points").size()).isBetween(50, 51);
            assertThat(max).isEqualTo(100); // the single spike survives down-sampling
            assertThat(count).isEqualTo(600);
            JsonNode cpu = r1.path("series").get(1);
            assertThat(cpu.path("name").asText()).isEqualTo("host_cpu_utilization");
            assertThat(cpu.path("non_finite").asLong()).isEqualTo(1);

            assertThat(server.get("/api/v1/resources?host=gpu-2" + range).json().path("series")).hasSize(1);
            assertThat(server.get("/api/v1/resources?model=other" + range).json().path("series").get(0)
                    .path("labels").path("run").asText()).isEqualTo("r2");
            JsonNode named = server.get("/api/v1/resources?metrics=host_cpu_utilization" + range).json();
            assertThat(named.path("series")).hasSize(1);

            TestServer.Response bad = server.get("/api/v1/resources?points=0");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().path("error").asText()).startsWith("points: must be an integer between 1 and 2000");
            TestServer.Response badTime = server.get("/api/v1/resources?from=yesterday");
            assertThat(badTime.status()).isEqualTo(400);
            assertThat(badTime.json().path("error").asText()).startsWith("from: 'yesterday'");
            assertThat(server.get("/api/v1/resources?from=2000&to=1000").json().path("error").asText())
                    .startsWith("from: must be before to");
        }
    }
}
