package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Overfitting: the validation loss (EWMA over its evaluations, alpha 0.3) rises {@code RISE} (10%) above
 * the best it reached while the training loss keeps falling below its level at that best, for
 * {@code CONFIRM} evaluations in a row — the gap between the two widens (SageMaker Debugger's Overfit and
 * Overtraining rules).
 */
final class OverfittingDetector implements StepDetector {
    static final double RISE = 0.10;
    static final int CONFIRM = 3;
    static final int WARMUP = 3;
    private final Ewma val = new Ewma(0.3);
    private final Ewma train = new Ewma(0.05);
    private double bestVal = Double.POSITIVE_INFINITY;
    private double trainAtBest = Double.NaN;
    private int breaches;
    private boolean active;

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double t = metrics.get(MetricNames.LOSS);
        if (t != null && Double.isFinite(t)) {
            train.add(t);
        }
        Double v = metrics.get(MetricNames.VAL_LOSS);
        if (v == null || !Double.isFinite(v) || train.count() == 0) {
            return;
        }
        double m = val.add(v);
        if (val.count() < WARMUP) {
            return;
        }
        if (m < bestVal) {
            bestVal = m;
            trainAtBest = train.mean();
        }
        boolean rising = m > bestVal + RISE * Math.abs(bestVal) && train.mean() < trainAtBest;
        breaches = rising ? breaches + 1 : 0;
        if (breaches == 0) {
            active = false;
        } else if (breaches >= CONFIRM && !active) {
            active = true;
            out.add(new TrainingProblem("overfitting", TrainingProblem.WARNING, step, MetricNames.VAL_LOSS, m / bestVal,
                    String.format("overfitting: validation loss %.4g rose %.0f%% above its best %.4g while the "
                            + "training loss fell from %.4g to %.4g; stop early or regularise",
                            m, 100 * (m / bestVal - 1), bestVal, trainAtBest, train.mean())));
        }
    }
}
