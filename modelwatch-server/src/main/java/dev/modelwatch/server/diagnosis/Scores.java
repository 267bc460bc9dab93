package dev.modelwatch.server.diagnosis;

import dev.modelwatch.core.metrics.PerformanceChange;
import java.util.Map;
import org.apache.commons.math3.distribution.NormalDistribution;

/** The scale every cause is scored on (docs/diagnosis.md): p-values as confidences, clamped fractions, counts. */
final class Scores {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private Scores() {
    }

    /** {correct, labelled} of a confusion matrix (actual → predicted → count): core's count. */
    static long[] correct(Map<String, Map<String, Long>> confusion) {
        return PerformanceChange.correctOf(confusion);
    }

    /** How convincing a p-value is: 0 at p = 1, 0.5 at p = 0.01, 1 at p <= 1e-4 ({@code -log10(p) / 4}). */
    static double confidence(double p) {
        if (!(p >= 0)) {
            return 0;
        }
        return clamp(-Math.log10(Math.max(p, 1e-300)) / 4);
    }

    /** {@code v} within 0..1; NaN is 0. */
    static double clamp(double v) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }

    /** The two-sided p-value of a standard normal statistic. */
    static double twoSidedP(double z) {
        return 2 * (1 - NORMAL.cumulativeProbability(Math.abs(z)));
    }

    /** A number with three decimals for summaries, {@code n/a} for null. */
    static String fmt(Double v) {
        return v == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", v);
    }
}
