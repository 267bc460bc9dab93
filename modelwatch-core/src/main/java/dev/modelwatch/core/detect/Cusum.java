package dev.modelwatch.core.detect;

/**
 * Two-sided tabular CUSUM (Page 1954, <i>Continuous inspection schemes</i>; in the tabular form of
 * Montgomery, <i>Introduction to Statistical Quality Control</i>, §9.1) on standardized values
 * {@code z_i = (x_i - mu0) / sigma}:
 * <pre>
 *   C+_0 = C-_0 = 0
 *   C+_i = max(0, C+_{i-1} + z_i - k)      (accumulates upward departures beyond k)
 *   C-_i = max(0, C-_{i-1} - z_i - k)      (downward)
 * </pre>
 * A change is signalled at the first {@code i} with {@code max(C+_i, C-_i) > h}. {@code k} (the
 * reference value, usually half the shift to detect, in sigmas) and {@code h} (the decision interval)
 * set the trade-off between false alarms and delay: with {@code k = 0.5}, Siegmund's approximation
 * of the in-control average run length of one side is
 * {@code (exp(2 k b) - 2 k b - 1) / (2 k^2)}, {@code b = h + 1.166}: about 940 at {@code h = 5} (the
 * textbook choice, so a false alarm every ~470 points two-sided) and about 140,000 at {@code h = 10},
 * which still flags a 3-sigma shift within about {@code b / (3 - k)} ≈ 5 points.
 *
 * <p><b>In-control mean and sigma.</b> Given by the caller ({@link #run(double[], int, int, double, double)})
 * or, by default, estimated robustly from the window itself ({@link #run(double[], int, int)}): the
 * median and the scaled MAD of {@link MadDetector#MAD} (with its mean-absolute-deviation fallback), so
 * that a shift affecting fewer than half of the window's values barely moves the estimate. That
 * estimate needs {@link MadDetector#MIN_BASELINE} values; a window whose values are all equal has zero
 * spread and statistic 0. NaN values are skipped and leave the sums unchanged.
 *
 * <p>Estimating from the window is unbiased when the window is in control, so the false-alarm rate
 * above holds for stationary data. When a shift affects a fraction {@code f} of the window, the median
 * moves towards the new level (by about {@code 0.28 sigma} for a 3-sigma shift in the last 20%), so
 * the values before the shift lean the other way; the test still reports a change in the window, but
 * the alarm may come before the shift point. To locate a change, pass the in-control mean and sigma.
 *
 * <p>The statistic reported is the largest {@code max(C+_i, C-_i)} over the window, so
 * {@code detected() == statistic > h}. The sums are not reset after an alarm.
 *
 * <p>Usage:
 * <pre>{@code
 * ChangePoint c = new Cusum(0.5, 10).run(values, 0, values.length);
 * if (c.detected()) { int at = c.alarmIndex(); ... }
 * }</pre>
 */
public final class Cusum {
    private final double k;
    private final double h;

    /**
     * @param k the reference value (allowance) in standard deviations, {@code >= 0}
     * @param h the decision interval in standard deviations, {@code > 0}; {@code +Infinity} never
     *          alarms (to read only the statistic)
     */
    public Cusum(double k, double h) {
        if (!(k >= 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k must be >= 0 and finite, was " + k);
        }
        if (!(h > 0)) {
            throw new IllegalArgumentException("h must be > 0, was " + h);
        }
        this.k = k;
        this.h = h;
    }

    public double k() {
        return k;
    }

    public double h() {
        return h;
    }

    /** CUSUM of {@code values[from, to)} standardized by their own median and scaled MAD. */
    public ChangePoint run(double[] values, int from, int to) {
        Baseline b = MadDetector.MAD.baseline(values, from, to);
        if (!b.isDefined()) {
            return ChangePoint.undefined(h, b.points(), b.reason());
        }
        return run(values, from, to, b);
    }

    /** CUSUM of {@code values[from, to)} standardized by a known in-control {@code mean} and {@code sd > 0}. */
    public ChangePoint run(double[] values, int from, int to, double mean, double sd) {
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("mean must be finite, was " + mean);
        }
        if (!(sd > 0) || Double.isInfinite(sd)) {
            throw new IllegalArgumentException("sd must be positive and finite, was " + sd);
        }
        Baseline.checkRange(values, from, to);
        return run(values, from, to, new Baseline(mean, sd, 0, null));
    }

    private ChangePoint run(double[] values, int from, int to, Baseline b) {
        double upper = 0;
        double lower = 0;
        double max = 0;
        int alarm = -1;
        int direction = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isNaN(values[i])) {
                continue;
            }
            double z = b.standardize(values[i]);
            n++;
            upper = Math.max(0, upper + z - k);
            lower = Math.max(0, lower - z - k);
            double s = Math.max(upper, lower);
            if (s > max) {
                max = s;
            }
            if (alarm < 0 && s > h) {
                alarm = i;
                direction = upper >= lower ? 1 : -1;
            }
        }
        return new ChangePoint(max, h, alarm, direction, n, b.reason());
    }

    @Override
    public String toString() {
        return "Cusum[k=" + k + ", h=" + h + "]";
    }
}
