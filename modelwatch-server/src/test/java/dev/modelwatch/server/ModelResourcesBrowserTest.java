package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The model page draws the resources of the hosts that serve the model ({@code GET /api/v1/resources?model=})
 * on its own time range, in a real headless Chromium: the agent's CPU readings of two hosts and GPU
 * readings of two GPUs of one of them, a line each, read back from uPlot's data and compared with the
 * API's points; capacities and the agent's own counters are not drawn. Screenshot under
 * {@code target/screenshots/}.
 */
class ModelResourcesBrowserTest {
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;

    private static String metric(String name, double value, String labels, long ts) {
        return "{\"type\":\"metric\",\"name\":\"" + name + "\",\"value\":" + value + ",\"model\":\"fraud\",\"labels\":{"
                + labels + "},\"timestamp\":" + ts + "}";
    }

    @Test
    void theModelPageDrawsTheServingHostsResourcesOnItsTimeAxis() throws Exception {
        try (TestServer server = TestServer.start(dir); Browser browser = Browser.start(1280, 2400)) {
            assertThat(server.put("/api/v1/models/fraud", "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}")
                    .status()).isEqualTo(200);
            long end = System.currentTimeMillis() / MINUTE * MINUTE;
            long start = end - 60 * MINUTE;
            List<String> events = new ArrayList<>();
            for (int m = 0; m < 60; m++) {
                long ts = start + m * MINUTE;
                events.add("{\"type\":\"prediction\",\"model\":\"fraud\",\"id\":\"p" + m + "\",\"timestamp\":" + (ts + 1000)
                        + ",\"features\":{\"amount\":" + (100 + m) + "},\"prediction\":\"1\",\"latency_ms\":" + (20 + m % 3)
                        + "}");
                for (int s = 0; s < 60; s += 20) { // the agent reads every 20 s
                    events.add(metric("host_cpu_utilization", 30 + m % 5, "\"host\":\"h1\"", ts + s * 1000L));
                    events.add(metric("host_cpu_utilization", 50 + m % 7, "\"host\":\"h2\"", ts + s * 1000L));
                    for (int gpu = 0; gpu < 2; gpu++) {
                        events.add(metric("gpu_utilization", m < 40 ? 40 : 97, "\"host\":\"h1\",\"gpu\":\"" + gpu + "\"",
                                ts + s * 1000L));
                    }
                    events.add(metric("host_memory_total_bytes", 64e9, "\"host\":\"h1\"", ts + s * 1000L));
                    events.add(metric("modelwatch_agent_dropped_readings", 0, "\"host\":\"h1\"", ts + s * 1000L));
                }
            }
            JsonNode answer = server.postJson("[" + String.join(",", events) + "]").json();
            assertThat(answer.path("rejected").asInt()).as(answer.toString()).isZero();
            String range = "from=" + start + "&to=" + end;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (server.get("/api/v1/resources?model=fraud&" + range).json().path("events").asLong() < 60 * 3 * 6) {
                assertThat(System.nanoTime()).as("resource readings stored").isLessThan(deadline);
                Thread.sleep(50);
            }
            JsonNode api = server.get("/api/v1/resources?model=fraud&points=300&" + range).json();
            Map<String, Integer> apiPoints = new TreeMap<>();
            api.path("series").forEach(s -> apiPoints.merge(s.path("name").asText(), s.path("points").size(), Integer::sum));

            browser.open(server, "/ui/models/fraud?range=custom&" + range);
            browser.driver.findElement(By.id("chart-resource-gpu_utilization"));
            browser.js("document.getElementById('resources').scrollIntoView()");
            browser.screenshot("model-resources");

            // one line per host (CPU) and per GPU, as many points drawn as the API answers
            @SuppressWarnings("unchecked")
            List<Number> cpu = (List<Number>) browser.js("return window.modelwatch.charts['resource:host_cpu_utilization']"
                    + ".data.slice(1).map(s => s.filter(v => v != null).length);");
            @SuppressWarnings("unchecked")
            List<Number> gpu = (List<Number>) browser.js("return window.modelwatch.charts['resource:gpu_utilization']"
                    + ".data.slice(1).map(s => s.filter(v => v != null).length);");
            assertThat(cpu).hasSize(2);
            assertThat(gpu).hasSize(2);
            assertThat(cpu.stream().mapToInt(Number::intValue).sum()).isEqualTo(apiPoints.get("host_cpu_utilization"));
            assertThat(gpu.stream().mapToInt(Number::intValue).sum()).isEqualTo(apiPoints.get("gpu_utilization"));
            assertThat(cpu.get(0).intValue()).isBetween(50, 300);
            @SuppressWarnings("unchecked")
            List<String> labels = (List<String>) browser.js("return window.modelwatch.charts['resource:gpu_utilization']"
                    + ".series.slice(1).map(s => s.label);");
            assertThat(labels).containsExactly("h1 gpu=0", "h1 gpu=1");
            // on the page's time axis: the x values lie within the page's range
            @SuppressWarnings("unchecked")
            List<Number> xs = (List<Number>) browser.js("const x = window.modelwatch.charts['resource:gpu_utilization']"
                    + ".data[0]; return [x[0], x[x.length - 1]];");
            assertThat(xs.get(0).doubleValue()).isGreaterThanOrEqualTo(start / 1000.0);
            assertThat(xs.get(1).doubleValue()).isLessThan(end / 1000.0);
            // capacities and the agent's counters are not loads
            assertThat(browser.driver.findElements(By.id("chart-resource-host_memory_total_bytes"))).isEmpty();
            assertThat(browser.driver.findElements(By.id("chart-resource-modelwatch_agent_dropped_readings"))).isEmpty();
            assertThat(apiPoints).containsKeys("host_memory_total_bytes", "modelwatch_agent_dropped_readings");
        }
    }
}
