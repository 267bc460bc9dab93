package dev.modelwatch.server.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.modelwatch.core.drift.DriftShare;
import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.drift.multivariate.MultivariateDriftResult;
import dev.modelwatch.core.estimate.EstimatedPerformance;
import dev.modelwatch.core.quality.DataQualityIssue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of a drift {@link DriftReport} as the {@code GET /api/v1/models/{m}/drift}
 * answer shows them, next to the range and the reference.
 */
public record DriftReportAnswer(Map<String, FeatureDriftAnswer> features, DriftShare driftShare,
                                MultipleTestingSummary multipleTesting, OutputDrift output, FeatureDriftAnswer label,
                                Multivariate multivariate, List<DataQualityIssue> dataQuality,
                                EstimatedAnswer estimatedPerformance) {

    /** The drift of the model's output: its prediction and its score (null when the model sends none). */
    public record OutputDrift(FeatureDriftAnswer prediction, FeatureDriftAnswer score) {
    }

    /**
     * One feature's drift: every key present, null for what does not apply or could not be computed
     * (the statistics of the other feature type, a test that was not run).
     */
    public record FeatureDriftAnswer(String type, boolean drifted, String decision, String method, double threshold,
                                     Double criticalValue, Double value, Double valueLow, Double valueHigh,
                                     String reason, long referenceN, long currentN, Double pValue, Double pValueLow,
                                     @JsonProperty("adjusted_p_value") Double adjustedPValue,
                                     Double significanceLevel, Double psi, Double ksStatistic,
                                     @JsonProperty("ks_p_value") Double ksPValue, Double ksErrorBound, Double wasserstein,
                                     Double wassersteinNormalized, Double wassersteinErrorBound, Double jsDistance,
                                     Double chi2Statistic, @JsonProperty("chi2_p_value") Double chi2PValue, List<String> newValues,
                                     List<String> vanishedValues) {

        /** {@code d} as the answer shows it; null for null. */
        public static FeatureDriftAnswer of(FeatureDrift d) {
            if (d == null) {
                return null;
            }
            var s = d.statistics();
            return new FeatureDriftAnswer(d.type().wireName(), d.drifted(), d.decision().wireName(),
                    d.method().wireName(), d.threshold(), d.criticalValue(), d.value(), d.valueLow(), d.valueHigh(),
                    d.reason(), d.referenceN(), d.currentN(), d.pValue(), d.pValueLow(), d.adjustedPValue(),
                    d.significanceLevel(), s.psi(), s.ksStatistic(), s.ksPValue(), s.ksErrorBound(), s.wasserstein(),
                    s.wassersteinNormalized(), s.wassersteinErrorBound(), s.jsDistance(), s.chi2Statistic(),
                    s.chi2PValue(), s.newValues(), s.vanishedValues());
        }

        /** Every feature's answer, in the order of {@code features}. */
        static Map<String, FeatureDriftAnswer> ofAll(Map<String, FeatureDrift> features) {
            Map<String, FeatureDriftAnswer> out = new LinkedHashMap<>();
            features.forEach((k, v) -> out.put(k, of(v)));
            return out;
        }
    }

    /** The multivariate (PCA reconstruction) drift, or why it was not computed. */
    public sealed interface Multivariate permits MultivariateResult, MultivariateSkipped {
        static Multivariate of(MultivariateDriftResult r, String reason) {
            if (r == null) {
                return new MultivariateSkipped(null, reason);
            }
            return new MultivariateResult(r.method(), finite(r.reconstructionError()), finite(r.referenceError()),
                    finite(r.lower()), finite(r.upper()), r.drifted(), r.components(), r.featuresUsed(), r.rows(),
                    r.reason());
        }
    }

    /** A computed multivariate drift; the bounds are null when not finite. */
    public record MultivariateResult(String method, Double reconstructionError, Double referenceError, Double lower,
                                     Double upper, Boolean drifted, int components, List<String> features, long rows,
                                     String reason) implements Multivariate {
    }

    /** No multivariate drift: {@code drifted} is null and {@code reason} says why. */
    public record MultivariateSkipped(Boolean drifted, String reason) implements Multivariate {
    }

    /** The performance estimated from scores, or why there is none. */
    public sealed interface EstimatedAnswer permits Estimated, NotEstimated {
    }

    /** No estimate: why. */
    public record NotEstimated(String reason) implements EstimatedAnswer {
    }

    /** The estimate of each metric, next to the realized value when the range has labels. */
    public record Estimated(String calibration, long scoredEvents, Map<String, MetricEstimate> metrics, long labeled)
            implements EstimatedAnswer {
    }

    /** One metric's estimate, or (value null) why it has none, and its realized value (null without labels). */
    public sealed interface MetricEstimate permits Estimate, NoEstimate {
    }

    /** An estimated metric with its confidence interval. */
    public record Estimate(double value, double lower, double upper, Double realized) implements MetricEstimate {
    }

    /** A metric that could not be estimated. */
    public record NoEstimate(Double value, String reason, Double realized) implements MetricEstimate {
    }

    /**
     * The estimated answer of a report.
     *
     * @param realized the realized metrics of the range by name, and {@code labeled}; empty without labels
     */
    static EstimatedAnswer estimated(EstimatedPerformance estimated, String reason, String calibration,
                                     Map<String, Double> realized, long labeled) {
        if (estimated == null) {
            return new NotEstimated(reason);
        }
        Map<String, MetricEstimate> metrics = new LinkedHashMap<>();
        for (String k : List.of(EstimatedPerformance.ACCURACY, EstimatedPerformance.PRECISION,
                EstimatedPerformance.RECALL, EstimatedPerformance.F1, EstimatedPerformance.ROC_AUC)) {
            EstimatedPerformance.Estimate e = estimated.estimate(k);
            metrics.put(k, e == null ? new NoEstimate(null, estimated.reason(k), realized.get(k))
                    : new Estimate(e.value(), e.lower(), e.upper(), realized.get(k)));
        }
        return new Estimated(calibration, estimated.scoredEvents(), metrics, labeled);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
