package dev.modelwatch.server.web;

import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.alert.AlertView;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.store.ModelRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/**
 * Builds the overview: for each model its health, the last hour's traffic, key metric (with a
 * sparkline) and drift share. Each model costs a range and a series query over the last hour and one
 * drift report of that hour, all merged from stored windows, so the cost grows with models, not events.
 */
final class OverviewReport {
    static final long HOUR_MS = 3_600_000L;
    private static final long SPARK_STEP_MS = 300_000L;

    private final DashboardSources sources;

    OverviewReport(DashboardSources sources) {
        this.sources = sources;
    }

    Overview build() {
        long now = sources.clock().millis();
        List<ModelOverview> rows = new ArrayList<>();
        for (ModelRecord m : sources.models().all()) {
            rows.add(row(m, now));
        }
        return new Overview(Times.format(now), rows);
    }

    private ModelOverview row(ModelRecord m, long now) {
        ModelSpec spec = m.spec();
        List<AlertView.FiringAlert> firing = sources.alerts().firing(m.name());
        boolean critical = firing.stream().anyMatch(a -> "critical".equals(a.severity()));
        String health = critical ? "critical" : firing.isEmpty() ? "ok" : "warning";
        long from = now - HOUR_MS;
        long step = Math.max(spec.windowMs(), (SPARK_STEP_MS / spec.windowMs()) * spec.windowMs());
        WindowProfile hour = sources.query().range(spec, null, ProfileKey.ALL, from, now + 1);
        Optional<DriftService.ResolvedReference> reference = hour.count() == 0 ? Optional.empty()
                : sources.drift().reference(m, null);
        // one drift report per model: the hour's drift share and, without labels, its estimated accuracy
        Map<String, Double> drift = new HashMap<>();
        if (reference.isPresent()) {
            for (MetricCatalog.MetricValue v : sources.drift().seriesValues(spec, reference.get().reference(), hour,
                    List.of("drift_share", "estimated_accuracy"))) {
                if (v.labels().isEmpty() && Double.isFinite(v.value())) {
                    drift.put(v.name(), v.value());
                }
            }
        }
        String key = spec.task().isClassification() ? "accuracy" : "rmse";
        Double keyValue;
        List<double[]> spark = new ArrayList<>();
        if (key.equals("accuracy") && hour.labeled() == 0 && drift.containsKey("estimated_accuracy")) {
            key = "estimated_accuracy";
            keyValue = drift.get(key); // no sparkline: a drift report per step would cost more than the row is worth
        } else {
            keyValue = value(spec, hour, HOUR_MS, key);
            for (ProfileQuery.Bucket b : sources.query().series(spec, null, ProfileKey.ALL, from, now + 1, step)) {
                Double v = value(spec, b.profile(), b.endMs() - b.startMs(), key);
                if (v != null) {
                    spark.add(new double[] {b.startMs(), v});
                }
            }
        }
        Double driftShare = drift.get("drift_share");
        return new ModelOverview(m.name(), spec.task().wireName(), List.copyOf(m.versions()), health, hour.count(),
                key, keyValue, spark, driftShare, firing.size(),
                m.predictionCount() == 0 ? null : Times.format(m.lastEventMs()));
    }

    private static Double value(ModelSpec spec, WindowProfile p, long durationMs, String name) {
        if (p.count() == 0) {
            return null;
        }
        return first(MetricCatalog.values(p, spec, durationMs, List.of(name)).stream()
                .filter(v -> v.name().equals(name) && v.labels().isEmpty()).toList());
    }

    private static Double first(List<MetricCatalog.MetricValue> values) {
        for (MetricCatalog.MetricValue v : values) {
            if (v.labels().isEmpty() && Double.isFinite(v.value())) {
                return v.value();
            }
        }
        return null;
    }
}
