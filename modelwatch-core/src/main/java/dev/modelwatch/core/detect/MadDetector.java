package dev.modelwatch.core.detect;

import java.util.Arrays;

/**
 * A robust standard score: {@code (x - median) / spread} with a spread that a minority of outliers in
 * the baseline cannot inflate. Two variants:
 * <ul>
 *   <li>{@link Spread#MAD}: the modified z-score of Iglewicz and Hoaglin (1993, <i>How to Detect and
 *       Handle Outliers</i>), {@code spread = 1.4826 MAD}, {@code MAD = median_i |x_i - median|}. The
 *       constant {@link #MAD_TO_SD} {@code = 1 / Phi^-1(3/4)} makes it a consistent estimator of the
 *       standard deviation of normal data (scipy's {@code median_abs_deviation(x, scale='normal')}).
 *       Breakdown point 50%.</li>
 *   <li>{@link Spread#IQR}: {@code spread = (Q3 - Q1) / 1.349}, {@link #IQR_TO_SD}
 *       {@code = 2 Phi^-1(3/4)}, quartiles by linear interpolation between order statistics
 *       (numpy's default, Hyndman-Fan type 7; scipy's {@code iqr(x, scale='normal')}). Breakdown 25%.</li>
 * </ul>
 * The median of an even count is the mean of the two middle values.
 *
 * <p><b>Zero spread.</b> When more than half the baseline values are equal the MAD is 0 (and the IQR
 * when more than half lie between the quartiles at one value), although the data do vary. The spread
 * then falls back to {@code sqrt(pi/2) * mean_i |x_i - median|} ({@link #MEAN_AD_TO_SD}; the mean
 * absolute deviation of a normal is {@code sigma sqrt(2/pi)}), the fallback IBM SPSS and Iglewicz and
 * Hoaglin's followers use, and the baseline's reason says so. Only when that is 0 too (every value
 * equal) is the spread 0, with the score 0 or {@code ±Infinity} (see {@link Baseline}).
 *
 * <p>Needs at least {@link #MIN_BASELINE} non-NaN baseline values (NaN values are skipped): with two
 * the median is their mean and nothing is robust. The scored value is not part of the baseline.
 *
 * <p>Usage:
 * <pre>{@code
 * AnomalyScore m = MadDetector.MAD.scoreLast(values, 0, values.length);
 * if (Math.abs(m.score()) > 3.5) { ... } // Iglewicz and Hoaglin's cut-off
 * }</pre>
 */
public final class MadDetector {
    /** {@code 1 / Phi^-1(3/4)}: the MAD times this estimates a normal's standard deviation (≈ 1.4826). */
    public static final double MAD_TO_SD = 1.482602218505602;
    /** {@code 2 Phi^-1(3/4)}: the IQR divided by this estimates a normal's standard deviation (≈ 1.349). */
    public static final double IQR_TO_SD = 1.3489795003921634;
    /** {@code sqrt(pi / 2)}: the mean absolute deviation times this estimates a normal's standard deviation. */
    public static final double MEAN_AD_TO_SD = 1.2533141373155003;
    /** Fewest baseline values a robust estimate is computed from. */
    public static final int MIN_BASELINE = 3;

    /** The modified z-score (median absolute deviation). */
    public static final MadDetector MAD = new MadDetector(Spread.MAD);
    /** The score in interquartile-range standard deviations. */
    public static final MadDetector IQR = new MadDetector(Spread.IQR);

    /** Which robust spread to scale by. */
    public enum Spread {
        /** {@code 1.4826 * median |x - median|}. */
        MAD,
        /** {@code (Q3 - Q1) / 1.349}. */
        IQR
    }

    private final Spread spread;

    public MadDetector(Spread spread) {
        if (spread == null) {
            throw new IllegalArgumentException("spread must not be null");
        }
        this.spread = spread;
    }

    public Spread spread() {
        return spread;
    }

    /** Median and robust spread of the non-NaN values in {@code values[from, to)}. */
    public Baseline baseline(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        double[] x = new double[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            double v = values[i];
            if (Double.isNaN(v)) {
                continue;
            }
            if (Double.isInfinite(v)) {
                return Baseline.undefined(n, "the baseline holds infinite values");
            }
            x[n++] = v;
        }
        if (n < MIN_BASELINE) {
            return Baseline.undefined(n, "only " + n + " baseline value(s); the robust score needs at least "
                    + MIN_BASELINE);
        }
        Arrays.sort(x, 0, n);
        double median = quantileOfSorted(x, n, 0.5);
        double s;
        if (spread == Spread.IQR) {
            s = (quantileOfSorted(x, n, 0.75) - quantileOfSorted(x, n, 0.25)) / IQR_TO_SD;
        } else {
            double[] deviations = new double[n];
            for (int i = 0; i < n; i++) {
                deviations[i] = Math.abs(x[i] - median);
            }
            Arrays.sort(deviations);
            s = quantileOfSorted(deviations, n, 0.5) * MAD_TO_SD;
        }
        if (s > 0) {
            return new Baseline(median, s, n, null);
        }
        double absoluteDeviations = 0;
        for (int i = 0; i < n; i++) {
            absoluteDeviations += Math.abs(x[i] - median);
        }
        double meanAd = absoluteDeviations / n;
        if (meanAd > 0) {
            return new Baseline(median, meanAd * MEAN_AD_TO_SD, n, spread + " is 0 (most baseline values are equal);"
                    + " spread = sqrt(pi/2) * mean absolute deviation from the median");
        }
        return Baseline.zeroSpread(median, n);
    }

    /** The robust score of {@code value} against {@code baseline[from, to)}. */
    public AnomalyScore score(double value, double[] baseline, int from, int to) {
        return AnomalyScore.standardized(value, baseline(baseline, from, to));
    }

    /** The robust score of {@code values[to - 1]} against {@code values[from, to - 1)}. */
    public AnomalyScore scoreLast(double[] values, int from, int to) {
        Baseline.checkRange(values, from, to);
        if (to == from) {
            return AnomalyScore.empty();
        }
        return score(values[to - 1], values, from, to - 1);
    }

    /**
     * Quantile {@code p} of the first {@code n} sorted values by linear interpolation between order
     * statistics: {@code h = (n - 1) p}, {@code x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])}.
     */
    static double quantileOfSorted(double[] sorted, int n, double p) {
        double h = (n - 1) * p;
        int lo = (int) Math.floor(h);
        if (lo >= n - 1) {
            return sorted[n - 1];
        }
        double frac = h - lo;
        return frac == 0 ? sorted[lo] : sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
    }

    @Override
    public String toString() {
        return "MadDetector[" + spread + "]";
    }
}
