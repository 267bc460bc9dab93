package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Slow steps, from {@code step_time_s}: {@code CONFIRM} (5) logged steps in a row take more than
 * {@code slow_step_factor} (2) times the usual step time (an average of log step time, EWMA alpha 0.05, updated by
 * the steps that are not slow, so that a slow-down does not become the norm). Single slow steps (a
 * checkpoint, an evaluation) do not fire.
 */
public final class SlowStepDetector implements StepDetector {
    static final int WARMUP = 10;
    static final int CONFIRM = 5;
    private final double factor;
    private final Ewma usual;
    private int breaches;
    private boolean active;

    /** What the detector has seen, to continue after a restart. */
    public record State(Ewma.State usual, int breaches, boolean active) {
    }

    SlowStepDetector(double factor, State s) {
        this.factor = factor;
        this.usual = Ewma.of(0.05, s == null ? null : s.usual());
        if (s != null) {
            breaches = s.breaches();
            active = s.active();
        }
    }

    State state() {
        return new State(usual.state(), breaches, active);
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double v = metrics.get(MetricNames.STEP_TIME);
        if (v == null || !Double.isFinite(v) || v <= 0) {
            return;
        }
        double lg = Math.log(v);
        if (usual.count() < WARMUP) {
            usual.add(lg);
            return;
        }
        double base = Math.exp(usual.mean());
        boolean slow = v > factor * base;
        if (!slow) {
            usual.add(lg);
            breaches = 0;
            active = false;
            return;
        }
        breaches++;
        if (breaches >= CONFIRM && !active) {
            active = true;
            out.add(new TrainingProblem("slow_steps", TrainingProblem.WARNING, step, MetricNames.STEP_TIME, v / base,
                    String.format("steps are slow: %.3g s, %.1fx the usual %.3g s, for %d steps in a row; check the "
                            + "data loader, host contention and GPU utilisation", v, v / base, base, breaches)));
        }
    }
}
