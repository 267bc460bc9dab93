package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics serves each model's metrics over the trailing {@code metrics.exposition_window} (15 m by
 * default) from data points it keeps between scrapes: they must follow the model's new events, its
 * windows leaving the range, and a model that did not change must keep its values.
 */
class ModelMetricsExpositionTest {
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;

    private static String predictions(String model, String idPrefix, int n, long ts, int latencyMs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"").append(model)
                    .append("\",\"version\":\"v1\",\"id\":\"").append(idPrefix).append(i).append("\",\"timestamp\":")
                    .append(ts).append(",\"prediction\":1,\"score\":0.8,\"latency_ms\":").append(latencyMs).append("}");
        }
        return sb.append("]").toString();
    }

    private static void send(TestServer server, String json, int accepted) throws InterruptedException {
        assertThat(server.postJson(json).json().path("accepted").asInt()).isEqualTo(accepted);
        server.server().awaitAggregated(Duration.ofSeconds(30));
    }

    /** The value of {@code modelwatch_model_<metric>} of a model's version v1, or null when not exposed. */
    private static Double gauge(TestServer server, String metric, String model) {
        String prefix = "modelwatch_model_" + metric + "{model=\"" + model + "\",version=\"v1\"} ";
        for (String line : server.get("/metrics").body().split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(prefix.length()));
            }
        }
        return null;
    }

    @Test
    void aScrapeServesTheModelsNewWindowsAndDropsTheWindowsThatLeftTheRange() throws Exception {
        long t0 = 20_500 * 86_400_000L + 30_000; // 2026-02-16T00:00:30Z
        ManualClock clock = new ManualClock(t0);
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), clock)) {
            send(server, predictions("moving", "a", 3, t0, 10), 3);
            send(server, predictions("still", "s", 2, t0, 40), 2);
            assertThat(gauge(server, "count", "moving")).isEqualTo(3.0);
            assertThat(gauge(server, "latency_max_ms", "moving")).isEqualTo(10.0);
            assertThat(gauge(server, "count", "still")).isEqualTo(2.0);

            // a new window of one model: its values follow, the other's stay
            clock.advance(Duration.ofMinutes(1));
            send(server, predictions("moving", "b", 2, t0 + MINUTE, 30), 2);
            assertThat(gauge(server, "count", "moving")).as("the new window's events").isEqualTo(5.0);
            assertThat(gauge(server, "latency_max_ms", "moving")).isEqualTo(30.0);
            assertThat(gauge(server, "count", "still")).isEqualTo(2.0);

            // a late event into the first window, which already served its values
            send(server, predictions("moving", "late", 1, t0 + 1_000, 50), 1);
            assertThat(gauge(server, "count", "moving")).as("the late event").isEqualTo(6.0);
            assertThat(gauge(server, "latency_max_ms", "moving")).isEqualTo(50.0);

            // at 00:16, the first window (00:00-00:01) left the trailing range, the second has not
            clock.set(t0 + 15 * MINUTE + 30_000);
            assertThat(gauge(server, "count", "moving")).as("the first window left the range").isEqualTo(2.0);
            assertThat(gauge(server, "latency_max_ms", "moving")).isEqualTo(30.0);
            assertThat(gauge(server, "count", "still")).as("the only window left the range").isNull();

            // and once every window left it, the model has no gauges
            clock.set(t0 + 16 * MINUTE + 30_000);
            assertThat(gauge(server, "count", "moving")).isNull();
        }
    }
}
