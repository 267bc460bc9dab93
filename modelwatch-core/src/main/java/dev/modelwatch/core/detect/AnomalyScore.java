package dev.modelwatch.core.detect;

/**
 * How far one value lies from a {@link Baseline}, in the detector's units (standard deviations for
 * {@link ZScoreDetector} and {@link SeasonalBaseline}, robust standard deviations for
 * {@link MadDetector}, band half-widths outside the band for {@link EwmaBand}). Signed: positive above
 * the baseline, negative below.
 *
 * @param score    the score; NaN when it cannot be computed (then {@code reason} says why)
 * @param value    the value that was scored
 * @param baseline what it was scored against
 * @param reason   null for an ordinary score; otherwise why it is NaN or infinite, or which fallback
 *                 gave the baseline's spread
 */
public record AnomalyScore(double score, double value, Baseline baseline, String reason) {
    public AnomalyScore {
        if (baseline == null) {
            throw new IllegalArgumentException("baseline must not be null");
        }
        if (Double.isNaN(score) && reason == null) {
            throw new IllegalArgumentException("reason must be given when score is NaN");
        }
    }

    /** The baseline's standardized value {@link Baseline#standardize(double)}, with the reason that applies. */
    static AnomalyScore standardized(double value, Baseline baseline) {
        if (Double.isNaN(value)) {
            return new AnomalyScore(Double.NaN, value, baseline, "the scored value is NaN");
        }
        return new AnomalyScore(baseline.standardize(value), value, baseline, baseline.reason());
    }

    /**
     * The normal-equivalent predictive score of {@code value} against a mean and sample standard deviation
     * of {@code n = baseline.points()} values: with {@code t = (x - mean) / (s sqrt(1 + 1/n))}, Student's t
     * with {@code n - 1} degrees of freedom for a new value of the same normal distribution, the score is
     * the standard normal quantile of the same tail probability, {@code Phi^-1(F_t(t))} (computed from
     * the nearer tail). So {@code |score| > 3} has probability 0.27% for stationary normal values
     * whatever n, where the plain z-score against 7 previous values passes 3 in 3.1% of them.
     */
    static AnomalyScore predictive(double value, Baseline baseline) {
        AnomalyScore plain = standardized(value, baseline);
        double z = plain.score();
        int n = baseline.points();
        if (!Double.isFinite(z) || n < 2) {
            return plain;
        }
        double t = z / Math.sqrt(1 + 1.0 / n);
        org.apache.commons.math3.distribution.TDistribution student =
                new org.apache.commons.math3.distribution.TDistribution(null, n - 1);
        org.apache.commons.math3.distribution.NormalDistribution normal =
                new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1);
        double tail = student.cumulativeProbability(-Math.abs(t));
        double equivalent = tail <= 0 ? Double.POSITIVE_INFINITY : -normal.inverseCumulativeProbability(tail);
        return new AnomalyScore(Math.copySign(equivalent, t), value, baseline, baseline.reason());
    }

    /** A score for a window that has no value to score. */
    static AnomalyScore empty() {
        return new AnomalyScore(Double.NaN, Double.NaN, Baseline.undefined(0, "no values"), "no values");
    }
}
