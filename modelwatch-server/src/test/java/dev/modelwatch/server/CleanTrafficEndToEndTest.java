package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default rule pack on clean traffic raises no alert: a binary model with 20 features
 * ({@link CleanTraffic}), an uploaded reference of 12,000 labelled rows, then traffic of the same
 * distribution at 200 predictions a second, every prediction labelled, in one-minute windows. Event
 * timestamps compress the time: the server runs on a manual clock that is moved to the end of each
 * window once its events are aggregated, and the alert pipeline is evaluated right then, at that
 * time ({@code AlertRuntime.evaluateOnce}), so every window is evaluated, in order, before the next
 * one is sent — nothing waits on a timer.
 *
 * <p>The length is {@code -Dmodelwatch.cleanTraffic.hours} (default 0.5: 30 windows of 12,000 events
 * and their labels, within a minute on 2 cores) and the rate {@code -Dmodelwatch.cleanTraffic.perSecond}
 * (default 200), the reference's rows {@code -Dmodelwatch.cleanTraffic.referenceRows} (default 12,000);
 * {@code -Dmodelwatch.cleanTraffic.hours=24} is a simulated clean day (1,440 windows, 17.3 million
 * predictions; BENCHMARKS.md gives its run).
 */
class CleanTrafficEndToEndTest {
    private static final long MINUTE = 60_000L;
    private static final String MODEL = "clean";

    @Test
    void aDayOfCleanTrafficRaisesNoAlertFromTheDefaultRulePack(@TempDir Path dir) throws Exception {
        double hours = Double.parseDouble(System.getProperty("modelwatch.cleanTraffic.hours", "0.5"));
        int perSecond = Integer.parseInt(System.getProperty("modelwatch.cleanTraffic.perSecond", "200"));
        int referenceRows = Integer.parseInt(System.getProperty("modelwatch.cleanTraffic.referenceRows", "12000"));
        int windows = (int) Math.round(hours * 60);
        long start = 20_500 * 86_400_000L; // 2026-02-16T00:00Z
        ManualClock clock = new ManualClock(start - MINUTE);
        var config = ConfigLoader.parse("""
                models:
                  clean: {task: binary_classification, positive_class: "1", window: 1m}
                """, "modelwatch.yml").withDataDir(dir);
        CleanTraffic traffic = new CleanTraffic(20_260_216);

        try (TestServer server = TestServer.start(config, clock)) {
            assertThat(server.put("/api/v1/models/" + MODEL + "/reference", traffic.referenceJson(referenceRows)).status())
                    .isEqualTo(200);
            var alerts = server.server().alerts();
            long before = alerts.evaluations();
            List<Long> evaluatedAt = new ArrayList<>();
            for (int w = 0; w < windows; w++) {
                long from = start + w * MINUTE;
                // never back: the last evaluation was 20 ms into this window, and time does not run backwards
                clock.now.set(Math.max(clock.now.get(), from));
                StringBuilder labels = new StringBuilder();
                String predictions = traffic.predictions(MODEL, "w" + w, perSecond * 60, from, MINUTE, labels);
                post(server, predictions);
                post(server, labels.toString());
                server.server().awaitAggregated(Duration.ofMinutes(1));
                long now = from + MINUTE + 20; // the window closed, with the pipeline's grace for in-flight events
                clock.now.set(now);
                alerts.evaluateOnce(now);
                evaluatedAt.add(now);
            }

            // every window was evaluated, at its close, and the rules had data to read
            assertThat(alerts.evaluations() - before).isGreaterThanOrEqualTo(windows);
            assertThat(evaluatedAt).hasSize(windows);
            JsonNode rules = server.get("/api/v1/rules").json().path("rules");
            assertThat(rules.size()).isGreaterThanOrEqualTo(13);
            rules.forEach(r -> assertThat(r.path("last_error").isNull()).as(r.toString()).isTrue());
            String range = "from=" + start + "&to=" + (start + windows * MINUTE);
            JsonNode series = server.get("/api/v1/models/" + MODEL + "/metrics?names=multivariate_drift_detected,"
                    + "drift_share,accuracy_drop_p_value,estimated_accuracy_drop_p_value,data_quality_issues&" + range)
                    .json().path("series");
            List<String> names = new ArrayList<>();
            series.forEach(s -> {
                names.add(s.path("name").asText());
                if (!s.path("name").asText().equals("data_quality_issues")) {
                    assertThat(s.path("points").size()).as(s.path("name").asText()).isEqualTo(windows);
                }
            });
            assertThat(names).contains("multivariate_drift_detected", "drift_share", "accuracy_drop_p_value",
                    "estimated_accuracy_drop_p_value");

            // and none of it fired
            JsonNode history = server.get("/api/v1/alert-history?since=" + start).json().path("history");
            List<String> fired = new ArrayList<>();
            history.forEach(h -> {
                if (h.path("to").asText().equals("firing")) {
                    fired.add(h.path("rule").asText() + " " + h.path("labels") + " at " + h.path("at").asText());
                }
            });
            assertThat(fired).as("alerts that fired on clean traffic").isEmpty();
            assertThat(server.get("/api/v1/alerts?state=firing").json().path("alerts").size()).isZero();
        }
    }

    private static void post(TestServer server, String ndjson) {
        TestServer.Response r = server.post("/api/v1/events", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("rejected").asInt()).as(r.body()).isZero();
    }
}
