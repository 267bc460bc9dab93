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
 * Every metric of a (merged) profile, shaped as the {@code summary} answer of the API: plain maps,
 * lists, numbers and strings, ready for any JSON writer. Metrics that cannot be computed are
 * {@code null}, and {@code null_reasons} says why.
 */
public final class ProfileSummary {
    /** Quantiles reported for every numerical feature, the output and the score. */
    public static final double[] QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
    private static final int TOP_VALUES = 10;

    private ProfileSummary() {
    }

    public static Map<String, Object> of(WindowProfile p, ModelSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        m.put("task", spec.task().wireName());
        m.put("count", p.count());
        m.put("labeled", p.labeled());
        PerformanceIntervals intervals = PerformanceIntervals.of(p, spec);
        m.put("label_coverage", intervals.labelCoverage());
        if (intervals.labelCoverage() == null) {
            reasons.put("label_coverage", "no predictions");
        }
        if (spec.task().isClassification()) {
            ClassificationMetrics c = ClassificationMetrics.of(p, spec);
            if (spec.task() == ModelTask.BINARY_CLASSIFICATION) {
                m.put("positive_class", spec.positiveClass());
            }
            m.put("accuracy", c.accuracy());
            m.put("precision", c.precision());
            m.put("recall", c.recall());
            m.put("f1", c.f1());
            m.put("roc_auc", c.rocAuc());
            m.put("roc_auc_error_bound", c.rocAucErrorBound());
            m.put("log_loss", c.logLoss());
            Map<String, Object> perClass = new LinkedHashMap<>();
            c.perClass().forEach((k, v) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("precision", v.precision());
                row.put("recall", v.recall());
                row.put("f1", v.f1());
                row.put("support", v.support());
                perClass.put(k, row);
            });
            m.put("per_class", perClass);
            m.put("confusion_matrix", c.confusion());
            reasons.putAll(c.reasons());
        } else {
            RegressionMetrics r = RegressionMetrics.of(p);
            m.put("mae", r.mae());
            m.put("rmse", r.rmse());
            m.put("mape", r.mape());
            m.put("r2", r.r2());
            reasons.putAll(r.reasons());
        }
        Map<String, Object> ci = new LinkedHashMap<>();
        intervals.intervals().forEach((name, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("lower", i.lower());
            row.put("upper", i.upper());
            row.put("method", i.method());
            ci.put(name, row);
        });
        m.put("confidence_level", PerformanceIntervals.LEVEL);
        m.put("confidence_intervals", ci);
        m.put("errors", p.errors());
        if (p.count() > 0) {
            m.put("error_rate", (double) p.errors() / p.count());
        } else {
            m.put("error_rate", null);
            reasons.put("error_rate", "no predictions");
        }
        m.put("latency_ms", latency(p.latency(), reasons));
        Map<String, Object> features = new LinkedHashMap<>();
        p.features().forEach((name, f) -> features.put(name, feature(f, p.count())));
        m.put("features", features);
        m.put("output", p.output() == null ? null : feature(p.output(), p.count()));
        if (p.score() != null) {
            m.put("score", feature(p.score(), p.count()));
        }
        if (p.droppedFeatureValues() > 0) {
            m.put("dropped_feature_values", p.droppedFeatureValues());
        }
        m.put("null_reasons", reasons);
        return m;
    }

    private static Map<String, Object> latency(KllDoublesSketch s, Map<String, String> reasons) {
        Map<String, Object> l = new LinkedHashMap<>();
        boolean empty = s == null || s.isEmpty();
        l.put("count", empty ? 0 : s.getN());
        l.put("p50", empty ? null : s.getQuantile(0.5));
        l.put("p95", empty ? null : s.getQuantile(0.95));
        l.put("p99", empty ? null : s.getQuantile(0.99));
        l.put("max", empty ? null : s.getMaxItem());
        if (empty) {
            reasons.put("latency_ms", "no prediction carried latency_ms");
        }
        return l;
    }

    /** The summary of one feature; {@code total} is the number of predictions in the window. */
    public static Map<String, Object> feature(FeatureProfile f, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        long present = f.present();
        m.put("type", f.isNumerical() ? "numerical" : "categorical");
        m.put("count", present);
        m.put("missing_rate", total == 0 ? null : (double) Math.max(0, total - present) / total);
        if (f.isNumerical()) {
            m.put("mean", finiteOrNull(f.mean()));
            m.put("std", finiteOrNull(f.std()));
            m.put("min", finiteOrNull(f.min()));
            m.put("max", finiteOrNull(f.max()));
            Map<String, Object> q = new LinkedHashMap<>();
            for (double r : QUANTILES) {
                q.put(Double.toString(r), finiteOrNull(f.quantile(r)));
            }
            m.put("quantiles", q);
            m.put("nan_count", f.nanCount());
            m.put("infinity_count", f.infCount());
            if (f.stringCount() > 0) {
                m.put("type_mismatch_count", f.stringCount());
            }
        } else {
            m.put("distinct", Math.round(f.distinctEstimate()));
            m.put("top", top(f.frequentItems()));
            long numbers = f.numericCount() + f.nanCount() + f.infCount();
            if (numbers > 0) {
                m.put("type_mismatch_count", numbers);
            }
        }
        return m;
    }

    private static List<Map<String, Object>> top(ItemsSketch<String> sketch) {
        List<Map<String, Object>> top = new ArrayList<>();
        if (sketch == null) {
            return top;
        }
        ItemsSketch.Row<String>[] rows = sketch.getFrequentItems(ErrorType.NO_FALSE_POSITIVES);
        for (int i = 0; i < rows.length && i < TOP_VALUES; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("value", rows[i].getItem());
            row.put("count", rows[i].getEstimate());
            top.add(row);
        }
        return top;
    }

    static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
