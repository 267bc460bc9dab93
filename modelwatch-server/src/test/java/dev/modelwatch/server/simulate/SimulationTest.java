package dev.modelwatch.server.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Simulation}: pacing by speed, onsets reported with the window that holds them, training before its onset. */
class SimulationTest {
    private static final long START = 20_500 * 86_400_000L;
    private static final long MINUTE = 60_000L;

    private static TrafficSimulator sim(String scenario, int windows) {
        Scenarios.Named n = Scenarios.byName(scenario).orElseThrow();
        return new TrafficSimulator(new TrafficSimulator.Scenario(n.name(), "m", n.faults(), windows, windows / 2, 20),
                new SplittableRandom(1), START, MINUTE);
    }

    @Test
    void atSpeed60AMinuteWindowIsSentEverySecondAndEachOnsetWithItsWindow() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        List<Long> sleeps = new ArrayList<>();
        List<String> log = new ArrayList<>();
        Scenarios.Named named = Scenarios.byName("recurring_drift").orElseThrow();
        Simulation.Summary summary = Simulation.run(named, sim("recurring_drift", 40), ndjson -> {
            log.add("window at " + clock.millis());
            return Simulation.lines(ndjson);
        }, 60, clock, ms -> {
            sleeps.add(ms);
            clock.advance(Duration.ofMillis(ms));
        }, onset -> log.add("onset " + onset.window()));

        assertThat(sleeps).hasSize(40).allSatisfy(ms -> assertThat(ms).isEqualTo(1_000));
        assertThat(summary.onsets()).extracting(Simulation.FaultOnset::window).containsExactly(20, 30);
        // the onset is reported right after the window that holds it is sent
        assertThat(log.indexOf("onset 20")).isEqualTo(log.indexOf("window at " + (1_000_000 + 21 * 1_000)) + 1);
        assertThat(summary.onsets().get(0).onsetMs()).isEqualTo(START + 20 * MINUTE);
        assertThat(summary.onsets().get(0).expectedCause()).isEqualTo("covariate_drift feature=x3");
    }

    @Test
    void speedZeroNeverWaitsAndATrainingRunIsSentJustBeforeItsOnset() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        List<String> blocks = new ArrayList<>();
        Simulation.run(Scenarios.byName("training_divergence").orElseThrow(), sim("training_divergence", 10), ndjson -> {
            blocks.add(ndjson);
            return Simulation.lines(ndjson);
        }, 0, clock, ms -> {
            throw new AssertionError("slept " + ms + " ms at speed 0");
        }, onset -> { });
        // windows 0..4, then the run, then windows 5..9 and the labels held back
        assertThat(blocks.get(5)).startsWith("{\"type\":\"training\"").contains("\"loss\":NaN")
                .contains("\"timestamp\":" + (START + 5 * MINUTE - 1_000));
        assertThat(blocks.get(4)).doesNotContain("\"type\":\"training\"").doesNotContain("v2-r-17");
        assertThat(blocks.get(6)).contains("\"version\":\"v2-r-17\"");
    }
}
