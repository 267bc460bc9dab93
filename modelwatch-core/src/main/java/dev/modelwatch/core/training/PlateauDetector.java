package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Loss not decreasing: the slow average of the loss (EWMA, alpha 0.02) has not improved by
 * {@code MIN_DELTA} (2%) of its level for {@code PATIENCE} logged steps while it is still above half of
 * its initial level, i.e. the run is stuck rather than converged (SageMaker Debugger's
 * LossNotDecreasing, with its min_delta and num_steps).
 */
final class PlateauDetector implements StepDetector {
    static final int WARMUP = 50;
    static final int PATIENCE = 300;
    static final double MIN_DELTA = 0.02;
    static final double STUCK_FRACTION = 0.5;
    private final Ewma slow = new Ewma(0.02);
    private double initial = Double.NaN;
    private double best = Double.POSITIVE_INFINITY;
    private long sinceImprovement;
    private boolean active;

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
        if (s < best - MIN_DELTA * Math.abs(best)) {
            best = s;
            sinceImprovement = 0;
            active = false;
            return;
        }
        sinceImprovement++;
        boolean stuck = initial > 0 ? s > STUCK_FRACTION * initial : s >= initial;
        if (sinceImprovement >= PATIENCE && stuck && !active) {
            active = true;
            out.add(new TrainingProblem("plateau", TrainingProblem.WARNING, step, MetricNames.LOSS, s,
                    String.format("loss is not decreasing: %.4g, no 2%% improvement in the last %d logged steps and "
                            + "still %.0f%% of its initial %.4g; check the learning rate and the data pipeline",
                            s, sinceImprovement, 100 * s / initial, initial)));
        }
    }
}
