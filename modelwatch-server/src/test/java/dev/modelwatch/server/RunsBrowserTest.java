package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The runs pages in a real headless Chromium against a started server: a run whose loss turned NaN
 * after a resume from a checkpoint, a healthy run to overlay, and the agent's GPU and host readings of
 * the first run. The points drawn are read back from uPlot's data; screenshots go to
 * {@code target/screenshots/}.
 */
class RunsBrowserTest {
    private static final int STEPS = 300;

    @TempDir
    static Path dir;
    static TestServer server;
    static Browser browser;
    static long t0;

    private static String step(String run, int step, long ts, String metrics) {
        return step("digits", run, step, ts, metrics);
    }

    private static String step(String model, String run, int step, long ts, String metrics) {
        return "{\"type\":\"training\",\"model\":\"" + model + "\",\"run\":\"" + run + "\",\"step\":" + step + ",\"timestamp\":" + ts
                + ",\"metrics\":{" + metrics + "}}";
    }

    private static String metric(String name, double value, String labels, long ts) {
        return "{\"type\":\"metric\",\"name\":\"" + name + "\",\"value\":" + value + ",\"model\":\"digits\",\"labels\":{"
                + labels + "},\"timestamp\":" + ts + "}";
    }

    @BeforeAll
    static void runsAndBrowser() throws Exception {
        browser = Browser.start(1280, 1400);
        server = TestServer.start(dir);
        t0 = System.currentTimeMillis() - 10 * 60_000L;
        List<String> events = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            long ts = t0 + s * 1_000L;
            events.add(step("r1", s, ts, "\"loss\":" + (2.3 / (1 + s / 40.0)) + ",\"lr\":0.1"));
            events.add(step("r2", s, ts, "\"loss\":" + (2.3 / (1 + s / 80.0)) + ",\"lr\":0.05"));
        }
        // r1 goes back to its checkpoint of step 200, then its loss turns NaN at step 260
        for (int s = 200; s <= 260; s++) {
            long ts = t0 + (STEPS + s - 200) * 1_000L;
            events.add(step("r1", s, ts, s == 260 ? "\"loss\":NaN" : "\"loss\":" + (2.3 / (1 + s / 40.0))));
        }
        for (int i = 0; i < 360; i++) { // a reading a second over the run's six minutes
            long ts = t0 + i * 1_000L;
            for (int gpu = 0; gpu < 2; gpu++) {
                events.add(metric("gpu_utilization", 80 + gpu * 10 + (i % 7), "\"host\":\"gpu-1\",\"gpu\":\"" + gpu
                        + "\",\"run\":\"r1\"", ts));
            }
            events.add(metric("host_cpu_utilization", 30 + (i % 5), "\"host\":\"gpu-1\",\"run\":\"r1\"", ts));
        }
        JsonNode answer = server.postJson("[" + String.join(",", events) + "]").json();
        assertThat(answer.path("rejected").asInt()).as(answer.toString()).isZero();
        // the resource readings are stored with the next commit: wait until the API serves all of them
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.get("/api/v1/resources?run=r1").json().path("events").asLong() < 1_080) {
            assertThat(System.nanoTime()).as("resource readings stored").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, server);
    }

    @Test
    void runsPageListsEachRunWithItsStatusAndProblems() {
        browser.open(server, "/ui/runs?model=digits");
        browser.screenshot("runs");
        Map<String, String> problems = new TreeMap<>();
        for (WebElement row : browser.driver.findElements(By.cssSelector("#runs tbody tr"))) {
            problems.put(row.getAttribute("data-run"), row.getAttribute("data-status") + "/" + row.getAttribute("data-problems"));
        }
        assertThat(problems).containsExactlyEntriesOf(new TreeMap<>(Map.of("r1", "running/1", "r2", "running/0")));
        assertThat(browser.driver.findElement(By.cssSelector("#runs tr[data-run='r1']")).getText())
                .contains("1 critical").contains("nan_loss");
    }

    @Test
    void runPageDrawsTheCurveWithItsProblemAndResumeAndTheResourcesOnTheRunsTime() {
        browser.open(server, "/ui/runs/digits/r1");
        browser.screenshot("run-r1");
        JsonNode run = server.get("/api/v1/runs/r1?model=digits").json();
        int finite = 0;
        for (JsonNode p : run.path("metrics").path("loss")) {
            finite += p.get(1).isNumber() ? 1 : 0;
        }
        assertThat(finite).isEqualTo(260); // steps 0..259; 260 is the NaN
        Number drawn = (Number) browser.js("return window.modelwatch.charts.curve.data[1].filter(v => v != null).length;");
        assertThat(drawn.intValue()).isEqualTo(finite);
        @SuppressWarnings("unchecked")
        List<String> markers = (List<String>) browser.js("return window.modelwatch.charts.curve.markers.map(m => m.label + '@' + m.at);");
        assertThat(markers).containsExactly("nan_loss (loss)@260", "resumed from step 299@200");
        assertThat(browser.driver.findElement(By.id("problems")).getText()).contains("nan_loss").contains("loss is NaN at step 260");

        // GPU and host resources: two GPUs on one chart, 300 buckets at most each, the problem at its time
        @SuppressWarnings("unchecked")
        List<Number> gpuPoints = (List<Number>) browser.js("const u = window.modelwatch.charts['resource:gpu_utilization'];"
                + "return u.data.slice(1).map(s => s.filter(v => v != null).length);");
        assertThat(gpuPoints).hasSize(2);
        assertThat(gpuPoints.get(0).intValue()).isBetween(200, 300);
        Number cpu = (Number) browser.js("return window.modelwatch.charts['resource:host_cpu_utilization'].data[1]"
                + ".filter(v => v != null).length;");
        assertThat(cpu.intValue()).isEqualTo(gpuPoints.get(0).intValue());
        Number problemAt = (Number) browser.js("return window.modelwatch.charts['resource:gpu_utilization'].markers[0].at;");
        assertThat(problemAt.longValue()).isEqualTo((t0 + (STEPS + 60) * 1_000L) / 1000);
        browser.js("document.getElementById('run-resources').scrollIntoView()");
        browser.screenshot("run-r1-resources");
    }

    @Test
    void byTimeTheCurveSharesTheResourcesAxisWithTheProblemAndResumeAtTheirTime() {
        browser.open(server, "/ui/runs/digits/r1?axis=time");
        browser.screenshot("run-r1-by-time");
        assertThat(browser.driver.findElement(By.id("axis")).getAttribute("value")).isEqualTo("time");
        // one point per step bucket, at the time of its step: 0..199 before the resume, 200..259 after it
        Number drawn = (Number) browser.js("return window.modelwatch.charts.curve.data[1].filter(v => v != null).length;");
        assertThat(drawn.intValue()).isEqualTo(260);
        @SuppressWarnings("unchecked")
        List<Number> x = (List<Number>) browser.js("const d = window.modelwatch.charts.curve.data[0];"
                + "return [d[0], d[199], d[200], d[d.length - 1]];");
        assertThat(x.get(0).doubleValue()).isEqualTo(t0 / 1000.0);
        assertThat(x.get(1).doubleValue()).isEqualTo((t0 + 199_000L) / 1000.0);
        assertThat(x.get(2).doubleValue()).isEqualTo((t0 + STEPS * 1_000L) / 1000.0); // step 200, resumed
        assertThat(x.get(3).doubleValue()).isEqualTo((t0 + (STEPS + 60) * 1_000L) / 1000.0); // step 260, the NaN
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) browser.js("return window.modelwatch.charts.curve.markers.map(m => m.label);");
        assertThat(labels).containsExactly("nan_loss (loss)", "resumed from step 299");
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) browser.js("return window.modelwatch.charts.curve.markers.map(m => m.at);");
        assertThat(at.get(0).doubleValue()).isEqualTo((t0 + (STEPS + 60) * 1_000L) / 1000.0);
        assertThat(at.get(1).doubleValue()).isEqualTo((t0 + STEPS * 1_000L) / 1000.0);
        // the curve and every resource chart on one time range
        @SuppressWarnings("unchecked")
        List<List<Number>> ranges = (List<List<Number>>) browser.js("const c = window.modelwatch.charts;"
                + "return ['curve', 'resource:gpu_utilization', 'resource:host_cpu_utilization']"
                + ".map(k => [c[k].scales.x.min, c[k].scales.x.max]);");
        assertThat(ranges.get(1)).isEqualTo(ranges.get(0));
        assertThat(ranges.get(2)).isEqualTo(ranges.get(0));
        assertThat(ranges.get(0).get(0).doubleValue()).isLessThanOrEqualTo(t0 / 1000.0);
        assertThat(ranges.get(0).get(1).doubleValue()).isGreaterThanOrEqualTo((t0 + (STEPS + 60) * 1_000L) / 1000.0);
    }

    @Test
    void aResourceIsOverlaidOnTheCurveByTime() {
        browser.open(server, "/ui/runs/digits/r1");
        new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("resource")))
                .selectByValue("gpu_utilization");
        browser.waiting().until(d -> d.getCurrentUrl().contains("resource=gpu_utilization"));
        browser.awaitReady();
        assertThat(browser.driver.getCurrentUrl()).contains("axis=time");
        browser.screenshot("run-r1-gpu-overlay");
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) browser.js("return window.modelwatch.charts.curve.series.slice(1).map(s => s.label);");
        assertThat(labels).containsExactly("loss", "gpu_utilization gpu=0", "gpu_utilization gpu=1");
        // the curve keeps its 260 finite points; each GPU line has the points of its own chart, on the right-hand scale
        @SuppressWarnings("unchecked")
        List<Number> counts = (List<Number>) browser.js("return window.modelwatch.charts.curve.data.slice(1)"
                + ".map(s => s.filter(v => v != null).length);");
        @SuppressWarnings("unchecked")
        List<Number> own = (List<Number>) browser.js("return window.modelwatch.charts['resource:gpu_utilization'].data.slice(1)"
                + ".map(s => s.filter(v => v != null).length);");
        assertThat(counts).hasSize(3);
        assertThat(counts.get(0).intValue()).isEqualTo(260);
        assertThat(counts.subList(1, 3)).isEqualTo(own);
        assertThat(browser.js("return window.modelwatch.charts.curve.series[2].scale")).isEqualTo("right");
        // back to steps drops the overlay
        new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("axis"))).selectByValue("step");
        browser.waiting().until(d -> !d.getCurrentUrl().contains("axis=time"));
        browser.awaitReady();
        assertThat(browser.driver.getCurrentUrl()).doesNotContain("resource=");
        Number series = (Number) browser.js("return window.modelwatch.charts.curve.series.length;");
        assertThat(series.intValue()).isEqualTo(2);
    }

    @Test
    void theRunPageFollowsTheRunLive() throws Exception {
        long t = t0;
        List<String> first = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            first.add(step("live-net", "live", s, t + s * 1_000L, "\"loss\":" + (1.0 / (1 + s))));
        }
        server.postJson("[" + String.join(",", first) + "]");
        browser.open(server, "/ui/runs/live-net/live");
        browser.js("window.notReloaded = true;");
        Number before = (Number) browser.js("return window.modelwatch.charts.curve.data[1].filter(v => v != null).length;");
        assertThat(before.intValue()).isEqualTo(20);
        assertThat(browser.driver.findElements(By.id("problems"))).isEmpty();
        List<String> more = new ArrayList<>();
        for (int s = 20; s < 30; s++) {
            more.add(step("live-net", "live", s, t + s * 1_000L, s == 29 ? "\"loss\":NaN" : "\"loss\":" + (1.0 / (1 + s))));
        }
        assertThat(server.postJson("[" + String.join(",", more) + "]").json().path("accepted").asInt()).isEqualTo(10);
        // the server publishes the run's change; the page fetches the run again and redraws in place
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#problems tr[data-kind=nan_loss]")).isEmpty());
        Number after = (Number) browser.js("return window.modelwatch.charts.curve.data[1].filter(v => v != null).length;");
        assertThat(after.intValue()).isEqualTo(29);
        assertThat(browser.driver.findElement(By.id("run-status")).getText()).contains("step 29");
        assertThat(browser.js("return window.notReloaded === true")).isEqualTo(true);
        browser.screenshot("run-live");
    }

    @Test
    void aSecondRunIsOverlaidAlignedByStep() {
        browser.open(server, "/ui/runs/digits/r1?metric=loss&other=digits/r2");
        browser.screenshot("run-r1-vs-r2");
        @SuppressWarnings("unchecked")
        List<Number> counts = (List<Number>) browser.js("const u = window.modelwatch.charts.curve;"
                + "return u.data.slice(1).map(s => s.filter(v => v != null).length);");
        assertThat(counts).hasSize(2);
        assertThat(counts.get(0).intValue()).isEqualTo(260);
        assertThat(counts.get(1).intValue()).isEqualTo(STEPS);
        // aligned by step: at step 100 each run's own value
        @SuppressWarnings("unchecked")
        List<Number> at100 = (List<Number>) browser.js("const u = window.modelwatch.charts.curve;"
                + "const i = u.data[0].indexOf(100); return [u.data[1][i], u.data[2][i]];");
        assertThat(at100.get(0).doubleValue()).isEqualTo(2.3 / (1 + 100 / 40.0));
        assertThat(at100.get(1).doubleValue()).isEqualTo(2.3 / (1 + 100 / 80.0));
    }
}
