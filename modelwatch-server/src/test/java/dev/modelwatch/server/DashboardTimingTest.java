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
    @SuppressWarnings("unchecked")
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
            // the windows (and their roll-ups) committed before the visits, not while they are timed
            server.server().aggregator().flushNow().get();

            Map<?, ?> first = visit(browser, server.base + "/");
            assertThat(browser.driver.findElements(org.openqa.selenium.By.cssSelector("#models tbody tr"))).hasSize(models + 1);
            browser.screenshot("timing-overview-" + models);
            Map<?, ?> again = visit(browser, server.base + "/");
            Map<?, ?> page = visit(browser, server.base + "/ui/models/big?range=30d");
            Map<?, ?> pageAgain = visit(browser, server.base + "/ui/models/big?range=30d");
            Number points = (Number) browser.js("return window.modelwatch.charts.latency.data[1].filter(v => v != null).length");
            browser.screenshot("timing-model-30d");
            System.out.println("DASHBOARD TIMING overview of " + (models + 1) + " models (first visit): " + first);
            System.out.println("DASHBOARD TIMING overview again: " + again);
            System.out.println("DASHBOARD TIMING model page over 30 days (" + points + " hourly points): " + page);
            System.out.println("DASHBOARD TIMING model page again: " + pageAgain);
        }
    }

    /**
     * Opens {@code url} and returns its time to interactive (navigation start to the page's data drawn),
     * the bytes it transferred, each API request's server time (request sent to first byte back: the
     * server answers once its body is computed) and the CPU time this JVM (the server; Chromium runs in
     * its own processes) spent meanwhile, with the machine's load average: under load, wall times grow
     * and CPU times do not.
     */
    private static Map<String, Object> visit(Browser browser, String url) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        browser.open(url);
        long cpuMs = (os.getProcessCpuTime() - cpu) / 1_000_000;
        Map<String, Object> out = new java.util.LinkedHashMap<>((Map<String, Object>) browser.js(
                "const entries = performance.getEntriesByType('navigation')"
                + ".concat(performance.getEntriesByType('resource'));"
                + "return {ready_ms: Math.round(window.modelwatch.readyMs),"
                + " transferred_bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),"
                + " decoded_bytes: entries.reduce((s, e) => s + (e.decodedBodySize || 0), 0),"
                + " requests: entries.length, server_ms: entries.filter(e => e.name.includes('/api/'))"
                + ".sort((a, b) => (b.responseStart - b.requestStart) - (a.responseStart - a.requestStart))"
                + ".map(e => Math.round(e.responseStart - e.requestStart) + ' ms '"
                + " + e.name.replace(location.origin, '').replace(/from=[^&]*&to=[^&]*&?/, '').slice(0, 80))};"));
        out.put("server_cpu_ms", cpuMs);
        out.put("load_average", os.getSystemLoadAverage());
        return out;
    }
}
