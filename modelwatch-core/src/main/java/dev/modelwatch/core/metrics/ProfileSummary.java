package dev.modelwatch.core.metrics;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Every metric of a (merged) profile, as the {@code summary} answer of the API shows it: a classifier's
 * or a regressor's metrics, its latency, and a summary of each feature, the output and the score.
 * Metrics that cannot be computed are {@code null}, and {@code nullReasons} says why. Components that
 * are null where the answer leaves the field out: {@code positiveClass} (not a binary classifier),
 * {@code score} (no scores), {@code droppedFeatureValues} (none dropped), a feature's
 * {@code typeMismatchCount} (none).
 */
public sealed interface ProfileSummary permits ProfileSummary.Classification, ProfileSummary.Regression {
    /** Quantiles reported for every numerical feature, the output and the score. */
    double[] QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
    /** The most frequent values listed for a categorical feature. */
    int TOP_VALUES = 10;

    String task();

    long count();

    long labeled();

    Map<String, FeatureSummary> features();

    Latency latencyMs();

    Map<String, String> nullReasons();

    /** The summary of a classifier's profile. */
    record Classification(String task, long count, long labeled, Double labelCoverage, String positiveClass,
                          Double accuracy, Double precision, Double recall, Double f1, Double rocAuc,
                          Double rocAucErrorBound, Double logLoss, Map<String, ClassificationMetrics.PerClass> perClass,
                          Map<String, Map<String, Long>> confusionMatrix, double confidenceLevel,
                          Map<String, PerformanceIntervals.Interval> confidenceIntervals, long errors, Double errorRate,
                          Latency latencyMs, Map<String, FeatureSummary> features, FeatureSummary output,
                          FeatureSummary score, Long droppedFeatureValues, Map<String, String> nullReasons)
            implements ProfileSummary {
    }

    /** The summary of a regressor's profile. */
    record Regression(String task, long count, long labeled, Double labelCoverage, Double mae, Double rmse,
                      Double mape, Double r2, double confidenceLevel,
                      Map<String, PerformanceIntervals.Interval> confidenceIntervals, long errors, Double errorRate,
                      Latency latencyMs, Map<String, FeatureSummary> features,
                      FeatureSummary output, FeatureSummary score, Long droppedFeatureValues,
                      Map<String, String> nullReasons) implements ProfileSummary {
    }

    /** Latency percentiles of the predictions that carried one; null without any. */
    record Latency(long count, Double p50, Double p95, Double p99, Double max) {
    }

    /** One feature (or the output, or the score) over the profile. */
    sealed interface FeatureSummary permits NumericalFeature, CategoricalFeature {
        String type();

        long count();

        Double missingRate();
    }

    /**
     * A numerical feature: moments, extremes and {@link #QUANTILES} (keyed by rank, e.g. {@code "0.5"})
     * of its finite values; null when there is none.
     */
    record NumericalFeature(String type, long count, Double missingRate, Double mean, Double std, Double min,
                            Double max, Map<String, Double> quantiles, long nanCount, long infinityCount,
                            Long typeMismatchCount) implements FeatureSummary {
    }

    /** A categorical feature: its estimated number of distinct values and its most frequent ones. */
    record CategoricalFeature(String type, long count, Double missingRate, long distinct, List<TopValue> top,
                              Long typeMismatchCount) implements FeatureSummary {
    }

    /** A frequent value and its count. */
    record TopValue(String value, long count) {
    }

    /** The summary of profile {@code p} of the model {@code spec}. */
    static ProfileSummary of(WindowProfile p, ModelSpec spec) {
        Map<String, String> reasons = new LinkedHashMap<>();
        PerformanceIntervals intervals = PerformanceIntervals.of(p, spec);
        if (intervals.labelCoverage() == null) {
            reasons.put("label_coverage", "no predictions");
        }
        Double errorRate = null;
        if (p.count() > 0) {
            errorRate = (double) p.errors() / p.count();
        } else {
            reasons.put("error_rate", "no predictions");
        }
        Latency latency = latency(p.latency(), reasons);
        Map<String, FeatureSummary> features = new LinkedHashMap<>();
        p.features().forEach((name, f) -> features.put(name, feature(f, p.count())));
        FeatureSummary output = p.output() == null ? null : feature(p.output(), p.count());
        FeatureSummary score = p.score() == null ? null : feature(p.score(), p.count());
        Long dropped = p.droppedFeatureValues() > 0 ? p.droppedFeatureValues() : null;
        if (spec.task().isClassification()) {
            ClassificationMetrics c = ClassificationMetrics.of(p, spec);
            Map<String, String> all = new LinkedHashMap<>(c.reasons());
            all.putAll(reasons);
            return new Classification(spec.task().wireName(), p.count(), p.labeled(), intervals.labelCoverage(),
                    spec.task() == ModelTask.BINARY_CLASSIFICATION ? spec.positiveClass() : null, c.accuracy(),
                    c.precision(), c.recall(), c.f1(), c.rocAuc(), c.rocAucErrorBound(), c.logLoss(), c.perClass(),
                    c.confusion(), PerformanceIntervals.LEVEL, intervals.intervals(), p.errors(), errorRate, latency, features, output, score, dropped, all);
        }
        RegressionMetrics r = RegressionMetrics.of(p);
        Map<String, String> all = new LinkedHashMap<>(r.reasons());
        all.putAll(reasons);
        return new Regression(spec.task().wireName(), p.count(), p.labeled(), intervals.labelCoverage(), r.mae(),
                r.rmse(), r.mape(), r.r2(), PerformanceIntervals.LEVEL, intervals.intervals(), p.errors(), errorRate, latency, features, output, score, dropped, all);
    }

    private static Latency latency(KllDoublesSketch s, Map<String, String> reasons) {
        if (s == null || s.isEmpty()) {
            reasons.put("latency_ms", "no prediction carried latency_ms");
            return new Latency(0, null, null, null, null);
        }
        return new Latency(s.getN(), s.getQuantile(0.5), s.getQuantile(0.95), s.getQuantile(0.99), s.getMaxItem());
    }

    /** The summary of one feature; {@code total} is the number of predictions in the window. */
    static FeatureSummary feature(FeatureProfile f, long total) {
        long present = f.present();
        Double missingRate = total == 0 ? null : (double) Math.max(0, total - present) / total;
        if (f.isNumerical()) {
            Map<String, Double> q = new LinkedHashMap<>();
            for (double r : QUANTILES) {
                q.put(Double.toString(r), finiteOrNull(f.quantile(r)));
            }
            return new NumericalFeature("numerical", present, missingRate, finiteOrNull(f.mean()),
                    finiteOrNull(f.std()), finiteOrNull(f.min()), finiteOrNull(f.max()), q, f.nanCount(),
                    f.infCount(), f.stringCount() > 0 ? f.stringCount() : null);
        }
        long numbers = f.numericCount() + f.nanCount() + f.infCount();
        return new CategoricalFeature("categorical", present, missingRate, Math.round(f.distinctEstimate()),
                top(f.frequentItems()), numbers > 0 ? numbers : null);
    }

    private static List<TopValue> top(ItemsSketch<String> sketch) {
        List<TopValue> top = new ArrayList<>();
        if (sketch == null) {
            return top;
        }
        ItemsSketch.Row<String>[] rows = sketch.getFrequentItems(ErrorType.NO_FALSE_POSITIVES);
        for (int i = 0; i < rows.length && i < TOP_VALUES; i++) {
            top.add(new TopValue(rows[i].getItem(), rows[i].getEstimate()));
        }
        return top;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
