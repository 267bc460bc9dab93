package dev.modelwatch.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The detectors' state survives a restart: a run interrupted mid-episode (state written as JSON, read
 * back, the detectors rebuilt from it) reports exactly the problems an uninterrupted run reports, and
 * the settings change what fires.
 */
class DetectorStateTest {
    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static List<TrainingDetectorsTest.Case> faults() {
        return TrainingDetectorsTest.faults();
    }

    private static List<String> found(TrainingDetectors d, List<Map<String, Double>> steps, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int t = from; t < to; t++) {
            for (TrainingProblem p : d.observe(t, steps.get(t))) {
                out.add(p.kind() + "@" + t + ":" + p.metric());
            }
        }
        return out;
    }

    private static TrainingDetectors roundTrip(TrainingDetectors d) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(d.state());
        return TrainingDetectors.restore(DetectorSettings.DEFAULT, JSON.readValue(bytes, TrainingDetectors.State.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aRestartAnywhereChangesNothing(TrainingDetectorsTest.Case c) throws Exception {
        TrainingCurves.Shape base = TrainingCurves.healthyShapes().get(1);
        for (long seed = 1; seed <= 3; seed++) {
            List<Map<String, Double>> steps = TrainingCurves.run(base, seed, c.fault(), c.at());
            List<String> whole = found(TrainingDetectors.defaults(), steps, 0, steps.size());
            assertThat(whole).as("%s seed %d", c.kind(), seed).anyMatch(s -> s.startsWith(c.kind() + "@"));
            // before the fault, inside its confirmation, just after it was found, and long after
            int detected = Integer.parseInt(whole.stream().filter(s -> s.startsWith(c.kind() + "@")).findFirst()
                    .orElseThrow().replaceAll("^[a-z_]+@(\\d+):.*$", "$1"));
            for (int cut : new int[] {Math.max(1, c.at() - 5), Math.max(1, detected - 2), detected + 1,
                    Math.min(steps.size() - 1, detected + 200)}) {
                TrainingDetectors first = TrainingDetectors.defaults();
                List<String> resumed = new ArrayList<>(found(first, steps, 0, cut));
                resumed.addAll(found(roundTrip(first), steps, cut, steps.size()));
                assertThat(resumed).as("%s seed %d restarted at step %d", c.kind(), seed, cut).isEqualTo(whole);
            }
        }
    }

    @Test
    void withoutItsStateARestartedRunFindsItsProblemAgain() throws Exception {
        // what the stored state prevents: fresh detectors after a restart report a problem that holds twice
        TrainingDetectorsTest.Case c = faults().stream().filter(f -> f.kind().equals("dead_relu")).findFirst().orElseThrow();
        List<Map<String, Double>> steps = TrainingCurves.run(TrainingCurves.healthyShapes().get(1), 1, c.fault(), c.at());
        TrainingDetectors first = TrainingDetectors.defaults();
        List<String> before = found(first, steps, 0, c.at() + 100);
        assertThat(before).anyMatch(s -> s.startsWith("dead_relu@"));
        assertThat(found(roundTrip(first), steps, c.at() + 100, steps.size())).noneMatch(s -> s.startsWith("dead_relu@"));
        assertThat(found(TrainingDetectors.defaults(), steps, c.at() + 100, steps.size()))
                .anyMatch(s -> s.startsWith("dead_relu@"));
    }

    @Test
    void aStoredRunKeepsItsDetectorsThroughItsState() throws Exception {
        TrainingRun run = new TrainingRun("m", "r");
        for (int t = 0; t < 30; t++) {
            run.apply(new dev.modelwatch.core.event.TrainingEvent("m", "r", t, null, 1000L * t,
                    Map.of("dead_fraction/fc1", 0.9, "loss", 1.0)));
        }
        assertThat(run.problems()).extracting(TrainingProblem::kind).containsExactly("dead_relu");
        assertThat(run.problems().get(0).atMs()).isEqualTo(1000L * run.problems().get(0).step());
        RunState stored = JSON.readValue(JSON.writeValueAsBytes(run.state()), RunState.class);
        TrainingRun again = TrainingRun.restore(stored);
        for (int t = 30; t < 60; t++) {
            assertThat(again.apply(new dev.modelwatch.core.event.TrainingEvent("m", "r", t, null, 1000L * t,
                    Map.of("dead_fraction/fc1", 0.9, "loss", 1.0)))).isEmpty();
        }
        assertThat(again.problems()).hasSize(1);
    }

    @Test
    void settingsChangeWhatFires() {
        List<Map<String, Double>> steps = new ArrayList<>();
        for (int t = 0; t < 40; t++) {
            steps.add(Map.of("dead_fraction/fc1", 0.4));
        }
        assertThat(found(TrainingDetectors.defaults(), steps, 0, steps.size())).isEmpty();
        DetectorSettings strict = new DetectorSettings(3, 300, 0.02, 0.1, 2, 4, 1e-7, 0.1, 1e-7, 0.3, 0.5, 2, 2000);
        assertThat(found(TrainingDetectors.of(strict), steps, 0, steps.size())).containsExactly("dead_relu@9:dead_fraction/fc1");
    }

    @Test
    void badSettingsNameTheirKey() {
        assertThatThrownBy(() -> new DetectorSettings(0.5, 300, 0.02, 0.1, 2, 4, 1e-7, 0.1, 1e-7, 0.5, 0.5, 2, 2000))
                .hasMessageStartingWith("divergence_factor:");
        assertThatThrownBy(() -> new DetectorSettings(3, 300, 0.02, 0.1, 2, 4, 1e-7, 0.1, 1e-7, 1.5, 0.5, 2, 2000))
                .hasMessageStartingWith("dead_relu_fraction:");
        assertThatThrownBy(() -> new DetectorSettings(3, 300, 0.02, 0.1, 2, 4, 1e-7, 1e-3, 1e-2, 0.5, 0.5, 2, 2000))
                .hasMessageStartingWith("update_ratio_low:");
    }
}
