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

    /** A score for a window that has no value to score. */
    static AnomalyScore empty() {
        return new AnomalyScore(Double.NaN, Double.NaN, Baseline.undefined(0, "no values"), "no values");
    }
}
