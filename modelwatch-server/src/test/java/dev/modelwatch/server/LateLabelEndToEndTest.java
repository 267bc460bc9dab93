package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.alert.DefaultRules;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.simulate.TrafficSimulator;
import dev.modelwatch.server.simulate.TrafficSimulator.Fault;
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
 * Labels that come two windows late, and no uploaded reference: the default pack's
 * {@code ModelLabelledAccuracyDrop} decides on the newest labelled windows against the model's own
 * earlier ones. A concept drift (the labels' relation to {@code x1} reverses at window 24 of 40, 400
 * predictions a window, 80% labelled) fires it a few windows after its labels arrive, never before the
 * onset; the same traffic without the fault fires nothing. A bad version at half the traffic fires
 * {@code ModelVersionAccuracyDrop} for that version. One-minute windows on a manual clock, the
 * rules evaluated at every window's close.
 */
class LateLabelEndToEndTest {
    private static final long MINUTE = 60_000L;
    private static final long START = 20_500 * 86_400_000L; // 2026-02-16T00:00Z
    private static final int WINDOWS = 40;
    private static final int ONSET = 24;

    @Test
    void aConceptDriftFiresOnceItsLabelsAreInAndCleanTrafficFiresNothing(@TempDir Path dir) throws Exception {
        var config = ConfigLoader.parse("""
                models:
                  drifted: {task: binary_classification, positive_class: "1", window: 1m}
                  clean: {task: binary_classification, positive_class: "1", window: 1m}
                """, "modelwatch.yml").withDataDir(dir);
        ManualClock clock = new ManualClock(START - MINUTE);
        TrafficSimulator drifted = new TrafficSimulator(new TrafficSimulator.Scenario("concept", "drifted",
                EnumSet.of(Fault.CONCEPT), WINDOWS, ONSET, 400), new SplittableRandom(7), START, MINUTE);
        TrafficSimulator clean = new TrafficSimulator(new TrafficSimulator.Scenario("clean", "clean",
                EnumSet.noneOf(Fault.class), WINDOWS, WINDOWS, 400), new SplittableRandom(8), START, MINUTE);
        try (TestServer server = TestServer.start(config, clock)) {
            JsonNode history = run(server, clock, WINDOWS, drifted, clean);
            List<Long> driftedFired = new ArrayList<>();
            List<String> cleanFired = new ArrayList<>();
            history.forEach(h -> {
                if (!h.path("to").asText().equals("firing")) {
                    return;
                }
                String model = h.path("labels").path("model").asText();
                if (model.equals("clean")) {
                    cleanFired.add(h.path("rule").asText() + " at " + h.path("at").asText());
                } else if (h.path("rule").asText().equals("ModelLabelledAccuracyDrop")) {
                    JsonNode at = h.path("at");
                    driftedFired.add(at.isNumber() ? at.asLong() : java.time.Instant.parse(at.asText()).toEpochMilli());
                }
            });
            assertThat(cleanFired).as("alerts on clean traffic").isEmpty();
            assertThat(driftedFired).as("ModelLabelledAccuracyDrop on the concept drift").isNotEmpty();
            long first = driftedFired.stream().mapToLong(Long::longValue).min().orElseThrow();
            // its labels are in at the close of window onset + 2; the pool needs a few of them, then its for
            assertThat(first).isGreaterThan(START + (ONSET + TrafficSimulator.LABEL_DELAY_WINDOWS
                            + DefaultRules.LABELLED_FOR) * MINUTE)
                    .isLessThanOrEqualTo(START + (ONSET + TrafficSimulator.LABEL_DELAY_WINDOWS + 4
                            + DefaultRules.LABELLED_FOR) * MINUTE);
        }
    }

    /**
     * Version {@code v2}, which lost {@code x1}, takes half the traffic from window 24 of 50 (400 predictions
     * a window, labels two windows late): {@code ModelVersionAccuracyDrop} fires for {@code version="v2"},
     * after the onset, and for no other version.
     */
    @Test
    void aBadVersionAtHalfTheTrafficFiresItsOwnAlert(@TempDir Path dir) throws Exception {
        int windows = 50;
        var config = ConfigLoader.parse("""
                models:
                  versioned: {task: binary_classification, positive_class: "1", window: 1m}
                """, "modelwatch.yml").withDataDir(dir);
        ManualClock clock = new ManualClock(START - MINUTE);
        TrafficSimulator traffic = new TrafficSimulator(new TrafficSimulator.Scenario("version", "versioned",
                EnumSet.of(Fault.VERSION), windows, ONSET, 400), new SplittableRandom(9), START, MINUTE);
        try (TestServer server = TestServer.start(config, clock)) {
            JsonNode history = run(server, clock, windows, traffic);
            List<String> versionFired = new ArrayList<>();
            List<Long> at = new ArrayList<>();
            history.forEach(h -> {
                if (h.path("to").asText().equals("firing") && h.path("rule").asText().equals("ModelVersionAccuracyDrop")) {
                    versionFired.add(h.path("labels").path("version").asText());
                    JsonNode t = h.path("at");
                    at.add(t.isNumber() ? t.asLong() : java.time.Instant.parse(t.asText()).toEpochMilli());
                }
            });
            assertThat(versionFired).as("ModelVersionAccuracyDrop on the bad version").isNotEmpty().containsOnly("v2");
            long earliest = START + (ONSET + TrafficSimulator.LABEL_DELAY_WINDOWS + DefaultRules.LABELLED_FOR) * MINUTE;
            assertThat(at).allSatisfy(t -> assertThat(t).isGreaterThan(earliest));
        }
    }

    /** Each window of every stream sent and aggregated, the clock moved to its close, the rules evaluated: the alert history. */
    private static JsonNode run(TestServer server, ManualClock clock, int windows, TrafficSimulator... streams)
            throws InterruptedException {
        for (int w = 0; w < windows; w++) {
            clock.now.set(Math.max(clock.now.get(), START + w * MINUTE));
            for (TrafficSimulator s : streams) {
                post(server, s.window(w));
            }
            server.server().awaitAggregated(Duration.ofMinutes(1));
            long now = START + (w + 1) * MINUTE + 20;
            clock.now.set(now);
            server.evaluateAlerts(now);
        }
        return server.get("/api/v1/alert-history?since=" + START).json().path("history");
    }

    private static void post(TestServer server, String ndjson) {
        TestServer.Response r = server.post("/api/v1/events", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("rejected").asInt()).as(r.body()).isZero();
    }
}
