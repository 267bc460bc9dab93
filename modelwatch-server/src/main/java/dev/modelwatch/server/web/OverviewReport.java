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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the overview: for each model its health, the last hour's traffic, key metric (with a
 * sparkline) and drift share. A model's row costs its windows of the last hour (the models' read
 * together: one store read and one round trip to the aggregation runtime for all), merged into the
 * hour and the sparkline's steps, and one drift report of that hour, so the cost grows with models,
 * not events. A model's row is kept and shown again while nothing it is made of changed: its data
 * (the registry's change sequence: windows committed, late events or labels, a new reference), its
 * firing alerts and its last hour (the same windows). While someone uses the overview (asked for within
 * the last {@link OverviewDemand#DEFAULT_IDLE_AFTER}), the rows are kept up to date in the background
 * ({@link #keepUpdated}), so that an answer finds them made and recomputes only what changed since the
 * last pass; while nobody does, the background does nothing, and the first answer after an idle spell
 * builds what changed on demand (the same answer: every answer brings every row up to date first).
 */
final class OverviewReport {
    private static final Logger LOG = LoggerFactory.getLogger(OverviewReport.class);
    static final long HOUR_MS = 3_600_000L;
    private static final long SPARK_STEP_MS = 300_000L;

    private final DashboardSources sources;
    private final OverviewDemand demand;
    /** The last row built of each model, with what it was built from. */
    private final Map<String, KeptRow> kept = new HashMap<>();

    /** What a row is made of: the model's data, its firing alerts and its hour's end on the window grid. */
    private record RowBasis(ModelRecord model, long dataSequence, List<AlertView.FiringAlert> firing, long hourEndMs) {
    }

    private record KeptRow(RowBasis basis, ModelOverview row) {
    }

    OverviewReport(DashboardSources sources) {
        this(sources, new OverviewDemand(OverviewDemand.DEFAULT_IDLE_AFTER));
    }

    OverviewReport(DashboardSources sources, OverviewDemand demand) {
        this.sources = sources;
        this.demand = demand;
    }

    /** The overview as of now: every row brought up to date first (most already are, by {@link #keepUpdated}). */
    synchronized Overview build() {
        long now = sources.clock().millis();
        demand.asked(now);
        List<RowBasis> bases = update(now);
        List<ModelOverview> rows = new ArrayList<>(bases.size());
        for (RowBasis b : bases) {
            rows.add(kept.get(b.model().name()).row());
        }
        return new Overview(Times.format(now), rows);
    }

    /**
     * Brings the rows up to date every {@code periodMs} on {@code background}, as windows close, data
     * changes and alerts fire, while the overview is in use ({@link OverviewDemand}), so that an answer finds
     * them made: a visit then costs what changed since the last pass, not a drift report of every model.
     * A pass that fails (storage down) is tried again at the next.
     */
    void keepUpdated(ScheduledExecutorService background, long periodMs) {
        background.scheduleWithFixedDelay(this::refreshIfInUse, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** One background pass: brings the rows up to date if the overview is in use; says whether it did. */
    boolean refreshIfInUse() {
        long now = sources.clock().millis();
        if (!demand.inUse(now)) {
            return false;
        }
        try {
            synchronized (this) {
                update(now);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.debug("the overview's rows were not brought up to date: {}", e.getMessage());
            return false;
        }
    }

    /** Builds the row of every model whose basis changed since its row was built; returns every model's basis. */
    private List<RowBasis> update(long now) {
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
        // the changed models' windows over their hour and sparkline, read together (one store read and one
        // round trip to the aggregation runtime for all)
        List<ProfileQuery.SeriesRequest> windows = new ArrayList<>(changed.size());
        for (RowBasis b : changed) {
            long step = sparkStep(b.model().spec());
            windows.add(new ProfileQuery.SeriesRequest(b.model().spec(), Math.floorDiv(hourStart(b), step) * step,
                    b.hourEndMs(), b.model().spec().windowMs()));
        }
        List<List<ProfileQuery.Bucket>> read = changed.isEmpty() ? List.of() : sources.query().series(windows);
        for (int i = 0; i < changed.size(); i++) {
            RowBasis b = changed.get(i);
            kept.put(b.model().name(), new KeptRow(b, row(b, read.get(i))));
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        bases.forEach(b -> present.add(b.model().name()));
        kept.keySet().retainAll(present);
        return bases;
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

    /** The sparkline's step: five minutes of whole windows, one window when it is longer. */
    private static long sparkStep(ModelSpec spec) {
        long w = spec.windowMs();
        return Math.max(w, (SPARK_STEP_MS / w) * w);
    }

    /**
     * The row of {@code basis}'s model, {@code windows} its traffic per window from the start of the
     * sparkline's first step to the hour's end.
     */
    private ModelOverview row(RowBasis basis, List<ProfileQuery.Bucket> windows) {
        ModelRecord m = basis.model();
        ModelSpec spec = m.spec();
        long to = basis.hourEndMs();
        long from = hourStart(basis);
        long step = sparkStep(spec);
        WindowProfile hour = new WindowProfile(sources.query().sketches());
        for (ProfileQuery.Bucket b : windows) {
            if (b.startMs() >= from) {
                hour.merge(b.profile());
            }
        }
        List<AlertView.FiringAlert> firing = basis.firing();
        boolean critical = firing.stream().anyMatch(a -> "critical".equals(a.severity()));
        String health = critical ? "critical" : firing.isEmpty() ? "ok" : "warning";
        // the last hour on the window grid, the open window included: the same bucket, and so the same cached
        // drift report, until a window closes or the model's data changes
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
            java.util.TreeMap<Long, WindowProfile> steps = new java.util.TreeMap<>();
            for (ProfileQuery.Bucket b : windows) {
                steps.computeIfAbsent(Math.floorDiv(b.startMs(), step) * step, k -> new WindowProfile(sources.query().sketches()))
                        .merge(b.profile());
            }
            for (Map.Entry<Long, WindowProfile> e : steps.entrySet()) {
                Double v = value(spec, e.getValue(), step, key);
                if (v != null) {
                    spark.add(new double[] {e.getKey(), v});
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
