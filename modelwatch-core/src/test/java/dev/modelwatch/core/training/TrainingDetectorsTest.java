package dev.modelwatch.core.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detectors on synthetic noisy runs ({@link TrainingCurves}): none fires on the healthy shapes, and
 * each fires on its fault within the delay stated in docs/training.md and BENCHMARKS.md. The table
 * printed by {@link #detectionTable()} is the one in BENCHMARKS.md.
 */
class TrainingDetectorsTest {
    static final int SEEDS = 20;
    static final int AT = 1000;

    /** A fault, the problem kind it must raise, and the most logged steps that may pass before it does. */
    record Case(String kind, int maxDelay, TrainingCurves.Fault fault, int at) {
    }

    static List<Case> faults() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("nan_loss", 0, (t, at, m, r) -> m.put("loss", t == at ? Double.NaN : m.get("loss")), AT));
        c.add(new Case("divergence", 20, (t, at, m, r) -> m.put("loss", m.get("loss") * Math.pow(1.15, t - at)), AT));
        c.add(new Case("plateau", 600, (t, at, m, r) -> m.put("loss", 2.3 * Math.exp(0.05 * TrainingCurves.gaussian(r))), 0));
        c.add(new Case("overfitting", 300, (t, at, m, r) -> {
            if (m.containsKey("val_loss")) {
                m.put("val_loss", m.get("val_loss") * (1 + (t - at) / 500.0));
            }
        }, AT));
        c.add(new Case("exploding_gradients", 20, (t, at, m, r) ->
                m.put("grad_norm/fc2", m.get("grad_norm/fc2") * Math.pow(1.5, Math.min(t - at, 40))), AT));
        c.add(new Case("vanishing_gradients", 120, (t, at, m, r) ->
                m.put("grad_norm/fc1", m.get("grad_norm/fc1") * Math.pow(0.85, Math.min(t - at, 100))), AT));
        c.add(new Case("update_ratio", 40, (t, at, m, r) -> m.put("update_ratio/fc3", 0.5 * Math.exp(0.3 * TrainingCurves.gaussian(r))), AT));
        c.add(new Case("dead_relu", 30, (t, at, m, r) -> m.put("dead_fraction/fc2", 0.8 + 0.05 * TrainingCurves.gaussian(r)), AT));
        c.add(new Case("saturated_activations", 30, (t, at, m, r) ->
                m.put("saturation/fc1", Math.min(1, 0.9 + 0.03 * TrainingCurves.gaussian(r))), AT));
        c.add(new Case("lr_oscillation", 40, (t, at, m, r) -> {
            m.put("lr", 1e-2);
            m.put("loss", m.get("loss") * (t % 2 == 0 ? 1.5 : 0.6));
        }, AT));
        c.add(new Case("slow_steps", 10, (t, at, m, r) -> m.put("step_time_s", m.get("step_time_s") * 3), AT));
        c.add(new Case("memory_growth", 110, (t, at, m, r) ->
                m.put("gpu_memory_bytes", m.get("gpu_memory_bytes") + (t - at) * 5e7), AT));
        return c;
    }

    static Stream<TrainingCurves.Shape> healthy() {
        return TrainingCurves.healthyShapes().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("healthy")
    void healthyRunRaisesNoProblem(TrainingCurves.Shape shape) {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(problems(TrainingCurves.run(shape, seed, null, 0))).as("%s, seed %d", shape.name(), seed).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void faultIsFoundWithinItsStatedDelay(Case c) {
        TrainingCurves.Shape base = TrainingCurves.healthyShapes().get(1);
        for (long seed = 1; seed <= SEEDS; seed++) {
            Long delay = delay(c, base, seed);
            assertThat(delay).as("%s, seed %d", c.kind(), seed).isNotNull().isBetween(0L, (long) c.maxDelay());
        }
    }

    @Test
    void detectionTable() {
        TrainingCurves.Shape base = TrainingCurves.healthyShapes().get(1);
        StringBuilder table = new StringBuilder("| detector | stated delay (logged steps) | measured delay: median / max "
                + "over " + SEEDS + " seeds | found |\n|---|---|---|---|\n");
        for (Case c : faults()) {
            List<Long> delays = new ArrayList<>();
            for (long seed = 1; seed <= SEEDS; seed++) {
                Long d = delay(c, base, seed);
                if (d != null) {
                    delays.add(d);
                }
            }
            delays.sort(null);
            table.append(String.format("| %s | <= %d | %s / %s | %d/%d |%n", c.kind(), c.maxDelay(),
                    delays.isEmpty() ? "-" : delays.get(delays.size() / 2), delays.isEmpty() ? "-" : delays.get(delays.size() - 1),
                    delays.size(), SEEDS));
        }
        table.append(String.format("%nhealthy runs: %d shapes x 5 seeds; problems raised on them: none "
                + "(healthyRunRaisesNoProblem)%n", TrainingCurves.healthyShapes().size()));
        System.out.println(table);
    }

    /** Logged steps from the fault's start to the first problem of its kind; null when none came. */
    private static Long delay(Case c, TrainingCurves.Shape base, long seed) {
        List<Map<String, Double>> steps = TrainingCurves.run(base, seed, c.fault(), c.at());
        TrainingDetectors d = TrainingDetectors.defaults();
        for (int t = 0; t < steps.size(); t++) {
            for (TrainingProblem p : d.observe(t, steps.get(t))) {
                if (p.kind().equals(c.kind())) {
                    return (long) t - c.at();
                }
            }
        }
        return null;
    }

    private static List<TrainingProblem> problems(List<Map<String, Double>> steps) {
        TrainingDetectors d = TrainingDetectors.defaults();
        List<TrainingProblem> all = new ArrayList<>();
        for (int t = 0; t < steps.size(); t++) {
            all.addAll(d.observe(t, steps.get(t)));
        }
        return all;
    }
}
