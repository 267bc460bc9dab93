package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Loss far above its recent trend: the fast average of the loss (EWMA, alpha 0.3) exceeds {@code divergence_factor}
 * (3) times the lowest slow average (alpha 0.05, seeded by the first loss) reached so far, and has lost
 * more than half of the progress made from the first loss, for {@code CONFIRM} (3) logged steps in a row.
 * There is no warm-up: a learning rate far too high blows the loss up in the first steps, after which
 * a classifier often settles at a loss well above chance with its units dead. Needs a positive loss.
 */
public final class DivergenceDetector implements StepDetector {
    static final int CONFIRM = 3;
    private final double factor;
    private final Ewma fast;
    private final Ewma slow;
    private double initial = Double.NaN;
    private double best = Double.POSITIVE_INFINITY;
    private int breaches;
    private boolean active;

    /** What the detector has seen, to continue after a restart. */
    public record State(Ewma.State fast, Ewma.State slow, double initial, double best, int breaches, boolean active) {
    }

    DivergenceDetector(double factor, State s) {
        this.factor = factor;
        this.fast = Ewma.of(0.3, s == null ? null : s.fast());
        this.slow = Ewma.of(0.05, s == null ? null : s.slow());
        if (s != null) {
            initial = s.initial();
            best = s.best();
            breaches = s.breaches();
            active = s.active();
        }
    }

    State state() {
        return new State(fast.state(), slow.state(), initial, best, breaches, active);
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double v = metrics.get(MetricNames.LOSS);
        if (v == null || !Double.isFinite(v) || v <= 0) {
            return;
        }
        double f = fast.add(v);
        double s = slow.add(v);
        if (slow.count() == 1) {
            initial = v;
        }
        boolean diverging = f > factor * best && f > best + 0.5 * (initial - best);
        best = Math.min(best, s);
        breaches = diverging ? breaches + 1 : 0;
        if (breaches == 0) {
            active = false;
        } else if (breaches >= CONFIRM && !active) {
            active = true;
            out.add(new TrainingProblem("divergence", TrainingProblem.CRITICAL, step, MetricNames.LOSS, f / best,
                    String.format("loss diverges: its recent average %.4g is %.1fx the best level %.4g reached "
                            + "(initial %.4g); lower the learning rate or clip gradients", f, f / best, best, initial)));
        }
    }
}
