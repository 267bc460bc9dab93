package dev.modelwatch.core.training;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Learning-rate trouble: within {@code AFTER} logged steps of the learning rate ({@code lr}) rising to
 * at least twice its previous value, the loss zig-zags — at least {@code ALTERNATION} (85%) of its last
 * {@code WINDOW} step-to-step changes flip sign, and their mean size is at least {@code AMPLITUDE} (40%)
 * of the loss level. An optimiser overshooting the minimum swings from side to side like that; noise
 * flips sign about two times in three, with smaller swings.
 */
public final class LrOscillationDetector implements StepDetector {
    static final int AFTER = 500;
    static final int WINDOW = 20;
    static final double ALTERNATION = 0.85;
    static final double AMPLITUDE = 0.4;
    private final Deque<Double> losses = new ArrayDeque<>();
    private double lastLr = Double.NaN;
    private long sinceRaise = Long.MAX_VALUE;
    private double raisedFrom;
    private double raisedTo;
    private boolean active;

    /** What the detector has seen, to continue after a restart. */
    public record State(java.util.List<Double> losses, double lastLr, long sinceRaise, double raisedFrom,
                        double raisedTo, boolean active) {
    }

    LrOscillationDetector(State s) {
        if (s != null) {
            losses.addAll(s.losses());
            lastLr = s.lastLr();
            sinceRaise = s.sinceRaise();
            raisedFrom = s.raisedFrom();
            raisedTo = s.raisedTo();
            active = s.active();
        }
    }

    State state() {
        return new State(java.util.List.copyOf(losses), lastLr, sinceRaise, raisedFrom, raisedTo, active);
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double lr = metrics.get(MetricNames.LR);
        if (lr != null && Double.isFinite(lr)) {
            if (lastLr > 0 && lr >= 2 * lastLr) {
                sinceRaise = 0;
                raisedFrom = lastLr;
                raisedTo = lr;
            }
            lastLr = lr;
        }
        Double v = metrics.get(MetricNames.LOSS);
        if (v == null || !Double.isFinite(v)) {
            return;
        }
        if (sinceRaise != Long.MAX_VALUE) {
            sinceRaise++;
        }
        losses.addLast(v);
        if (losses.size() > WINDOW + 1) {
            losses.removeFirst();
        }
        if (losses.size() <= WINDOW || sinceRaise > AFTER) {
            active = false;
            return;
        }
        Double[] x = losses.toArray(new Double[0]);
        int flips = 0;
        double size = 0;
        double level = 0;
        for (int i = 1; i < x.length; i++) {
            double d = x[i] - x[i - 1];
            size += Math.abs(d);
            level += Math.abs(x[i]);
            if (i > 1 && Math.signum(d) * Math.signum(x[i - 1] - x[i - 2]) < 0) {
                flips++;
            }
        }
        double alternation = flips / (double) (x.length - 2);
        double amplitude = level == 0 ? 0 : size / level;
        boolean oscillating = alternation >= ALTERNATION && amplitude >= AMPLITUDE;
        if (!oscillating) {
            active = false;
        } else if (!active) {
            active = true;
            out.add(new TrainingProblem("lr_oscillation", TrainingProblem.WARNING, step, MetricNames.LOSS, amplitude,
                    String.format("loss oscillates since the learning rate rose from %.3g to %.3g: %.0f%% of its last "
                            + "%d changes flip sign, by %.0f%% of its level on average; lower the learning rate or "
                            + "lengthen the warm-up", raisedFrom, raisedTo, 100 * alternation, WINDOW - 1, 100 * amplitude)));
        }
    }
}
