package dev.modelwatch.core.metrics;

import org.apache.datasketches.kll.KllDoublesSketch;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named metric series a profile yields, as {@code name{labels} = value}: the model-level
 * metrics ({@link #MODEL_METRICS}) and per-feature ones labelled {@code feature=...}
 * ({@link #FEATURE_METRICS}). Metrics that cannot be computed are left out, never invented.
 * {@code label_coverage} is the share of the predictions labelled so far, and {@code <metric>_lower} /
 * {@code <metric>_upper} the ends of a performance metric's 95% confidence interval
 * ({@link PerformanceIntervals}).
 */
public final class MetricCatalog {
    public static final List<String> MODEL_METRICS = List.of("count", "labeled", "throughput_per_s", "error_rate",
            "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "mae", "rmse", "mape", "r2",
            "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_max_ms", "label_coverage",
            "accuracy_lower", "accuracy_upper", "precision_lower", "precision_upper", "recall_lower", "recall_upper",
            "f1_lower", "f1_upper", "roc_auc_lower", "roc_auc_upper", "mae_lower", "mae_upper", "rmse_lower",
            "rmse_upper");
    public static final List<String> FEATURE_METRICS = List.of("missing_rate", "feature_mean", "feature_std",
            "feature_min", "feature_max", "feature_p50", "feature_distinct", "feature_nan_count");

    /** One value of a series. */
    public record MetricValue(String name, Map<String, String> labels, double value) {
    }

    private MetricCatalog() {
    }

    public static boolean isKnown(String name) {
        return MODEL_METRICS.contains(name) || FEATURE_METRICS.contains(name);
    }

    /**
     * Values of the requested metrics.
     *
     * @param durationMs the time the profile covers, for throughput
     */
    public static List<MetricValue> values(WindowProfile p, ModelSpec spec, long durationMs, Collection<String> names) {
        Set<String> wanted = Set.copyOf(names);
        List<MetricValue> out = new ArrayList<>();
        Map<String, Double> model = new LinkedHashMap<>();
        model.put("count", (double) p.count());
        model.put("labeled", (double) p.labeled());
        model.put("throughput_per_s", durationMs > 0 ? p.count() * 1000.0 / durationMs : null);
        model.put("error_rate", p.count() > 0 ? (double) p.errors() / p.count() : null);
        if (spec.task().isClassification() && containsAny(wanted, "accuracy", "precision", "recall", "f1", "roc_auc",
                "log_loss")) {
            ClassificationMetrics c = ClassificationMetrics.of(p, spec);
            model.put("accuracy", c.accuracy());
            model.put("precision", c.precision());
            model.put("recall", c.recall());
            model.put("f1", c.f1());
            model.put("roc_auc", c.rocAuc());
            model.put("log_loss", c.logLoss());
        }
        if (!spec.task().isClassification() && containsAny(wanted, "mae", "rmse", "mape", "r2")) {
            RegressionMetrics r = RegressionMetrics.of(p);
            model.put("mae", r.mae());
            model.put("rmse", r.rmse());
            model.put("mape", r.mape());
            model.put("r2", r.r2());
        }
        model.put("label_coverage", PerformanceIntervals.coverage(p.labeled(), p.count()));
        if (wanted.stream().anyMatch(n -> n.endsWith("_lower") || n.endsWith("_upper"))) {
            PerformanceIntervals.of(p, spec).intervals().forEach((name, ci) -> {
                model.put(name + "_lower", ci.lower());
                model.put(name + "_upper", ci.upper());
            });
        }
        KllDoublesSketch latency = p.latency();
        if (latency != null && !latency.isEmpty()) {
            model.put("latency_p50_ms", latency.getQuantile(0.5));
            model.put("latency_p95_ms", latency.getQuantile(0.95));
            model.put("latency_p99_ms", latency.getQuantile(0.99));
            model.put("latency_max_ms", latency.getMaxItem());
        }
        model.forEach((name, v) -> {
            if (v != null && wanted.contains(name) && Double.isFinite(v)) {
                out.add(new MetricValue(name, Map.of(), v));
            }
        });
        if (containsAny(wanted, FEATURE_METRICS.toArray(new String[0]))) {
            for (Map.Entry<String, FeatureProfile> e : p.features().entrySet()) {
                FeatureProfile f = e.getValue();
                Map<String, String> labels = Map.of("feature", e.getKey());
                Map<String, Double> fv = new LinkedHashMap<>();
                fv.put("missing_rate", p.count() == 0 ? null : (double) Math.max(0, p.count() - f.present()) / p.count());
                fv.put("feature_mean", f.mean());
                fv.put("feature_std", f.std());
                fv.put("feature_min", f.min());
                fv.put("feature_max", f.max());
                fv.put("feature_p50", f.quantile(0.5));
                fv.put("feature_distinct", f.stringCount() > 0 ? f.distinctEstimate() : null);
                fv.put("feature_nan_count", (double) f.nanCount());
                fv.forEach((name, v) -> {
                    if (v != null && wanted.contains(name) && Double.isFinite(v)) {
                        out.add(new MetricValue(name, labels, v));
                    }
                });
            }
        }
        return out;
    }

    private static boolean containsAny(Set<String> set, String... names) {
        for (String n : names) {
            if (set.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
