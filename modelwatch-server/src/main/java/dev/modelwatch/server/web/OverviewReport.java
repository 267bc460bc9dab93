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
 * sparkline) and drift share. Each model costs a range query over the last hour (the models' read
 * together, one round trip to the aggregation runtime for all), a series query for its sparkline and
 * one drift report of that hour, all merged from stored windows, so the cost grows with models, not events.
 * A model's row is kept and shown again while nothing it is made of changed: its data (the registry's
 * change sequence: windows committed, late events or labels, a new reference), its firing alerts and
 * its last hour (the same windows). An open overview reloaded on every change recomputes only the
 * rows of the models that changed.
 */
final class OverviewReport {
    static final long HOUR_MS = 3_600_000L;
    private static final long SPARK_STEP_MS = 300_000L;

    private final DashboardSources sources;
    /** The last row built of each model, with what it was built from. */
    private final Map<String, KeptRow> kept = new java.util.concurrent.ConcurrentHashMap<>();

    /** What a row is made of: the model's data, its firing alerts and its hour's end on the window grid. */
    private record RowBasis(ModelRecord model, long dataSequence, List<AlertView.FiringAlert> firing, long hourEndMs) {
    }

    private record KeptRow(RowBasis basis, ModelOverview row) {
    }

    OverviewReport(DashboardSources sources) {
        this.sources = sources;
    }

    Overview build() {
        long now = sources.clock().millis();
        List<RowBasis> bases = new ArrayList<>();
        List<RowBasis> changed = new ArrayList<>();
        for (ModelRecord m : sources.models().all()) {
            // the sequence is read before the data: a change while the row is built makes the next build redo it
            RowBasis basis = new RowBasis(m, sources.models().change(m.name()).sequence(), sources.alerts().firing(m.name()),
                    hourEnd(m.spec(), now));
            bases.add(basis);
            KeptRow k = kept.get(m.name());
            if (k == null || !k.basis().equals(basis)) {
                changed.add(basis);
            }
        }
        // the changed models' hours, read together (one round trip to the aggregation runtime for all)
        List<ProfileQuery.RangeRequest> hours = new ArrayList<>(changed.size());
        for (RowBasis b : changed) {
            hours.add(new ProfileQuery.RangeRequest(b.model().spec(), hourStart(b), b.hourEndMs()));
        }
        List<WindowProfile> read = sources.query().ranges(hours);
        for (int i = 0; i < changed.size(); i++) {
            RowBasis b = changed.get(i);
            kept.put(b.model().name(), new KeptRow(b, row(b, read.get(i))));
        }
        List<ModelOverview> rows = new ArrayList<>(bases.size());
        java.util.Set<String> present = new java.util.HashSet<>();
        for (RowBasis b : bases) {
            present.add(b.model().name());
            rows.add(kept.get(b.model().name()).row());
        }
        kept.keySet().retainAll(present);
        return new Overview(Times.format(now), rows);
    }

    /** The start of the last hour's range: an hour of whole windows (one window when it is longer) before its end. */
    private static long hourStart(RowBasis b) {
        long w = b.model().spec().windowMs();
        return b.hourEndMs() - Math.max(w, HOUR_MS / w * w);
    }

    /** The end of the last hour's range: the end of the window {@code now} is in. */
    private static long hourEnd(ModelSpec spec, long now) {
        return (Math.floorDiv(now, spec.windowMs()) + 1) * spec.windowMs();
    }

    /** The row of {@code basis}'s model, {@code hour} its traffic over {@code [hourStart, hourEnd)}. */
    private ModelOverview row(RowBasis basis, WindowProfile hour) {
        ModelRecord m = basis.model();
        ModelSpec spec = m.spec();
        List<AlertView.FiringAlert> firing = basis.firing();
        boolean critical = firing.stream().anyMatch(a -> "critical".equals(a.severity()));
        String health = critical ? "critical" : firing.isEmpty() ? "ok" : "warning";
        // the last hour on the window grid, the open window included: the same bucket, and so the same cached
        // drift report, until a window closes or the model's data changes
        long w = spec.windowMs();
        long to = basis.hourEndMs();
        long from = hourStart(basis);
        long step = Math.max(w, (SPARK_STEP_MS / w) * w);
        Optional<DriftService.ResolvedReference> reference = hour.count() == 0 ? Optional.empty()
                : sources.drift().reference(m, null);
        // one drift report per model: the hour's drift share and, without labels, its estimated accuracy
        Map<String, Double> drift = new HashMap<>();
        if (reference.isPresent()) {
            for (MetricCatalog.MetricValue v : sources.drift().seriesValues(spec, reference.get(), null, ProfileKey.ALL,
                    from, to, hour, List.of("drift_share", "estimated_accuracy"))) {
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
            keyValue = value(spec, hour, to - from, key);
            for (ProfileQuery.Bucket b : sources.query().series(spec, null, ProfileKey.ALL, from, to, step)) {
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
