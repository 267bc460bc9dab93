package dev.modelwatch.core.metrics;

import dev.modelwatch.core.profile.ScoreHistogram;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * How much of a profile's predictions have labels so far ({@code label_coverage}: labelled over
 * predictions), and a two-sided 95% confidence interval of each realized performance metric, from the
 * labels joined so far. Methods (checked against scipy, see the fixture {@code performance_intervals.json}):
 * <ul>
 *   <li>accuracy, and binary precision and recall (proportions of counts): the <b>Wilson score
 *       interval</b> ({@code scipy.stats.binomtest(k, n).proportion_ci(method="wilson")});</li>
 *   <li>multiclass (macro) precision and recall: a normal approximation, the mean of the classes'
 *       binomial variances {@code p(1-p)/n} over the number of classes squared (classes taken as
 *       independent), clipped to [0, 1];</li>
 *   <li>F1 (binary or macro): a normal approximation with the delta-method standard error of
 *       {@code 2a / (2a + b + c)} on the multinomial confusion counts (as {@link PerformanceChange}),
 *       clipped to [0, 1];</li>
 *   <li>ROC AUC: a normal approximation with the Hanley–McNeil (1982) standard error
 *       {@code (A(1-A) + (n1-1)(Q1-A²) + (n0-1)(Q2-A²)) / (n1 n0)}, {@code Q1 = A/(2-A)},
 *       {@code Q2 = 2A²/(1+A)}; multiclass: the classes' one-vs-rest variances averaged as above; clipped
 *       to [0, 1];</li>
 *   <li>RMSE: the chi-square interval of normal errors, {@code [sqrt(SSE/χ²(0.975, n)),
 *       sqrt(SSE/χ²(0.025, n))]};</li>
 *   <li>MAE: a normal approximation, the variance of the absolute errors being {@code SSE/n − MAE²}
 *       (the profile keeps both sums), the lower end clipped at 0.</li>
 * </ul>
 * A metric without a value (no labels, one class only) has no interval; log loss, MAPE and R² have none.
 *
 * @param labelCoverage labelled predictions over predictions (at most 1), null without predictions
 * @param intervals     by metric name ({@code accuracy}, {@code precision}, ...), in that order
 */
public record PerformanceIntervals(Double labelCoverage, Map<String, Interval> intervals) {
    /** The confidence level of every interval. */
    public static final double LEVEL = 0.95;
    /** The normal quantile of {@link #LEVEL}, two-sided. */
    static final double Z = 1.959963984540054;

    /** The metrics that carry an interval, in order. */
    public static final java.util.List<String> METRICS = java.util.List.of("accuracy", "precision", "recall", "f1",
            "roc_auc", "mae", "rmse");

    /**
     * One interval.
     *
     * @param lower  its lower end
     * @param upper  its upper end
     * @param method {@code wilson}, {@code normal} or {@code chi_square}
     */
    public record Interval(double lower, double upper, String method) {
    }

