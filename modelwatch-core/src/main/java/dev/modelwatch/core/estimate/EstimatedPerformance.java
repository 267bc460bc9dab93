package dev.modelwatch.core.estimate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Performance of a classifier on one window estimated from its scores, before labels arrive, by
 * {@link PerformanceEstimator}.
 *
 * <p>{@link #metrics()} maps {@link #ACCURACY}, {@link #PRECISION}, {@link #RECALL}, {@link #F1} and
 * {@link #ROC_AUC} to an {@link Estimate}, or to {@code null} when the metric cannot be estimated,
 * with the reason in {@link #reasons()} under the metric's name (a window without scored events has
 * every metric null). Binary models: precision, recall and F1 of the positive class. Multiclass
 * models: macro averages over the profile's classes, where a class whose value is undefined counts
 * 0 (as in {@code ClassificationMetrics} and scikit-learn), and ROC AUC one-vs-rest averaged over the
 * classes where it is defined. {@link #perClass()} has each class's expected one-vs-rest confusion
 * counts and metrics (for a binary model only the positive class, whose counts are the binary
 * confusion matrix); reasons for per-class nulls are keyed {@code "<metric>:<class>"}.
 *
 * @param scoredEvents  events with valid scores, over which everything is estimated
 * @param invalidEvents events left out for invalid scores (see {@link ConfidenceProfile})
 */
public record EstimatedPerformance(long scoredEvents, long invalidEvents, Map<String, Estimate> metrics,
                                   Map<String, ClassEstimate> perClass, Map<String, String> reasons) {
    public static final String ACCURACY = "accuracy";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String F1 = "f1";
    public static final String ROC_AUC = "roc_auc";

    /**
     * An estimated metric and its band.
     *
     * <p>The band is {@code value ± 3 sd} clipped to {@code [0, 1]}, with
     * {@code sd = sqrt(samplingSd² + calibrationSd²)}:
     * <ul>
     * <li>{@code samplingSd}: the sd of the metric the labels will realize, given the scores and
     * taking each event's calibrated probability as true (labels independent Bernoulli draws,
     * a Poisson-binomial sum; exact for accuracy and precision, the delta method for recall, F1 and
     * ROC AUC; for multiclass macro averages the mean of the classes' sds, an upper bound);</li>
     * <li>{@code calibrationSd}: the spread of the estimate caused by the isotonic calibrator's
     * sampling error on the reference (0 for the identity calibrator), an approximation described
     * in {@link Calibrator}.</li>
     * </ul>
     * The band does NOT cover: the identity calibrator being wrong (a model assumed calibrated that
     * is not), bias of the calibrator beyond its sampling error (extrapolation past the reference's
     * scores), concept drift (a change of {@code P(y | score)} since the reference: the estimate
     * then is what the model would score if the relation still held), labels that are not
     * independent given the scores, and the discretisation error of the bins (documented in
     * {@link ScoreBins}, usually far smaller).
     *
     * @param value         the estimate, in [0, 1]
     * @param samplingSd    sd of the realized metric given the calibrated probabilities
     * @param calibrationSd sd of the estimate from the calibrator's own estimation error
     * @param lower         {@code max(0, value - 3 sd)}
     * @param upper         {@code min(1, value + 3 sd)}
     */
    public record Estimate(double value, double samplingSd, double calibrationSd, double lower, double upper) {
        /** Band half-width in units of {@link #sd()}. */
        public static final double BAND_SDS = 3.0;

        public Estimate {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException("value must be in [0, 1], was " + value);
            }
            if (!(samplingSd >= 0.0) || Double.isInfinite(samplingSd)) {
                throw new IllegalArgumentException("samplingSd must be finite and >= 0, was " + samplingSd);
            }
            if (!(calibrationSd >= 0.0) || Double.isInfinite(calibrationSd)) {
                throw new IllegalArgumentException("calibrationSd must be finite and >= 0, was " + calibrationSd);
            }
            if (!(lower >= 0.0 && lower <= value)) {
                throw new IllegalArgumentException("lower must be in [0, value], was " + lower);
            }
            if (!(upper >= value && upper <= 1.0)) {
                throw new IllegalArgumentException("upper must be in [value, 1], was " + upper);
            }
        }

        /** The estimate with its band {@code value ± 3 sd} clipped to [0, 1]. */
        public static Estimate of(double value, double samplingSd, double calibrationSd) {
            double v = Math.min(1.0, Math.max(0.0, value)); // sums of rounded terms may stray by an ulp
            double sd = Math.sqrt(samplingSd * samplingSd + calibrationSd * calibrationSd);
            return new Estimate(v, samplingSd, calibrationSd, Math.max(0.0, v - BAND_SDS * sd),
                    Math.min(1.0, v + BAND_SDS * sd));
        }

        /** The total sd, {@code sqrt(samplingSd² + calibrationSd²)}. */
        public double sd() {
            return Math.sqrt(samplingSd * samplingSd + calibrationSd * calibrationSd);
        }

        /** Whether a realized value lies in the band. */
        public boolean contains(double realized) {
            return realized >= lower && realized <= upper;
        }
    }

    /**
     * One class's expected one-vs-rest counts and estimated metrics.
     *
     * @param predicted             events predicted as the class (known exactly)
     * @param expectedTruePositives expected events predicted as the class that are of it, {@code E[TP]}
     * @param expectedActual        expected events of the class, {@code E[TP + FN]}
     * @param events                all scored events of the window
     * @param precision             or null (never predicted)
     * @param recall                or null (no expected events of the class)
     * @param f1                    or null
     * @param rocAuc                one-vs-rest ROC AUC of the class's score, or null (expected positives or negatives 0)
     */
    public record ClassEstimate(long predicted, double expectedTruePositives, double expectedActual, long events,
                                Estimate precision, Estimate recall, Estimate f1, Estimate rocAuc) {
        public ClassEstimate {
            if (predicted < 0 || events < predicted) {
                throw new IllegalArgumentException("predicted must be in [0, events], was " + predicted + " of " + events);
            }
        }

        /** {@code E[FP] = predicted - E[TP]}. */
        public double expectedFalsePositives() {
            return predicted - expectedTruePositives;
        }

        /** {@code E[FN] = E[actual] - E[TP]}. */
        public double expectedFalseNegatives() {
            return expectedActual - expectedTruePositives;
        }

        /** {@code E[TN] = events - predicted - E[actual] + E[TP]}. */
        public double expectedTrueNegatives() {
            return events - predicted - expectedActual + expectedTruePositives;
        }
    }

    public EstimatedPerformance {
        if (scoredEvents < 0 || invalidEvents < 0) {
            throw new IllegalArgumentException("scoredEvents and invalidEvents must be >= 0, were " + scoredEvents
                    + " and " + invalidEvents);
        }
        if (metrics == null || perClass == null || reasons == null) {
            throw new IllegalArgumentException("metrics, perClass and reasons must not be null");
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics)); // values may be null
        perClass = Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
        reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
    }

    /** The estimate of a metric, or null (see {@link #reason(String)}). */
    public Estimate estimate(String metric) {
        return metrics.get(metric);
    }

    /** The estimated value of a metric, or null. */
    public Double value(String metric) {
        Estimate e = metrics.get(metric);
        return e == null ? null : e.value();
    }

    /** Why a metric is null, or null when it is not. */
    public String reason(String metric) {
        return reasons.get(metric);
    }
}
