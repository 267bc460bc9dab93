package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Loss not decreasing: the slow average of the loss (EWMA, alpha 0.02) has not improved by
 * {@code plateau_min_delta} (2%) of its level for {@code plateau_patience} logged steps while it is still above half of
 * its initial level, i.e. the run is stuck rather than converged (SageMaker Debugger's
 * LossNotDecreasing, with its min_delta and num_steps).
 */
public final class PlateauDetector implements StepDetector {
    static final int WARMUP = 50;
    static final double STUCK_FRACTION = 0.5;
    private final int patience;
    private final double minDelta;
    private final Ewma slow;
    private double initial = Double.NaN;
    private double best = Double.POSITIVE_INFINITY;
    private long sinceImprovement;
    private boolean active;

    /** What the detector has seen, to continue after a restart. */
    public record State(Ewma.State slow, double initial, double best, long sinceImprovement, boolean active) {
    }

    PlateauDetector(int patience, double minDelta, State s) {
        this.patience = patience;
        this.minDelta = minDelta;
        this.slow = Ewma.of(0.02, s == null ? null : s.slow());
        if (s != null) {
            initial = s.initial();
            best = s.best();
            sinceImprovement = s.sinceImprovement();
            active = s.active();
        }
    }

    State state() {
        return new State(slow.state(), initial, best, sinceImprovement, active);
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double v = metrics.get(MetricNames.LOSS);
        if (v == null || !Double.isFinite(v)) {
            return;
        }
        double s = slow.add(v);
        if (slow.count() == WARMUP) {
            initial = s;
            best = s;
        }
        if (slow.count() <= WARMUP) {
            return;
        }
        if (s < best - minDelta * Math.abs(best)) {
            best = s;
            sinceImprovement = 0;
            active = false;
            return;
        }
        sinceImprovement++;
        boolean stuck = initial > 0 ? s > STUCK_FRACTION * initial : s >= initial;
        if (sinceImprovement >= patience && stuck && !active) {
            active = true;
            out.add(new TrainingProblem("plateau", TrainingProblem.WARNING, step, MetricNames.LOSS, s,
                    String.format("loss is not decreasing: %.4g, no %.0f%% improvement in the last %d logged steps and "
                            + "still %.0f%% of its initial %.4g; check the learning rate and the data pipeline",
                            s, 100 * minDelta, sinceImprovement, 100 * s / initial, initial)));
        }
    }
}