    public PerformanceIntervals {
        intervals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(intervals));
    }

    /** The coverage and the intervals of a profile's labelled predictions. */
    public static PerformanceIntervals of(WindowProfile p, ModelSpec spec) {
        Double coverage = coverage(p.labeled(), p.count());
        Map<String, Interval> out = new LinkedHashMap<>();
        if (spec.task().isClassification()) {
            classification(p, spec, out);
        } else {
            long n = p.regressionCount();
            if (n > 0) {
                double mae = p.absErrorSum() / n;
                double variance = Math.max(0, p.squaredErrorSum() / n - mae * mae) / n;
                Interval m = normal(mae, variance, 0, Double.POSITIVE_INFINITY);
                out.put("mae", m);
                out.put("rmse", rmse(p.squaredErrorSum(), n));
            }
        }
        return new PerformanceIntervals(coverage, out);
    }

    /** {@code labeled / count}, at most 1; null when {@code count} is 0. */
    public static Double coverage(long labeled, long count) {
        return count <= 0 ? null : Math.min(1.0, (double) labeled / count);
    }

    private static void classification(WindowProfile p, ModelSpec spec, Map<String, Interval> out) {
        ClassificationMetrics m = ClassificationMetrics.of(p, spec);
        Map<String, Map<String, Long>> confusion = m.confusion();
        TreeSet<String> classes = new TreeSet<>(confusion.keySet());
        confusion.values().forEach(row -> classes.addAll(row.keySet()));
        long total = 0;
        long correct = 0;
        Map<String, long[]> counts = new LinkedHashMap<>(); // class -> {tp, predicted, actual}
        for (String c : classes) {
            counts.put(c, new long[3]);
        }
        for (Map.Entry<String, Map<String, Long>> row : confusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                long v = cell.getValue();
                total += v;
                if (cell.getKey().equals(row.getKey())) {
                    correct += v;
                    counts.get(row.getKey())[0] += v;
                }
                counts.get(cell.getKey())[1] += v;
                counts.get(row.getKey())[2] += v;
            }
        }
        if (m.accuracy() != null && total > 0) {
            out.put("accuracy", wilson(correct, total));
        }
        if (spec.task() == ModelTask.BINARY_CLASSIFICATION) {
            long[] pos = counts.get(spec.positiveClass());
            if (m.precision() != null && pos != null && pos[1] > 0) {
                out.put("precision", wilson(pos[0], pos[1]));
            }
            if (m.recall() != null && pos != null && pos[2] > 0) {
                out.put("recall", wilson(pos[0], pos[2]));
            }
        } else if (!classes.isEmpty()) {
            if (m.precision() != null) {
                out.put("precision", normal(m.precision(), macroVariance(counts, 1), 0, 1));
            }
            if (m.recall() != null) {
                out.put("recall", normal(m.recall(), macroVariance(counts, 2), 0, 1));
            }
        }
        if (m.f1() != null) {
            out.put("f1", normal(m.f1(), PerformanceChange.f1Variance(m, spec), 0, 1));
        }
        if (m.rocAuc() != null) {
            double variance;
            if (spec.task() == ModelTask.BINARY_CLASSIFICATION) {
                long n1 = 0;
                long n0 = 0;
                for (Map.Entry<String, ScoreHistogram> h : p.binaryScoresByActual().entrySet()) {
                    if (h.getKey().equals(spec.positiveClass())) {
                        n1 += h.getValue().total();
                    } else {
                        n0 += h.getValue().total();
                    }
                }
                variance = hanleyMcNeilVariance(m.rocAuc(), n1, n0);
            } else {
                double sum = 0;
                int k = 0;
                for (ScoreHistogram[] h : p.oneVsRest().values()) {
                    if (h[0].total() > 0 && h[1].total() > 0) {
                        sum += hanleyMcNeilVariance(ScoreHistogram.auc(h[0], h[1]), h[0].total(), h[1].total());
                        k++;
                    }
                }
                variance = k == 0 ? 0 : sum / ((double) k * k);
            }
            out.put("roc_auc", normal(m.rocAuc(), variance, 0, 1));
        }
    }

    /** The variance of a macro average of per-class proportions {@code tp / counts[denominator]}. */
    private static double macroVariance(Map<String, long[]> counts, int denominator) {
        double sum = 0;
        for (long[] c : counts.values()) {
            long n = c[denominator];
            if (n > 0) {
                double q = (double) c[0] / n;
                sum += q * (1 - q) / n;
            }
        }
        return sum / ((double) counts.size() * counts.size());
    }

    /** The Wilson score interval of {@code k} successes in {@code n} trials at {@link #LEVEL}. */
    public static Interval wilson(long k, long n) {
        if (n <= 0 || k < 0 || k > n) {
            throw new IllegalArgumentException("wilson: need 0 <= k <= n and n > 0, got k=" + k + ", n=" + n);
        }
        double p = (double) k / n;
        double z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denominator;
        double half = Z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Interval(Math.max(0, center - half), Math.min(1, center + half), "wilson");
    }

    /** {@code estimate ± z sqrt(variance)}, clipped to [min, max]. */
    public static Interval normal(double estimate, double variance, double min, double max) {
        double half = Z * Math.sqrt(Math.max(0, variance));
        return new Interval(Math.max(min, estimate - half), Math.min(max, estimate + half), "normal");
    }

    /** The Hanley–McNeil variance of an AUC {@code a} from {@code n1} positives and {@code n0} negatives. */
    public static double hanleyMcNeilVariance(double a, long n1, long n0) {
        if (n1 <= 0 || n0 <= 0) {
            return 0;
        }
        double q1 = a / (2 - a);
        double q2 = 2 * a * a / (1 + a);
        double v = (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / ((double) n1 * n0);
        return Math.max(0, v);
    }

    /** The chi-square interval of the RMSE of {@code n} normal errors with squared sum {@code sse}. */
    public static Interval rmse(double sse, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("rmse: n must be positive, got " + n);
        }
        ChiSquaredDistribution chi = new ChiSquaredDistribution(null, n, 1e-12);
        double alpha = 1 - LEVEL;
        return new Interval(Math.sqrt(sse / chi.inverseCumulativeProbability(1 - alpha / 2)),
                Math.sqrt(sse / chi.inverseCumulativeProbability(alpha / 2)), "chi_square");
    }
}
