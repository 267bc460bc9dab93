package dev.modelwatch.core.detect;

/**
 * The standard score of a value against a window of past values:
 * {@code z = (x - mean) / s} with {@code mean = (1/n) sum x_i} and the sample standard deviation
 * {@code s = sqrt(sum (x_i - mean)^2 / (n - 1))} (two passes, so the rounding error is a few ulps per
 * value: numpy's {@code (x - b.mean()) / b.std(ddof=1)} to about 1e-12 relative).
 *
 * <p>The scored value is not part of the baseline: an outlier would otherwise inflate its own
 * standard deviation (a value inside its own baseline of n values can never score more than
 * {@code (n - 1) / sqrt(n)}). Needs at least {@link #MIN_BASELINE} baseline values; NaN values are
 * missing measurements and are skipped. With zero spread the score is 0 or {@code ±Infinity}
 * (see {@link Baseline}). The mean and standard deviation are not robust: one outlier in the baseline
 * moves both; use {@link MadDetector} where the baseline itself may hold outliers.
 *
 * <p>Usage:
 * <pre>{@code
 * AnomalyScore z = ZScoreDetector.scoreLast(values, 0, values.length); // last value against the others
 * if (Math.abs(z.score()) > 3) { ... }
 * }</pre>
 */
public final class ZScoreDetector {
    /** The sample standard deviation needs two values. */
    public static final int MIN_BASELINE = 2;

    private ZScoreDetector() {
    }

    /** Mean and sample standard deviation of the non-NaN values in {@code values[from, to)}. */
    public static Baseline baseline(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        int n = 0;
        double sum = 0;
        for (int i = from; i < to; i++) {
            double v = values[i];
            if (!Double.isNaN(v)) {
                n++;
                sum += v;
            }
        }
        if (n < MIN_BASELINE) {
            return Baseline.undefined(n, "only " + n + " baseline value(s); the z-score needs at least " + MIN_BASELINE);
        }
        double mean = sum / n;
        double squares = 0;
        for (int i = from; i < to; i++) {
            double v = values[i];
            if (!Double.isNaN(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        double sd = Math.sqrt(squares / (n - 1));
        if (!Double.isFinite(mean) || !Double.isFinite(sd)) {
            return Baseline.undefined(n, "the baseline holds infinite values");
        }
        return sd == 0 ? Baseline.zeroSpread(mean, n) : new Baseline(mean, sd, n, null);
    }

    /** The z-score of {@code value} against {@code baseline[from, to)}. */
    public static AnomalyScore score(double value, double[] baseline, int from, int to) {
        return AnomalyScore.standardized(value, baseline(baseline, from, to));
    }

    /** The z-score of {@code values[to - 1]} against {@code values[from, to - 1)}. */
    public static AnomalyScore scoreLast(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        if (to == from) {
            return AnomalyScore.empty();
        }
        return score(values[to - 1], values, from, to - 1);
    }
}
