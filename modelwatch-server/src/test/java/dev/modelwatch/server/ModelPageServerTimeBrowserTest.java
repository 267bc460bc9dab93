package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model page's default range (the last hour) and an open-ended range (the link of an alert that
 * still fires: a start, no end) end at the server's time, not the browser's, in a real headless
 * Chromium: a server whose clock runs 30 days ahead of the browser's (a demo's, or one whose event
 * time differs) draws its last hour of traffic.
 */
class ModelPageServerTimeBrowserTest {
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;

    @Test
    void theDefaultRangeIsTheLastHourOfTheServersClock() throws Exception {
        long serverNow = (System.currentTimeMillis() + Duration.ofDays(30).toMillis()) / MINUTE * MINUTE;
        ManualClock clock = new ManualClock(serverNow);
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), clock);
             Browser browser = Browser.start(1280, 1600)) {
            assertThat(server.put("/api/v1/models/fraud",
                    "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}").status()).isEqualTo(200);
            long start = serverNow - 50 * MINUTE;
            List<String> events = new ArrayList<>();
            for (int m = 0; m < 50; m++) {
                events.add("{\"type\":\"prediction\",\"model\":\"fraud\",\"id\":\"p" + m + "\",\"timestamp\":"
                        + (start + m * MINUTE + 1000) + ",\"features\":{\"amount\":" + (100 + m)
                        + "},\"prediction\":\"1\",\"latency_ms\":" + (20 + m % 3) + "}");
            }
            JsonNode answer = server.postJson("[" + String.join(",", events) + "]").json();
            assertThat(answer.path("rejected").asInt()).as(answer.toString()).isZero();
            server.server().awaitAggregated(Duration.ofMinutes(1));

            browser.open(server, "/ui/models/fraud");
            assertLatencyDrawnWithin(browser, serverNow - 60 * MINUTE, serverNow + 1);
            browser.screenshot("model-server-time");

            // a still-firing alert's link: from an hour before it started, no end
            browser.open(server, "/ui/models/fraud?range=custom&from=" + (serverNow - 30 * MINUTE));
            assertLatencyDrawnWithin(browser, serverNow - 30 * MINUTE, serverNow + 1);
        }
    }

    /** The latency chart has points, all within {@code [fromMs, toMs]} (uPlot's x values are seconds). */
    private static void assertLatencyDrawnWithin(Browser browser, long fromMs, long toMs) {
        @SuppressWarnings("unchecked")
        List<Number> xs = (List<Number>) browser.js("const c = window.modelwatch.charts.latency;"
                + " return c ? c.data[0].filter((x, i) => c.data[1][i] != null) : [];");
        assertThat(xs).as("latency points drawn").isNotEmpty();
        assertThat(xs.get(0).doubleValue()).isGreaterThanOrEqualTo(fromMs / 1000.0);
        assertThat(xs.get(xs.size() - 1).doubleValue()).isLessThanOrEqualTo(toMs / 1000.0);
    }
}
