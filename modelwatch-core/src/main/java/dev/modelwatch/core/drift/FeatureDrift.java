package dev.modelwatch.core.drift;

/**
 * One feature's drift: its statistics, the criterion it was judged by and the decision, as
 * {@link FeatureDriftAnalysis#of} computes it.
 *
 * <p><b>What is compared.</b> {@code value} is the statistic in the units of {@code criticalValue},
 * and {@code [valueLow, valueHigh]} the range the exact samples' statistic lies in given the sketches'
 * error (see {@link DriftDecision}):
 * <ul>
 *   <li>KS: D, within {@code ksErrorBound}; the critical value is {@code c(alpha) sqrt((n + m) / (n m))}
 *       with {@code c} the limiting Kolmogorov quantile (1.628 at alpha 0.01), so that drift means the
 *       lower bound of D has an asymptotic p-value below alpha;</li>
 *   <li>Wasserstein: W1 over the reference sd; the range is {@code [max(|mean_cur - mean_ref|, W1 - b),
 *       W1 + b] / sd} with {@code b} the worst-case sketch bound: W1 is never below the difference of
 *       the means (the profiles' exact means), a lower bound free of sketch error;</li>
 *   <li>PSI and JS distance: over the bins used (numerical: the reference sketch's deciles), each
 *       proportion within twice its sketch's rank error (once for the first and last bin), and the
 *       range from {@code DivergenceInterval}; exact for categories counted exactly;</li>
 *   <li>chi-square: X2 against the chi-square quantile {@code 1 - alpha} with {@code k - 1} degrees of
 *       freedom (drift when {@code p < alpha}); exact counts only.</li>
 * </ul>
 *
 * <p><b>Error bounds, measured.</b> The KS and PSI/JS ranges rest on the sketches' normalized rank
 * error (99% confidence): 0.0133 per sketch at k = 200, 0.0035 at k = 800. The Wasserstein bound is a
 * worst case: over 23,000 pairs of sketches (normal, uniform, lognormal, exponential, bimodal, ten
 * integers, Pareto 1.5; n from 2,000 to 100,000; k 200 and 800; shifts 0 to 0.5 sd) the actual error
 * was at most a third of it, and its median 0.2% to 7% of it ({@code WassersteinSketchErrorTest}
 * repeats a smaller sample of that measurement). For a normal feature at k = 800 and n = 100,000
 * it is 0.065 sd, so a W1 of 0.035 to 0.1 sd is {@code uncertain}; for a lognormal one, whose range
 * is about 40 sd, it is 0.24 sd, and unchanged windows are {@code uncertain} rather than
 * {@code no_drift} (a shift of the mean by 0.1 sd is still {@code drifted}, proven by the exact
 * means): give such features a larger k or a log transform, or decide them by PSI, whose bound does
 * not depend on the range.
 *
 * @param feature       the feature's name
 * @param type          from the reference profile
 * @param referenceN    the reference's values of the feature's type (finite numbers or strings)
 * @param currentN      the current window's
 * @param statistics    every statistic computed; {@link DriftStatistics#NONE} when not tested
 * @param criterion     the method and threshold
 * @param decision      the outcome
 * @param value         the statistic compared, null when not tested
 * @param valueLow      the smallest value the exact samples can have; null when unknown
 * @param valueHigh     the largest; null when unknown
 * @param criticalValue {@code value} at or past which the decision is drift (alpha turned into D or
 *                      X2 for the tests; the threshold for the distances); null when not tested or
 *                      infinite (a single category)
 * @param reason        why not tested or uncertain, and notes on the criterion; null when none
 * @param pValue        the p-value of the feature's test (KS for numerical features, chi-square for
 *                      categorical ones) that the decision uses, whichever method decides: the largest
 *                      the exact samples can have given the sketches' error (KS at the lower end of D);
 *                      null when not tested or without a bound (inexact category counts)
 * @param pValueLow     the smallest p-value the exact samples can have (KS at the upper end of D); null
 *                      with {@code pValue}
 * @param adjustedPValue {@code pValue} adjusted for the report's features tested together
 *                      ({@link DriftPolicy#multipleTesting()}); null with {@code pValue}
 * @param significanceLevel the level {@code pValue} is compared with: the test's alpha as the
 *                      adjustment distributes it over the report ({@link MultipleTesting#level}); the
 *                      feature is significant when {@code pValue <= significanceLevel}, i.e. when
 *                      {@code adjustedPValue <= alpha}; null with {@code pValue}
 */
public record FeatureDrift(String feature, FeatureType type, long referenceN, long currentN, DriftStatistics statistics,
        DriftCriterion criterion, DriftDecision decision, Double value, Double valueLow, Double valueHigh,
        Double criticalValue, String reason, Double pValue, Double pValueLow, Double adjustedPValue,
        Double significanceLevel) {
    public FeatureDrift {
        if (feature == null) {
            throw new IllegalArgumentException("feature must not be null");
        }
        if (type == null || statistics == null || criterion == null || decision == null) {
            throw new IllegalArgumentException("type, statistics, criterion and decision must not be null, had "
                    + type + ", " + statistics + ", " + criterion + ", " + decision);
        }
        if (referenceN < 0 || currentN < 0) {
            throw new IllegalArgumentException("referenceN and currentN must be >= 0, were " + referenceN + " and "
                    + currentN);
        }
    }

    /** This drift with another decision, critical value, reason and adjustment. */
    FeatureDrift decided(DriftDecision newDecision, Double newCritical, String newReason, Double adjusted,
            Double level) {
        return new FeatureDrift(feature, type, referenceN, currentN, statistics, criterion, newDecision, value,
                valueLow, valueHigh, newCritical, newReason, pValue, pValueLow, adjusted, level);
    }

    /** Whether the decision is {@link DriftDecision#DRIFTED}: an alarm. */
    public boolean drifted() {
        return decision == DriftDecision.DRIFTED;
    }

    public DriftMethod method() {
        return criterion.method();
    }

    public double threshold() {
        return criterion.threshold();
    }
}
