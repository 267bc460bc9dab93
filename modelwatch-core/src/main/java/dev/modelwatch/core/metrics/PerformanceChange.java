package dev.modelwatch.core.metrics;

import dev.modelwatch.core.quality.CountTests;
import java.util.Map;
import org.apache.commons.math3.distribution.FDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * How a window's performance compares with its reference's, and how likely so large a change is when
 * nothing changed: the series {@code accuracy_drop}, {@code f1_drop}, {@code rmse_ratio},
 * {@code estimated_accuracy_drop} and their one-sided p-values ({@code *_p_value}), which the default
 * rules require below 0.01 next to the change's size. Both sides are samples: a window of 100 labels
 * has an accuracy within about 0.09 of its expected one, and so, less, has the reference, so "5 points
 * below the reference" alone alarms on 12-16% of clean windows of 100 labels (BENCHMARKS.md).
 *
 * <ul>
 *   <li>{@code accuracy_drop}: reference accuracy minus the window's; p-value: Fisher's exact test that
 *       the window's error rate exceeds the reference's ({@link CountTests#fisherGreater}, errors of the
 *       labelled predictions).</li>
 *   <li>{@code f1_drop}: reference F1 minus the window's (binary: of the positive class; multiclass: macro);
 *       p-value: the normal tail of the drop over the two F1s' standard errors in quadrature, each by the
 *       delta method on the multinomial confusion counts ({@code F1 = 2a / (2a + b + c)} of the
 *       true-positive, false-positive and false-negative shares; a macro F1's as the mean of its classes',
 *       taken as independent).</li>
 *   <li>{@code rmse_ratio}: window RMSE over the reference's; p-value: the F test of the mean squared
 *       errors, {@code P(F(n, N) >= ratio^2)} (exact for normal errors).</li>
 *   <li>{@code estimated_accuracy_drop}: the reference's accuracy minus the window's estimate from scores;
 *       p-value: the normal tail of the drop over the estimate's band sd ({@code sqrt(sampling^2 +
 *       calibration^2)}, an upper bound of its spread) and the reference accuracy's sd in quadrature.</li>
 * </ul>
 *
 * @param change the drop (reference minus window) or, for RMSE, the ratio (window over reference)
 * @param pValue the one-sided probability of a change at least this large (a drop this large, a ratio this
 *               high) between two samples of one distribution; NaN when it cannot be computed
 */
public record PerformanceChange(double change, double pValue) {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    /** The accuracy drop of {@code current} against {@code reference}; null without labels on either side. */
    public static PerformanceChange accuracyDrop(ClassificationMetrics reference, ClassificationMetrics current) {
        if (reference.accuracy() == null || current.accuracy() == null) {
            return null;
        }
        long[] ref = correctOf(reference.confusion());
        long[] cur = correctOf(current.confusion());
        return accuracyDrop(ref[0], ref[1], cur[0], cur[1]);
    }

    /** The drop from {@code correctRef} of {@code totalRef} correct to {@code correct} of {@code total}. */
    public static PerformanceChange accuracyDrop(long correctRef, long totalRef, long correct, long total) {
        double p = CountTests.fisherGreater(totalRef - correctRef, totalRef, total - correct, total);
        return new PerformanceChange((double) correctRef / totalRef - (double) correct / total, p);
    }

    /** {correct, total} of a confusion matrix (actual class to predicted class to count). */
    public static long[] correctOf(Map<String, Map<String, Long>> confusion) {
        long correct = 0;
        long total = 0;
        for (Map.Entry<String, Map<String, Long>> row : confusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                total += cell.getValue();
                correct += cell.getKey().equals(row.getKey()) ? cell.getValue() : 0;
            }
        }
        return new long[] {correct, total};
    }

    /** The F1 drop; null without an F1 on either side. */
    public static PerformanceChange f1Drop(ClassificationMetrics reference, ClassificationMetrics current,
            ModelSpec spec) {
        if (reference.f1() == null || current.f1() == null) {
            return null;
        }
        double variance = f1Variance(reference, spec) + f1Variance(current, spec);
        double drop = reference.f1() - current.f1();
        double p = variance > 0 ? 1 - NORMAL.cumulativeProbability(drop / Math.sqrt(variance)) : drop > 0 ? 0 : 1;
        return new PerformanceChange(drop, p);
    }

    /** Delta-method variance of the (binary or macro) F1 of a confusion matrix. */
    static double f1Variance(ClassificationMetrics m, ModelSpec spec) {
        Map<String, Map<String, Long>> confusion = m.confusion();
        if (spec.task() == ModelTask.BINARY_CLASSIFICATION) {
            return classF1Variance(confusion, spec.positiveClass());
        }
        java.util.Set<String> classes = new java.util.TreeSet<>(confusion.keySet());
        confusion.values().forEach(row -> classes.addAll(row.keySet()));
        double sum = 0;
        for (String c : classes) {
            sum += classF1Variance(confusion, c);
        }
        return classes.isEmpty() ? 0 : sum / ((double) classes.size() * classes.size());
    }

    private static double classF1Variance(Map<String, Map<String, Long>> confusion, String c) {
        double a = 0;
        double b = 0;
        double cc = 0;
        double n = 0;
        for (Map.Entry<String, Map<String, Long>> row : confusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                double v = cell.getValue();
                n += v;
                boolean actual = row.getKey().equals(c);
                boolean predicted = cell.getKey().equals(c);
                if (actual && predicted) {
                    a += v;
                } else if (predicted) {
                    b += v;
                } else if (actual) {
                    cc += v;
                }
            }
        }
        double d = 2 * a + b + cc;
        if (n == 0 || d == 0) {
            return 0;
        }
        double pa = a / n;
        double pb = b / n;
        double pc = cc / n;
        double dp = d / n;
        double ga = 2 * (pb + pc) / (dp * dp);
        double gb = -2 * pa / (dp * dp);
        double mean = ga * pa + gb * (pb + pc);
        double second = ga * ga * pa + gb * gb * (pb + pc);
        return Math.max(0, second - mean * mean) / n;
    }

    /** The RMSE ratio; null without an RMSE on either side or a reference RMSE of 0. */
    public static PerformanceChange rmseRatio(RegressionMetrics reference, RegressionMetrics current) {
        if (reference.rmse() == null || current.rmse() == null || !(reference.rmse() > 0)) {
            return null;
        }
        double ratio = current.rmse() / reference.rmse();
        double p = 1 - new FDistribution(null, current.n(), reference.n()).cumulativeProbability(ratio * ratio);
        return new PerformanceChange(ratio, p);
    }

    /**
     * The drop of an estimated accuracy (sd {@code estimateSd}) below a reference accuracy (sd
     * {@code referenceSd}).
     */
    public static PerformanceChange estimatedDrop(double referenceAccuracy, double referenceSd, double estimate,
            double estimateSd) {
        double drop = referenceAccuracy - estimate;
        double sd = Math.sqrt(referenceSd * referenceSd + estimateSd * estimateSd);
        double p = sd > 0 ? 1 - NORMAL.cumulativeProbability(drop / sd) : drop > 0 ? 0 : 1;
        return new PerformanceChange(drop, p);
    }
}
