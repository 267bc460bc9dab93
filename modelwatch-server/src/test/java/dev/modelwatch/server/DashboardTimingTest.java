package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.modelwatch.server.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast the dashboard is interactive, measured in headless Chromium and printed, not asserted
 * (BENCHMARKS.md records the figures): the overview of {@code -Dmodelwatch.dashboardTiming.models}
 * (500) models, and a model page over 30 days of one-minute windows (hourly roll-ups beyond the
 * base retention). Runs only with {@code -Dmodelwatch.dashboardTiming=true}: it ingests 43,200
 * windows first.
 */
class DashboardTimingTest {
    private static final long MINUTE = 60_000L;
    private static final long DAY = 1_440 * MINUTE;

    @Test
    void overviewOf500ModelsAndAModelPageOver30Days(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("modelwatch.dashboardTiming"), "-Dmodelwatch.dashboardTiming=true");
        int models = Integer.getInteger("modelwatch.dashboardTiming.models", 500);
        long now = System.currentTimeMillis();
        long end = Math.floorDiv(now, MINUTE) * MINUTE;
        long start = end - 30 * DAY;
        try (Browser browser = Browser.start(1280, 800);
             TestServer server = TestServer.start(ConfigLoader.parse("""
                     models:
                       big: {task: binary_classification, positive_class: "1", window: 1m}
                     limits: {max_models: 1000}
                     """, "modelwatch.yml").withDataDir(dir))) {
            ArrayNode batch = TestServer.JSON.createArrayNode();
            for (int m = 0; m < models; m++) {
                for (int i = 0; i < 3; i++) {
                    batch.addObject().put("type", "prediction").put("model", String.format("model-%03d", m))
                            .put("id", m + "-" + i).put("timestamp", end - (i + 1) * 10 * MINUTE).put("prediction", i % 2)
                            .put("score", 0.3).put("latency_ms", 5 + i).putObject("features").put("x", i);
                }
            }
            assertThat(server.postJson(batch.toString()).json().path("rejected").asInt()).isZero();
            for (long t = start; t < end; ) {
                ArrayNode day = TestServer.JSON.createArrayNode();
                for (int k = 0; k < 1_440 && t < end; k++, t += MINUTE) {
                    day.addObject().put("type", "prediction").put("model", "big").put("id", "b" + t).put("timestamp", t + 1_000)
                            .put("prediction", 1).put("score", 0.8).put("latency_ms", 10).putObject("features").put("x", k);
                }
                assertThat(server.postJson(day.toString()).json().path("rejected").asInt()).isZero();
            }
            server.server().awaitAggregated(Duration.ofMinutes(5));

            browser.open(server.base + "/");
            Map<?, ?> first = timing(browser);
            assertThat(browser.driver.findElements(org.openqa.selenium.By.cssSelector("#models tbody tr"))).hasSize(models + 1);
            browser.screenshot("timing-overview-" + models);
            browser.open(server.base + "/");
            Map<?, ?> again = timing(browser);
            browser.open(server.base + "/ui/models/big?range=30d");
            Map<?, ?> page = timing(browser);
            browser.open(server.base + "/ui/models/big?range=30d");
            Map<?, ?> pageAgain = timing(browser);
            Number points = (Number) browser.js("return window.modelwatch.charts.latency.data[1].filter(v => v != null).length");
            browser.screenshot("timing-model-30d");
            System.out.println("DASHBOARD TIMING overview of " + (models + 1) + " models (first visit): " + first);
            System.out.println("DASHBOARD TIMING overview again: " + again);
            System.out.println("DASHBOARD TIMING model page over 30 days (" + points + " hourly points): " + page);
            System.out.println("DASHBOARD TIMING model page again: " + pageAgain);
        }
    }

    /** Time to interactive (navigation start to the page's data drawn) and the bytes it transferred. */
    private static Map<?, ?> timing(Browser browser) {
        return (Map<?, ?>) browser.js("const entries = performance.getEntriesByType('navigation')"
                + ".concat(performance.getEntriesByType('resource'));"
                + "return {ready_ms: Math.round(window.modelwatch.readyMs),"
                + " transferred_bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),"
                + " decoded_bytes: entries.reduce((s, e) => s + (e.decodedBodySize || 0), 0),"
                + " requests: entries.length, slowest: entries.filter(e => e.name.includes('/api/'))"
                + ".sort((a, b) => b.duration - a.duration).slice(0, 4)"
                + ".map(e => Math.round(e.duration) + ' ms ' + e.name.replace(location.origin, '').slice(0, 90))};");
    }
}
