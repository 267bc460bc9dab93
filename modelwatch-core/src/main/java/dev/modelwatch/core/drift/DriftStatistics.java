package dev.modelwatch.core.drift;

import java.util.List;

/**
 * Every drift statistic of one feature, null where it does not apply to the feature's type or could
 * not be computed (a non-finite value is reported as null, never as a number).
 *
 * @param psi                   PSI over reference deciles (numerical) or categories, see {@link PsiDriftTest}
 * @param ksStatistic           KS D from the sketches (numerical)
 * @param ksPValue              asymptotic p-value of {@code ksStatistic} ({@link KsDriftTest})
 * @param ksErrorBound          {@code |D - D_exact|} bound, the sum of the sketches' rank errors
 * @param wasserstein           W1 in the feature's units (numerical)
 * @param wassersteinNormalized W1 over the reference standard deviation; null when that is 0
 * @param wassersteinErrorBound {@code |W1 - W1_exact|} bound in the feature's units,
 *                              {@code eps_ref range_ref + eps_cur range_cur} ({@link WassersteinDrift})
 * @param jsDistance            Jensen–Shannon distance over the same bins as PSI
 * @param chi2Statistic         Pearson's X2 of the 2 x k table of category counts (categorical)
 * @param chi2PValue            its p-value with k - 1 degrees of freedom
 * @param newValues             categories in the current window and not in the reference (categorical)
 * @param vanishedValues        categories in the reference and not in the current window (categorical)
 * @param chi2DegreesOfFreedom  degrees of freedom of the chi-square test a decision rests on, after pooling
 *                              sparse categories ({@link CategoricalDrift#pooled}; categorical)
 */
public record DriftStatistics(Double psi, Double ksStatistic, Double ksPValue, Double ksErrorBound, Double wasserstein,
        Double wassersteinNormalized, Double wassersteinErrorBound, Double jsDistance, Double chi2Statistic,
        Double chi2PValue, List<String> newValues, List<String> vanishedValues, Integer chi2DegreesOfFreedom) {
    /** No statistic: the feature was not compared. */
    public static final DriftStatistics NONE = new DriftStatistics(null, null, null, null, null, null, null, null, null,
            null, null, null, null);

    public DriftStatistics {
        newValues = newValues == null ? null : List.copyOf(newValues);
        vanishedValues = vanishedValues == null ? null : List.copyOf(vanishedValues);
    }

    public static DriftStatistics of(NumericalDrift d) {
        return new DriftStatistics(finite(d.psi().psi()), finite(d.ks().statistic()), finite(d.ks().pValue()),
                finite(d.ks().errorBound()), finite(d.wasserstein().distance()), finite(d.wasserstein().normalized()),
                finite(d.wasserstein().errorBound()), finite(d.psi().jensenShannon()), null, null, null, null, null);
    }

    public static DriftStatistics of(CategoricalDrift d) {
        return new DriftStatistics(finite(d.psi().psi()), null, null, null, null, null, null,
                finite(d.psi().jensenShannon()), finite(d.chiSquare()), finite(d.pValue()), d.newCategories(),
                d.vanished(), d.pooledDegreesOfFreedom());
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
