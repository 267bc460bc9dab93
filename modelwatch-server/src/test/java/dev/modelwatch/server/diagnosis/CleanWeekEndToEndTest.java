package dev.modelwatch.server.diagnosis;

import dev.modelwatch.server.simulate.TrafficSimulator;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.TestServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.simulate.TrafficSimulator.Scenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A week of clean traffic opens no incident: {@link TrafficSimulator}'s traffic without a fault (a daily
 * cycle of volume of +-30% with 5% noise, normal feature noise, labels of 80% of the predictions two
 * windows late, CPU readings of two hosts) through a started server with the default rule pack and
 * incidents on. No alert fires, so no incident opens.
 *
 * <p>Event timestamps compress the time: the server runs on a manual clock moved to the close of each
 * window once its events are aggregated, and the alert pipeline is evaluated right then
 * ({@code AlertRuntime.evaluateOnce}). The windows are 10 minutes long (the model's window), 1,008 of
 * them: the event timestamps cover seven days, the volume cycle is 144 windows (24 hours) long, so every
 * rule of the pack sees seven daily peaks and troughs, and its ranges and {@code for} durations
 * ({@code [1h] offset 10m}, {@code 5m}, {@code 10m}) hold whole windows as they do in production with
 * 10-minute windows. Only the volume is reduced (about 150 predictions a window; 152,000 in the week) so
 * that a 2-core CI runs it in a few minutes. {@code -Dmodelwatch.cleanWeek.days} and
 * {@code -Dmodelwatch.cleanWeek.perWindow} change the length and the volume.
 */
class CleanWeekEndToEndTest {
    private static final long WINDOW = 10 * 60_000L;
    private static final int WINDOWS_PER_DAY = 144;
    private static final long START = 20_500 * 86_400_000L; // 2026-02-16T00:00Z, a Monday
    private static final String MODEL = "sim-week";

    @Test
    void aWeekOfCleanTrafficOpensNoIncident(@TempDir Path dir) throws Exception {
        int days = Integer.getInteger("modelwatch.cleanWeek.days", 7);
        int perWindow = Integer.getInteger("modelwatch.cleanWeek.perWindow", 150);
        int windows = days * WINDOWS_PER_DAY;
        ManualClock clock = new ManualClock(START - WINDOW);
        var config = ConfigLoader.parse("""
                models:
                  sim-week: {task: binary_classification, positive_class: "1", window: 10m}
                """, "modelwatch.yml").withDataDir(dir);
        TrafficSimulator sim = new TrafficSimulator(new Scenario("clean_week", MODEL, EnumSet.noneOf(TrafficSimulator.Fault.class),
                windows, windows, perWindow), new SplittableRandom(20_260_216), START, WINDOW).withDay(WINDOWS_PER_DAY);
        try (TestServer server = TestServer.start(config, clock)) {
            long before = server.alertEvaluations();
            for (int w = 0; w < windows; w++) {
                long from = START + w * WINDOW;
                clock.now.set(Math.max(clock.now.get(), from));
                post(server, sim.window(w));
                server.server().awaitAggregated(Duration.ofMinutes(1));
                long now = from + WINDOW + 20; // the window closed, with the pipeline's grace for in-flight events
                clock.now.set(now);
                server.evaluateAlerts(now);
            }
            long end = START + windows * WINDOW;

            // every window was evaluated and the rules read series that cover the week
            assertThat(server.alertEvaluations() - before).isGreaterThanOrEqualTo(windows);
            JsonNode rules = server.get("/api/v1/rules").json().path("rules");
            assertThat(rules.size()).isGreaterThanOrEqualTo(13);
            rules.forEach(r -> assertThat(r.path("last_error").isNull()).as(r.toString()).isTrue());
            JsonNode series = server.get("/api/v1/models/" + MODEL + "/metrics?names=count,accuracy_drop_p_value,"
                    + "drift_share,latency_p99_ms&from=" + START + "&to=" + end).json().path("series");
            List<String> names = new ArrayList<>();
            series.forEach(s -> {
                names.add(s.path("name").asText());
                assertThat(s.path("points").size()).as(s.path("name").asText()).isGreaterThanOrEqualTo(windows - 3);
            });
            assertThat(names).contains("count", "accuracy_drop_p_value", "drift_share", "latency_p99_ms");
            // the volume's daily cycle is in the counts: peaks near 1.3 x, troughs near 0.7 x the mean
            List<Double> counts = new ArrayList<>();
            series.get(names.indexOf("count")).path("points").forEach(p -> counts.add(p.get(1).asDouble()));
            double mean = counts.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertThat(counts.stream().mapToDouble(Double::doubleValue).max().orElseThrow() / mean).isGreaterThan(1.2);
            assertThat(counts.stream().mapToDouble(Double::doubleValue).min().orElseThrow() / mean).isLessThan(0.8);

            List<String> fired = new ArrayList<>();
            server.get("/api/v1/alert-history?since=" + START).json().path("history").forEach(h -> {
                if (h.path("to").asText().equals("firing")) {
                    fired.add(h.path("rule").asText() + " " + h.path("labels") + " at " + h.path("at").asText());
                }
            });
            assertThat(fired).as("alerts that fired on a clean week").isEmpty();
            JsonNode incidents = server.get("/api/v1/incidents").json().path("incidents");
            assertThat(incidents.size()).as(incidents.toString()).isZero();
        }
    }

    private static void post(TestServer server, String ndjson) {
        TestServer.Response r = server.post("/api/v1/events", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("rejected").asInt()).as(r.body()).isZero();
    }
}
