package dev.modelwatch.core.drift;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much of a model's input drifted: the share of tested features whose decision is
 * {@link DriftDecision#DRIFTED}, and the same share weighted by feature importance.
 *
 * <p>Tested features are those with a decision other than {@code not_tested}; an {@code uncertain}
 * feature is tested and not drifted (it is never an alarm), and is counted apart.
 *
 * <p><b>Weighted share.</b> {@code sum_{drifted} w_f / sum_{tested} w_f}: the importances are
 * normalised over the tested features only, so a feature that could not be tested neither counts as
 * drifted nor dilutes the others. A tested feature with no importance given has weight 0, not the
 * mean: an importance map (SHAP, gain, permutation) lists the features the model uses, and a
 * feature left out of it is one the user did not rate as important; giving it the mean would invent
 * an importance, and would let a map's omissions outweigh its entries. The weighted share is null
 * when no importances are given or the tested features' weights sum to 0 ({@code reasons} says which).
 *
 * <p>Usage:
 * <pre>{@code
 * DriftShare share = DriftShare.of(drifts.values(), Map.of("amount", 0.6, "country", 0.3));
 * if (share.weightedShare() != null && share.weightedShare() > 0.5) { ... }
 * }</pre>
 *
 * @param tested        features with a decision
 * @param drifted       features whose decision is drift
 * @param uncertain     features whose decision is uncertain
 * @param share         {@code drifted / tested}; null when nothing was tested
 * @param weightedShare importance-weighted share; null when it cannot be computed
 * @param reasons       why {@code share} or {@code weightedShare} is null, by key
 */
public record DriftShare(int tested, int drifted, int uncertain, Double share, Double weightedShare,
        Map<String, String> reasons) {
    public DriftShare {
        if (tested < 0 || drifted < 0 || uncertain < 0 || drifted + uncertain > tested) {
            throw new IllegalArgumentException("tested, drifted and uncertain must be >= 0 with drifted + uncertain <= "
                    + "tested, were " + tested + ", " + drifted + ", " + uncertain);
        }
        reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
    }

    /** The unweighted share only. */
    public static DriftShare of(Collection<FeatureDrift> features) {
        return of(features, null);
    }

    /**
     * @param importances feature name to a finite weight {@code >= 0}, or null for none
     */
    public static DriftShare of(Collection<FeatureDrift> features, Map<String, Double> importances) {
        if (importances != null) {
            importances.forEach((name, w) -> {
                if (w == null || !(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("importance of " + name + " must be a finite number >= 0, was "
                            + w);
                }
            });
        }
        int tested = 0;
        int drifted = 0;
        int uncertain = 0;
        double totalWeight = 0;
        double driftedWeight = 0;
        for (FeatureDrift f : features) {
            if (f.decision() == DriftDecision.NOT_TESTED) {
                continue;
            }
            tested++;
            double w = importances == null ? 0 : importances.getOrDefault(f.feature(), 0.0);
            totalWeight += w;
            if (f.drifted()) {
                drifted++;
                driftedWeight += w;
            } else if (f.decision() == DriftDecision.UNCERTAIN) {
                uncertain++;
            }
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        Double share = tested == 0 ? null : (double) drifted / tested;
        if (share == null) {
            reasons.put("share", "no feature was tested");
        }
        Double weighted = null;
        if (importances == null) {
            reasons.put("weighted_share", "no feature importances given");
        } else if (!(totalWeight > 0)) {
            reasons.put("weighted_share", "the tested features have no importance (their weights sum to 0)");
        } else {
            weighted = driftedWeight / totalWeight;
        }
        return new DriftShare(tested, drifted, uncertain, share, weighted, reasons);
    }
}
