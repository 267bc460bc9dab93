package dev.modelwatch.core.training;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Memory growth that will hit the limit: a least-squares line through the last {@code WINDOW} (50) values
 * of {@code gpu_memory_bytes} against the step, extrapolated, reaches {@code gpu_memory_limit_bytes} (the
 * device's memory, sent by the client or the agent) within {@code memory_horizon_steps} (2,000) steps, with both halves
 * of the window growing, for {@code CONFIRM} logged steps in a row. A leak looks like that; the
 * allocator's warm-up in the first steps, then a flat line, does not.
 */
public final class MemoryGrowthDetector implements StepDetector {
    static final int WINDOW = 50;
    static final int CONFIRM = 10;
    private final Deque<double[]> points = new ArrayDeque<>();
    private double limit = Double.NaN;
    private long seen;
    private int breaches;
    private boolean active;
    private final long horizon;

    /** What the detector has seen, to continue after a restart: the window as [step, bytes] pairs. */
    public record State(java.util.List<double[]> points, double limit, long seen, int breaches, boolean active) {
    }

    MemoryGrowthDetector(long horizon, State s) {
        this.horizon = horizon;
        if (s != null) {
            points.addAll(s.points());
            limit = s.limit();
            seen = s.seen();
            breaches = s.breaches();
            active = s.active();
        }
    }

    State state() {
        return new State(points.stream().map(double[]::clone).toList(), limit, seen, breaches, active);
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double l = metrics.get(MetricNames.MEMORY_LIMIT);
        if (l != null && Double.isFinite(l) && l > 0) {
            limit = l;
        }
        Double v = metrics.get(MetricNames.MEMORY);
        if (v == null || !Double.isFinite(v)) {
            return;
        }
        seen++;
        points.addLast(new double[] {step, v});
        if (points.size() > WINDOW) {
            points.removeFirst();
        }
        if (points.size() < WINDOW || seen < 2L * WINDOW || !(limit > 0)) {
            return;
        }
        double[][] p = points.toArray(new double[0][]);
        double slope = slope(p, 0, p.length);
        boolean growing = slope > 0 && slope(p, 0, p.length / 2) > 0 && slope(p, p.length / 2, p.length) > 0;
        double stepsLeft = growing ? (limit - v) / slope : Double.POSITIVE_INFINITY;
        boolean breach = growing && stepsLeft < horizon;
        breaches = breach ? breaches + 1 : 0;
        if (breaches == 0) {
            active = false;
        } else if (breaches >= CONFIRM && !active) {
            active = true;
            out.add(new TrainingProblem("memory_growth", TrainingProblem.WARNING, step, MetricNames.MEMORY, stepsLeft,
                    String.format("memory grows by %.3g bytes a step: %.3g of %.3g bytes used, the limit is reached in "
                            + "about %.0f steps; look for tensors kept across steps (a loss accumulated with its graph, "
                            + "a growing cache)", slope, v, limit, Math.max(0, stepsLeft))));
        }
    }

    /** The least-squares slope of value on step over points [from, to). */
    private static double slope(double[][] p, int from, int to) {
        int n = to - from;
        double sx = 0;
        double sy = 0;
        for (int i = from; i < to; i++) {
            sx += p[i][0];
            sy += p[i][1];
        }
        double mx = sx / n;
        double my = sy / n;
        double sxy = 0;
        double sxx = 0;
        for (int i = from; i < to; i++) {
            sxy += (p[i][0] - mx) * (p[i][1] - my);
            sxx += (p[i][0] - mx) * (p[i][0] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
