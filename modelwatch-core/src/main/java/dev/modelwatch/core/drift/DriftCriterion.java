package dev.modelwatch.core.drift;

/**
 * The method and threshold a feature's drift decision uses, as {@link DriftPolicy#criterion} chose
 * them.
 *
 * @param method    the statistic the decision rests on
 * @param threshold alpha for KS and chi-square, the distance to reach otherwise; within the method's
 *                  range
 * @param note      why the method differs from the one an override asked for (an override naming a
 *                  method that does not apply to the feature's type), or null
 */
public record DriftCriterion(DriftMethod method, double threshold, String note) {
    public DriftCriterion {
        if (method == null) {
            throw new IllegalArgumentException("method must not be null");
        }
        method.checkThreshold(threshold);
    }
}
