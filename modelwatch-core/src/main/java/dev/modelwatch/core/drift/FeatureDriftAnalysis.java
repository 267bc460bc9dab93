package dev.modelwatch.core.drift;

import dev.modelwatch.core.profile.FeatureProfile;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Computes a feature's drift statistics and decides, under a {@link DriftPolicy}, whether it drifted.
 *
 * <p>The feature's type comes from the reference profile ({@link FeatureType#of}); its counts are
 * the finite numbers (numerical) or strings (categorical) of each profile. With fewer than the
 * policy's minimum count on either side, or no reference, the feature is {@code not_tested} and no
 * statistic is reported. Otherwise every statistic of its type is computed
 * ({@link NumericalDrift}, {@link CategoricalDrift}), with the p-value of the feature's test (KS or
 * chi-square, whatever method decides), and the decision is made by {@link DriftFamily}: a test
 * decides on its p-value against the level the report's multiple-testing adjustment leaves it, a
 * distance on its threshold and the same significance (see {@link DriftPolicy}).
 *
 * <p>{@link #of} decides one feature alone (a family of one: the output, the score, the label);
 * {@link #ofAll} the features of a report together.
 *
 * <p>Usage:
 * <pre>{@code
 * FeatureDrift d = FeatureDriftAnalysis.of("amount", reference.features().get("amount"),
 *         current.features().get("amount"), DriftPolicy.DEFAULT);
 * Map<String, FeatureDrift> all = FeatureDriftAnalysis.ofAll(reference.features(), current.features(),
 *         DriftPolicy.DEFAULT);
 * }</pre>
 */
public final class FeatureDriftAnalysis {
    private FeatureDriftAnalysis() {
    }

    /**
     * Every feature of either side, decided together: the reference's in their order, then those only
     * in the current window ({@code not_tested}: not in the reference).
     */
    public static Map<String, FeatureDrift> ofAll(Map<String, FeatureProfile> reference,
            Map<String, FeatureProfile> current, DriftPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        Map<String, FeatureDrift> out = new LinkedHashMap<>();
        reference.forEach((name, ref) -> out.put(name, statistics(name, ref, current.get(name), policy)));
        current.forEach((name, cur) -> {
            if (!reference.containsKey(name)) {
                out.put(name, statistics(name, null, cur, policy));
            }
        });
        return DriftFamily.decide(out, policy);
    }

    /**
     * The drift of one feature, decided alone.
     *
     * @param reference the reference profile, or null when the reference never had the feature
     * @param current   the current window's profile, or null when the window never had it
     */
    public static FeatureDrift of(String name, FeatureProfile reference, FeatureProfile current, DriftPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        FeatureDrift undecided = statistics(name, reference, current, policy);
        return DriftFamily.decide(Map.of(name, undecided), policy).get(name);
    }

    /** The statistics and p-values, with the decision still to be made by {@link DriftFamily}. */
    private static FeatureDrift statistics(String name, FeatureProfile reference, FeatureProfile current,
            DriftPolicy policy) {
        if (reference == null && current == null) {
            throw new IllegalArgumentException("reference and current of " + name + " must not both be null");
        }
        FeatureType type = FeatureType.of(reference != null ? reference : current);
        long n = count(reference, type);
        long m = count(current, type);
        DriftCriterion criterion = policy.criterion(name, type, n, m);
        String what = type == FeatureType.NUMERICAL ? "finite numerical values" : "string values";
        if (reference == null) {
            return notTested(name, type, n, m, criterion, "not in the reference");
        }
        if (n < policy.minimumCount() || m < policy.minimumCount()) {
            return notTested(name, type, n, m, criterion, String.format(Locale.ROOT,
                    "%d reference and %d current %s; a decision needs %d on each side", n, m, what,
                    policy.minimumCount()));
        }
        return type == FeatureType.NUMERICAL
                ? numerical(name, reference, current, n, m, criterion)
                : categorical(name, reference, current, n, m, criterion);
    }

    private static long count(FeatureProfile p, FeatureType type) {
        if (p == null) {
            return 0;
        }
        return type == FeatureType.NUMERICAL ? p.numericCount() : p.stringCount();
    }

    private static FeatureDrift notTested(String name, FeatureType type, long n, long m, DriftCriterion criterion,
            String reason) {
        return new FeatureDrift(name, type, n, m, DriftStatistics.NONE, criterion, DriftDecision.NOT_TESTED, null, null,
                null, null, join(reason, criterion.note()), null, null, null, null);
    }

    private static FeatureDrift numerical(String name, FeatureProfile reference, FeatureProfile current, long n, long m,
            DriftCriterion criterion) {
        NumericalDrift drift = NumericalDrift.of(reference, current);
        DriftStatistics stats = DriftStatistics.of(drift);
        KsResult ks = drift.ks();
        double pHigh = KsDriftTest.pValue(ks.lowerBound(), ks.effectiveN());
        double pLow = KsDriftTest.pValue(Math.min(1, ks.statistic() + ks.errorBound()), ks.effectiveN());
        switch (criterion.method()) {
            case KS: {
                double d = ks.statistic();
                return undecided(name, FeatureType.NUMERICAL, n, m, stats, criterion, d, ks.lowerBound(),
                        Math.min(1, d + ks.errorBound()), null, pHigh, pLow);
            }
            case WASSERSTEIN: {
                WassersteinResult w = drift.wasserstein();
                double sd = w.referenceStd();
                if (!(sd > 0)) {
                    return new FeatureDrift(name, FeatureType.NUMERICAL, n, m, stats, criterion,
                            DriftDecision.NOT_TESTED, null, null, null, null,
                            join("the reference has no spread (sd " + sd
                                    + "), so W1 in reference standard deviations is undefined", criterion.note()),
                            null, null, null, null);
                }
                double meanGap = Math.abs(current.mean() - reference.mean());
                double low = Math.max(meanGap, w.distance() - w.errorBound()) / sd;
                double high = Math.max(low, (w.distance() + w.errorBound()) / sd);
                return undecided(name, FeatureType.NUMERICAL, n, m, stats, criterion, w.distance() / sd, low, high,
                        null, pHigh, pLow);
            }
            case PSI:
            case JENSEN_SHANNON: {
                PsiResult psi = drift.psi();
                double[] dp = binErrors(psi.reference().length, Sketches.rankError(reference.quantileSketch()));
                double[] dq = binErrors(psi.current().length, Sketches.rankError(current.quantileSketch()));
                return divergence(name, FeatureType.NUMERICAL, n, m, stats, criterion, psi, dp, dq, pHigh, pLow);
            }
            default:
                throw new IllegalStateException("no numerical decision for " + criterion.method());
        }
    }

    private static FeatureDrift categorical(String name, FeatureProfile reference, FeatureProfile current, long n,
            long m, DriftCriterion criterion) {
        CategoricalDrift drift = CategoricalDrift.of(reference, current);
        DriftStatistics stats = DriftStatistics.of(drift);
        String inexact = drift.exact() ? null
                : "category counts are sketch estimates (a window had more distinct categories than 0.75 of the"
                        + " frequent-items map), with no bound on the statistic's error; raise itemsMapSize";
        double p = drift.pooledPValue();
        switch (criterion.method()) {
            case CHI_SQUARE: {
                if (inexact != null) {
                    int dof = drift.degreesOfFreedom();
                    return uncertainWithoutBound(name, n, m, stats, criterion, drift.chiSquare(),
                            dof == 0 ? null : chiSquareCritical(criterion.threshold(), dof), inexact);
                }
                double x2 = drift.pooledChiSquare();
                String pooledNote = drift.pooledDegreesOfFreedom() == drift.degreesOfFreedom() ? null : String.format(
                        Locale.ROOT, "X2 of %d bins: categories expecting fewer than %.0f values pooled",
                        drift.pooledDegreesOfFreedom() + 1, CategoricalDrift.MIN_EXPECTED);
                return undecided(name, FeatureType.CATEGORICAL, n, m, stats, criterion, x2, x2, x2,
                        drift.degreesOfFreedom() == 0 ? "a single category: nothing to compare" : pooledNote, p, p);
            }
            case PSI:
            case JENSEN_SHANNON: {
                PsiResult psi = drift.psi();
                if (inexact != null) {
                    double value = criterion.method() == DriftMethod.PSI ? psi.psi() : psi.jensenShannon();
                    return uncertainWithoutBound(name, n, m, stats, criterion, value, criterion.threshold(), inexact);
                }
                double[] none = new double[psi.reference().length];
                return divergence(name, FeatureType.CATEGORICAL, n, m, stats, criterion, psi, none, none, p, p);
            }
            default:
                throw new IllegalStateException("no categorical decision for " + criterion.method());
        }
    }

    /** The chi-square quantile {@code 1 - alpha} with {@code dof} degrees of freedom. */
    static double chiSquareCritical(double alpha, int dof) {
        return new ChiSquaredDistribution(null, dof).inverseCumulativeProbability(1 - alpha);
    }

    private static FeatureDrift uncertainWithoutBound(String name, long n, long m, DriftStatistics stats,
            DriftCriterion criterion, double value, Double critical, String reason) {
        return new FeatureDrift(name, FeatureType.CATEGORICAL, n, m, stats, criterion, DriftDecision.UNCERTAIN,
                DriftStatistics.finite(value), null, null, critical, join(reason, criterion.note()), null, null, null,
                null);
    }

    /**
     * Errors of bin proportions that are differences of a CDF known within {@code eps} at each inner
     * edge: {@code eps} for the first and last bin (one inner edge), {@code 2 eps} for the others.
     */
    static double[] binErrors(int bins, double eps) {
        double[] d = new double[bins];
        for (int i = 0; i < bins; i++) {
            d[i] = bins == 1 ? 0 : i == 0 || i == bins - 1 ? eps : 2 * eps;
        }
        return d;
    }

    private static FeatureDrift divergence(String name, FeatureType type, long n, long m, DriftStatistics stats,
            DriftCriterion criterion, PsiResult psi, double[] dp, double[] dq, double pHigh, double pLow) {
        double[] p = psi.reference();
        double[] q = psi.current();
        boolean isPsi = criterion.method() == DriftMethod.PSI;
        double[] range = isPsi ? DivergenceInterval.psi(p, q, dp, dq) : DivergenceInterval.jensenShannon(p, q, dp, dq);
        double value = isPsi ? psi.psi() : psi.jensenShannon();
        // the point value lies in its own range; rounding in a different order of summation must not say otherwise
        return undecided(name, type, n, m, stats, criterion, value, Math.min(range[0], value), Math.max(range[1], value),
                null, pHigh, pLow);
    }

    /** Statistics, interval and p-values; the decision is {@link DriftFamily}'s. */
    private static FeatureDrift undecided(String name, FeatureType type, long n, long m, DriftStatistics stats,
            DriftCriterion criterion, double value, double low, double high, String reason, double pHigh, double pLow) {
        boolean test = Double.isFinite(pHigh) && Double.isFinite(pLow);
        return new FeatureDrift(name, type, n, m, stats, criterion, DriftDecision.NO_DRIFT, value, low, high, null,
                join(reason, criterion.note()), test ? pHigh : null, test ? Math.min(pLow, pHigh) : null, null, null);
    }

    static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "; " + b;
    }
}
