package dev.modelwatch.core.detect;

/**
 * The location and spread that a detector scores a value against, estimated from a window of past
 * values: mean and standard deviation ({@link ZScoreDetector}), median and a robust spread
 * ({@link MadDetector}), or the exponentially weighted mean and standard deviation ({@link EwmaBand}).
 *
 * <p>{@link #standardize(double)} gives {@code (x - center) / spread}. A baseline is <b>undefined</b>
 * ({@code center} and {@code spread} NaN, with a reason) when it has fewer values than its estimator
 * needs or holds infinite values. <b>Zero spread</b> (every baseline value equal) is kept, not
 * replaced by an invented spread: a value equal to the center standardizes to 0 and any other value to
 * {@code ±Infinity} (it is infinitely far from a series that never moved), and {@code reason} says so.
 *
 * @param center the location (mean, median, EWMA), NaN when undefined
 * @param spread the scale in the data's units, {@code >= 0}, NaN when undefined
 * @param points how many (non-NaN) values the estimate used
 * @param reason null when center and spread were estimated as documented; otherwise why the baseline
 *               is undefined, that its spread is zero, or which fallback estimated the spread
 */
public record Baseline(double center, double spread, int points, String reason) {
    public Baseline {
        if (points < 0) {
            throw new IllegalArgumentException("points must be >= 0, was " + points);
        }
        if (spread < 0) {
            throw new IllegalArgumentException("spread must be >= 0 or NaN, was " + spread);
        }
        if ((Double.isNaN(center) || Double.isNaN(spread)) && reason == null) {
            throw new IllegalArgumentException("reason must be given when center or spread is NaN");
        }
    }

    /** A baseline that cannot be estimated, and why. */
    public static Baseline undefined(int points, String reason) {
        if (reason == null || reason.isEmpty()) {
            throw new IllegalArgumentException("reason must be non-empty");
        }
        return new Baseline(Double.NaN, Double.NaN, points, reason);
    }

    /** A baseline whose values are all {@code center}. */
    static Baseline zeroSpread(double center, int points) {
        return new Baseline(center, 0, points, "zero spread: all " + points + " baseline values equal " + center
                + "; a value equal to it scores 0, any other value +-Infinity");
    }

    /** Whether center and spread are numbers (the spread may still be zero). */
    public boolean isDefined() {
        return !Double.isNaN(center) && !Double.isNaN(spread);
    }

    /**
     * {@code (x - center) / spread}; with zero spread 0 for {@code x == center} and {@code ±Infinity}
     * otherwise; NaN when {@code x} is NaN or the baseline is undefined.
     */
    public double standardize(double x) {
        if (Double.isNaN(x) || !isDefined()) {
            return Double.NaN;
        }
        if (spread > 0) {
            return (x - center) / spread;
        }
        if (x == center) {
            return 0;
        }
        return x > center ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    static void checkRange(double[] values, int from, int to) {
        if (values == null) {
            throw new IllegalArgumentException("values must not be null");
        }
        if (from < 0 || to > values.length || from > to) {
            throw new IllegalArgumentException("from and to must satisfy 0 <= from <= to <= values.length ("
                    + values.length + "), were " + from + " and " + to);
        }
    }
}
