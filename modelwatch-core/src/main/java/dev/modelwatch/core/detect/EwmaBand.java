package dev.modelwatch.core.detect;

/**
 * A dynamic threshold band {@code center ± k * spread} from the exponentially weighted moving
 * average and standard deviation of past values, and how far a value lies outside it.
 *
 * <p><b>Recurrences</b> (Finch 2009, <i>Incremental calculation of weighted mean and variance</i>,
 * §9), over the baseline's non-NaN values {@code x_1..x_n} in time order:
 * <pre>
 *   m_1 = x_1,  v_1 = 0
 *   d = x_t - m_{t-1};  m_t = m_{t-1} + alpha d;  v_t = (1 - alpha)(v_{t-1} + alpha d^2)
 * </pre>
 * {@code m_n} is the weighted mean and {@code v_n} the weighted (biased) variance
 * {@code sum_i w_i (x_i - m_n)^2} with weights {@code w_1 = (1-alpha)^(n-1)} and
 * {@code w_i = alpha (1-alpha)^(n-i)} for {@code i > 1} (they sum to 1): the fixture script computes
 * exactly those weighted sums with numpy. {@code spread = sqrt(v_n)}.
 *
 * <p><b>Band.</b> {@code k} is in normal-equivalent standard deviations: the half-width is
 * {@code w = q spread sqrt((1 + S) / (1 - S))} with {@code S = sum w_i^2} of the weights above,
 * {@code q} Student's t quantile at {@code Phi(k)} with {@code 1 / S - 1} degrees of freedom (the
 * weights' effective number of values less one). The weighted variance is biased low by the factor
 * {@code 1 - S}, the weighted mean is itself off by a variance of {@code S sigma^2}, and the variance is
 * known from about {@code 1 / S} values only ({@code (2 - alpha) / alpha}: 5.7 at alpha = 0.3); a band
 * of {@code m +- 3 sqrt(v)} ignores the three and holds 95.9% of stationary normal values, not 99.73%
 * (measured, BENCHMARKS.md). With the correction a value of the same normal distribution lies outside
 * the band of {@code k} with probability {@code 2 (1 - Phi(k))}, approximately (the t quantile takes
 * the weighted variance as chi-square with the effective degrees of freedom).
 *
 * <p><b>Score</b> of a value {@code x}: 0 inside the band ({@code |x - m| <= w}); otherwise the number
 * of half-widths beyond the band's edge, {@code (x - (m + w)) / w} above it (positive) and
 * {@code (x - (m - w)) / w} below it (negative). So a score of 1 means the value is as far beyond the
 * edge as the edge is from the center.
 *
 * <p>Needs at least {@link #MIN_BASELINE} non-NaN baseline values (the variance of one value is 0).
 * With zero spread the band has no width: the score is 0 at the center and {@code ±Infinity} elsewhere.
 * The weighted variance of few values underestimates the spread; {@code 1/alpha} values or more give a
 * settled band.
 *
 * <p>Usage:
 * <pre>{@code
 * EwmaBand band = new EwmaBand(0.3, 3);
 * AnomalyScore s = band.scoreLast(values, 0, values.length); // 0 inside the band
 * }</pre>
 */
public final class EwmaBand {
    /** Two values are the fewest with a non-degenerate weighted variance. */
    public static final int MIN_BASELINE = 2;

    private final double alpha;
    private final double k;

    /**
     * @param alpha the smoothing factor, in (0, 1): the newest value's weight
     * @param k     the band's half-width in weighted standard deviations, {@code > 0}
     */
    public EwmaBand(double alpha, double k) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        if (!(k > 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k must be positive and finite, was " + k);
        }
        this.alpha = alpha;
        this.k = k;
    }

    public double alpha() {
        return alpha;
    }

    public double k() {
        return k;
    }

    /** The weighted mean and standard deviation of the non-NaN values in {@code values[from, to)}. */
    public Baseline baseline(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        int n = 0;
        double m = 0;
        double v = 0;
        for (int i = from; i < to; i++) {
            double x = values[i];
            if (Double.isNaN(x)) {
                continue;
            }
            if (Double.isInfinite(x)) {
                return Baseline.undefined(n, "the baseline holds infinite values");
            }
            if (n == 0) {
                m = x;
            } else {
                double d = x - m;
                double increment = alpha * d;
                m += increment;
                v = (1 - alpha) * (v + d * increment);
            }
            n++;
        }
        if (n < MIN_BASELINE) {
            return Baseline.undefined(n, "only " + n + " baseline value(s); the EWMA band needs at least "
                    + MIN_BASELINE);
        }
        return v > 0 ? new Baseline(m, Math.sqrt(v), n, null) : Baseline.zeroSpread(m, n);
    }

    /** How far {@code value} lies outside the band of {@code baseline[from, to)} (see the class comment). */
    public AnomalyScore score(double value, double[] baseline, int from, int to) {
        Baseline b = baseline(baseline, from, to);
        if (Double.isNaN(value)) {
            return new AnomalyScore(Double.NaN, value, b, "the scored value is NaN");
        }
        if (!b.isDefined()) {
            return new AnomalyScore(Double.NaN, value, b, b.reason());
        }
        return new AnomalyScore(excess(value, b.center(), halfWidth(b.spread(), b.points())), value, b, b.reason());
    }

    /** {@code sum w_i^2} of the weights of {@code n} values (see the class comment). */
    double squaredWeights(int n) {
        double decay = 1 - alpha;
        double first = Math.pow(decay, n - 1);
        // alpha^2 sum_{j=0}^{n-2} decay^(2j) + decay^(2(n-1))
        double rest = n < 2 ? 0 : alpha * alpha * (1 - Math.pow(decay, 2.0 * (n - 1))) / (1 - decay * decay);
        return first * first + rest;
    }

    /** The band's half-width for a weighted sd {@code spread} of {@code n} values (see the class comment). */
    public double halfWidth(double spread, int n) {
        double s = squaredWeights(n);
        double dof = 1 / s - 1;
        double q = new org.apache.commons.math3.distribution.TDistribution(null, dof)
                .inverseCumulativeProbability(new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1)
                        .cumulativeProbability(k));
        return q * spread * Math.sqrt((1 + s) / (1 - s));
    }

    /** How far {@code values[to - 1]} lies outside the band of {@code values[from, to - 1)}. */
    public AnomalyScore scoreLast(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        if (to == from) {
            return AnomalyScore.empty();
        }
        return score(values[to - 1], values, from, to - 1);
    }

    /** Half-widths beyond the edge of {@code center ± halfWidth}; 0 inside; ±Infinity outside a zero-width band. */
    static double excess(double x, double center, double halfWidth) {
        double d = x - center;
        if (Math.abs(d) <= halfWidth) {
            return 0;
        }
        if (halfWidth == 0) {
            return d > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        return d > 0 ? (d - halfWidth) / halfWidth : (d + halfWidth) / halfWidth;
    }

    @Override
    public String toString() {
        return "EwmaBand[alpha=" + alpha + ", k=" + k + "]";
    }
}
