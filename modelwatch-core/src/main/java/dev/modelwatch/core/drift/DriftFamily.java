package dev.modelwatch.core.drift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The decisions of the features of one report, taken together.
 *
 * <p>The family is every feature with a test p-value ({@link FeatureDrift#pValue()}: KS for numerical
 * features, chi-square for categorical ones with exact counts). Their p-values are adjusted by the
 * policy's {@link MultipleTesting}; a feature is <b>significant</b> when its adjusted p-value is at
 * most its test's alpha ({@link DriftPolicy#testLevel}), which is the same as its own p-value being at
 * most {@link FeatureDrift#significanceLevel()} ({@link MultipleTesting#level}). The p-value compared is
 * the largest the exact samples can have given the sketches' error, so a sketch cannot make a feature
 * significant; {@link FeatureDrift#pValueLow()} is the smallest, and a feature is <b>possibly
 * significant</b> when that one is within the level.
 * <ul>
 *   <li>KS and chi-square decide on significance: {@code drifted} when significant, {@code uncertain}
 *       when possibly significant, {@code no_drift} otherwise; the critical value is the statistic at the
 *       feature's level ({@code c(level) sqrt((n + m) / (n m))} for D, the chi-square quantile for X2).</li>
 *   <li>Wasserstein, Jensen–Shannon and PSI decide on their threshold <em>and</em> significance:
 *       {@code drifted} when the distance's whole interval is past the threshold and the feature is
 *       significant; {@code no_drift} when the interval is short of the threshold or the feature is not
 *       even possibly significant; {@code uncertain} otherwise. So whatever the noise of a distance, a
 *       clean report alarms no more often than its adjusted tests do: under Benjamini–Hochberg at
 *       alpha = 0.01, on at most 1% of clean reports, whatever the number of features.</li>
 * </ul>
 * Features without a p-value (not tested, inexact category counts) keep the decision they came with.
 */
final class DriftFamily {
    private DriftFamily() {
    }

    static Map<String, FeatureDrift> decide(Map<String, FeatureDrift> features, DriftPolicy policy) {
        List<String> tested = new ArrayList<>();
        for (FeatureDrift f : features.values()) {
            if (f.pValue() != null) {
                tested.add(f.feature());
            }
        }
        double[] p = new double[tested.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = features.get(tested.get(i)).pValue();
        }
        MultipleTesting adjustment = policy.multipleTesting();
        double[] adjusted = adjustment.adjust(p);
        int rejected = 0;
        for (int i = 0; i < p.length; i++) {
            FeatureDrift f = features.get(tested.get(i));
            rejected += adjusted[i] <= policy.testLevel(f.feature(), f.type()) ? 1 : 0;
        }
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < tested.size(); i++) {
            index.put(tested.get(i), i);
        }
        Map<String, FeatureDrift> out = new LinkedHashMap<>();
        for (FeatureDrift f : features.values()) {
            Integer i = index.get(f.feature());
            if (i == null) {
                out.put(f.feature(), f);
                continue;
            }
            double alpha = policy.testLevel(f.feature(), f.type());
            boolean significant = adjusted[i] <= alpha;
            double level = adjustment.level(alpha, p.length, rejected, significant);
            boolean possibly = significant || f.pValueLow() <= level;
            out.put(f.feature(), f.criterion().method().isSignificanceTest()
                    ? test(f, significant, possibly, adjusted[i], level)
                    : distance(f, significant, possibly, adjusted[i], level, adjustment, p.length));
        }
        return out;
    }

    private static FeatureDrift test(FeatureDrift f, boolean significant, boolean possibly, double adjusted,
            double level) {
        DriftDecision decision = significant ? DriftDecision.DRIFTED
                : possibly ? DriftDecision.UNCERTAIN : DriftDecision.NO_DRIFT;
        Double critical;
        if (f.type() == FeatureType.NUMERICAL) {
            double n = f.referenceN();
            double m = f.currentN();
            critical = KolmogorovLimit.criticalValue(level) * Math.sqrt((n + m) / (n * m));
        } else {
            Integer dof = f.statistics().chi2DegreesOfFreedom();
            critical = dof == null || dof == 0 ? null : FeatureDriftAnalysis.chiSquareCritical(level, dof);
        }
        String reason = f.reason();
        if (decision == DriftDecision.UNCERTAIN) {
            reason = FeatureDriftAnalysis.join(String.format(Locale.ROOT, "%s is %.4g, and the exact samples' value "
                    + "may be anywhere in [%.4g, %.4g] given the sketches' error, on both sides of the critical value "
                    + "%.4g; a larger KLL k narrows the range", f.method().wireName(), f.value(), f.valueLow(),
                    f.valueHigh(), critical), reason);
        }
        return f.decided(decision, critical, reason, adjusted, level);
    }

    private static FeatureDrift distance(FeatureDrift f, boolean significant, boolean possibly, double adjusted,
            double level, MultipleTesting adjustment, int tests) {
        double threshold = f.criterion().threshold();
        boolean past = f.valueLow() >= threshold;
        boolean maybePast = f.valueHigh() >= threshold;
        DriftDecision decision;
        String why = null;
        if (past && significant) {
            decision = DriftDecision.DRIFTED;
        } else if (!maybePast || !possibly) {
            decision = DriftDecision.NO_DRIFT;
            if (maybePast) {
                why = String.format(Locale.ROOT, "%s is %.4g, at or past the threshold %.4g, but the change is not "
                        + "significant: the %s p-value %.3g is above %.3g, the level of alpha over the report's %d "
                        + "tested features (%s); the distance is within the samples' noise",
                        f.method().wireName(), f.value(), threshold, f.type() == FeatureType.NUMERICAL ? "KS"
                        : "chi-square", f.pValue(), level, tests, adjustment.wireName());
            }
        } else {
            decision = DriftDecision.UNCERTAIN;
            why = String.format(Locale.ROOT, "%s is %.4g, and the exact samples' value may be anywhere in [%.4g, %.4g] "
                    + "given the sketches' error, against the threshold %.4g; its %s p-value lies in [%.3g, %.3g] "
                    + "against the level %.3g; a larger KLL k narrows both", f.method().wireName(), f.value(),
                    f.valueLow(), f.valueHigh(), threshold, f.type() == FeatureType.NUMERICAL ? "KS" : "chi-square",
                    f.pValueLow(), f.pValue(), level);
        }
        return f.decided(decision, threshold, FeatureDriftAnalysis.join(why, f.reason()), adjusted, level);
    }
}
