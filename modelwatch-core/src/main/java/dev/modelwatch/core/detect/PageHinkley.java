package dev.modelwatch.core.detect;

/**
 * The two-sided Page–Hinkley test (Page 1954; Hinkley 1971, <i>Inference about the change-point from
 * cumulative sum tests</i>; in the form of Gama et al. 2014, <i>A survey on concept drift
 * adaptation</i>, §3.2) on the raw values, against their running mean
 * {@code xbar_t = (1/t) sum_{j<=t} x_j}:
 * <pre>
 *   U_T = sum_{t &le; T} (x_t - xbar_t - delta)     PH+_T = U_T - min_{0 &le; t &le; T} U_t   (upward change)
 *   L_T = sum_{t &le; T} (x_t - xbar_t + delta)     PH-_T = max_{0 &le; t &le; T} L_t - L_T   (downward change)
 * </pre>
 * with {@code U_0 = L_0 = 0}, computed by the equivalent recursions
 * {@code PH+_T = max(0, PH+_{T-1} + x_T - xbar_T - delta)} and
 * {@code PH-_T = max(0, PH-_{T-1} - (x_T - xbar_T + delta))}. A change is signalled at the first
 * {@code T} with {@code max(PH+_T, PH-_T) > lambda}.
 *
 * <p>Unlike {@link Cusum} it needs no in-control mean: the running mean plays that part, so the test
 * is meant to run from a stretch of stable values. {@code delta} (the magnitude of change tolerated)
 * and {@code lambda} (the alarm threshold) are in the data's units: for values with standard deviation
 * sigma, {@code delta = 0.5 sigma} and {@code lambda = 15 sigma} flag a 3-sigma shift after a long stable
 * stretch within about {@code lambda / (3 sigma - delta)} = 6 values, and behave in control like a
 * one-sided CUSUM with {@code k = 0.5}, {@code h = 15} (no false alarm in practice).
 *
 * <p>Needs {@link #MIN_POINTS} non-NaN values; NaN values are skipped. The statistic reported is the
 * largest {@code max(PH+_T, PH-_T)} over the window, so {@code detected() == statistic > lambda}.
 *
 * <p>Usage:
 * <pre>{@code
 * ChangePoint c = new PageHinkley(0.5, 15) // for values with sigma = 1.run(values, 0, values.length);
 * }</pre>
 */
public final class PageHinkley {
    /** The first value always equals its running mean: two are the fewest that can show anything. */
    public static final int MIN_POINTS = 2;

    private final double delta;
    private final double lambda;

    /**
     * @param delta  the magnitude of change tolerated, {@code >= 0}, in the data's units
     * @param lambda the alarm threshold, {@code > 0}, in the data's units; {@code +Infinity} never alarms
     */
    public PageHinkley(double delta, double lambda) {
        if (!(delta >= 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("delta must be >= 0 and finite, was " + delta);
        }
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda must be > 0, was " + lambda);
        }
        this.delta = delta;
        this.lambda = lambda;
    }

    public double delta() {
        return delta;
    }

    public double lambda() {
        return lambda;
    }

    /** The test over {@code values[from, to)}; {@code alarmIndex} indexes {@code values}. */
    public ChangePoint run(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        int n = 0;
        double mean = 0;
        double up = 0;
        double down = 0;
        double max = 0;
        int alarm = -1;
        int direction = 0;
        for (int i = from; i < to; i++) {
            double x = values[i];
            if (Double.isNaN(x)) {
                continue;
            }
            if (Double.isInfinite(x)) {
                return ChangePoint.undefined(lambda, n, "the values hold infinities");
            }
            n++;
            mean += (x - mean) / n;
            double deviation = x - mean;
            up = Math.max(0, up + deviation - delta);
            down = Math.max(0, down - deviation - delta);
            double s = Math.max(up, down);
            if (s > max) {
                max = s;
            }
            if (alarm < 0 && s > lambda) {
                alarm = i;
                direction = up >= down ? 1 : -1;
            }
        }
        if (n < MIN_POINTS) {
            return ChangePoint.undefined(lambda, n, "only " + n + " value(s); Page-Hinkley needs at least " + MIN_POINTS);
        }
        return new ChangePoint(max, lambda, alarm, direction, n, null);
    }

    @Override
    public String toString() {
        return "PageHinkley[delta=" + delta + ", lambda=" + lambda + "]";
    }
}
