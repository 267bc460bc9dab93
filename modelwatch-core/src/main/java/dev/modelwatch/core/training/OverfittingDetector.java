package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Overfitting: the validation loss (EWMA over its evaluations, alpha 0.3) rises {@code overfitting_rise} (10%) above
 * the best it reached while the training loss keeps falling below its level at that best, for
 * {@code CONFIRM} evaluations in a row — the gap between the two widens (SageMaker Debugger's Overfit and
 * Overtraining rules).
 */
public final class OverfittingDetector implements StepDetector {
    static final int CONFIRM = 3;
    static final int WARMUP = 3;
    private final double rise;
    private final Ewma val;
    private final Ewma train;
    private double bestVal = Double.POSITIVE_INFINITY;
    private double trainAtBest = Double.NaN;
    private int breaches;
    private boolean active;

    /** What the detector has seen, to continue after a restart. */
    public record State(Ewma.State val, Ewma.State train, double bestVal, double trainAtBest, int breaches,
                        boolean active) {
    }

    OverfittingDetector(double rise, State s) {
        this.rise = rise;
        this.val = Ewma.of(0.3, s == null ? null : s.val());
        this.train = Ewma.of(0.05, s == null ? null : s.train());
        if (s != null) {
            bestVal = s.bestVal();
            trainAtBest = s.trainAtBest();
            breaches = s.breaches();
            active = s.active();
        }
    }

    State state() {
        return new State(val.state(), train.state(), bestVal, trainAtBest, breaches, active);
    }

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
        boolean rising = m > bestVal + rise * Math.abs(bestVal) && train.mean() < trainAtBest;
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
