package dev.modelwatch.core.drift;

/**
 * A two-sample Kolmogorov–Smirnov test from sketches.
 *
 * @param statistic   {@code D = max_x |F_ref(x) - F_cur(x)|} over the sketches' CDFs
 * @param errorBound  how far {@code statistic} may be from the exact samples' D: the sum of the two
 *                    sketches' normalized rank errors (99% confidence; 0 for a sketch that still
 *                    holds every value)
 * @param effectiveN  {@code round(n m / (n + m))}, the sample size of the asymptotic distribution
 * @param pValue      two-sided asymptotic p-value of {@code statistic}, as scipy's
 *                    {@code ks_2samp(..., method='asymp')}
 */
public record KsResult(double statistic, double errorBound, long effectiveN, double pValue) {
    public KsResult {
        if (!(statistic >= 0 && statistic <= 1)) {
            throw new IllegalArgumentException("statistic must be in [0, 1], was " + statistic);
        }
        if (!(errorBound >= 0)) {
            throw new IllegalArgumentException("errorBound must be >= 0, was " + errorBound);
        }
    }

    /** The smallest D the exact samples can have: a drift is certain only when this exceeds a threshold. */
    public double lowerBound() {
        return Math.max(0, statistic - errorBound);
    }
}
