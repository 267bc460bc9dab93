package dev.modelwatch.server.drift;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.DriftShare;
import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.drift.FeatureDriftAnalysis;
import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.drift.multivariate.MultivariateDriftResult;
import dev.modelwatch.core.drift.multivariate.PcaReconstructionModel;
import dev.modelwatch.core.estimate.Calibrator;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.estimate.EstimatedPerformance;
import dev.modelwatch.core.estimate.PerformanceEstimator;
import dev.modelwatch.core.metrics.ClassificationMetrics;
import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.core.metrics.RegressionMetrics;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.quality.DataQualityCheck;
import dev.modelwatch.core.quality.DataQualityMetrics;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.quality.DataQualityPolicy;
import dev.modelwatch.core.quality.ProfiledWindow;
import dev.modelwatch.server.aggregate.CoveredRange;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoredReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Answers drift questions: which reference a model's version is compared with (an uploaded one, or
 * the baseline of its first traffic), and how a range of current traffic differs from it — per
 * feature, for the output, score and label, in data quality, jointly (multivariate), and in the
 * performance estimated from scores. Everything is computed from merged window profiles, so a
 * query costs the same whatever the number of events.
 */
public final class DriftService {
    /** The metric series this service computes (besides those of {@link MetricCatalog}). */
    public static final List<String> SERIES = List.of("drift_psi", "drift_ks_statistic", "drift_ks_p_value",
            "drift_wasserstein", "drift_js_distance", "drift_chi2_p_value", "drift_detected", "drift_share",
            "drift_share_weighted", "output_drift_detected", "score_drift_detected", "label_drift_detected",
            "multivariate_drift_error", "multivariate_drift_detected", "data_quality_issues",
            "estimated_accuracy", "estimated_precision", "estimated_recall", "estimated_f1", "estimated_roc_auc",
            "type_mismatch_rate", "non_finite_rate", "out_of_range_fraction", "new_category_share",
            "score_out_of_range_fraction", "accuracy_drop", "f1_drop", "rmse_ratio", "estimated_accuracy_drop",
            "accuracy_drop_p_value", "f1_drop_p_value", "rmse_ratio_p_value", "estimated_accuracy_drop_p_value");
    /** A baseline is rebuilt at most this often (late events may still change it). */
    private static final long BASELINE_CACHE_MS = 60_000;

    private final Store store;
    private final ProfileQuery query;
    private final DriftConfig config;
    private final Clock clock;
    /** References by model and version, least recently used evicted past limits.max_cached_reference_bytes. */
    private final WeightedCache<String, CachedReference> cache;

    public DriftService(Store store, ProfileQuery query, DriftConfig config, Clock clock) {
        this(store, query, config, clock, dev.modelwatch.server.ingest.Limits.DEFAULT.maxCachedReferenceBytes());
    }

    /** @param maxCachedReferenceBytes the estimated heap the cached references may take together */
    public DriftService(Store store, ProfileQuery query, DriftConfig config, Clock clock, long maxCachedReferenceBytes) {
        this.cache = new WeightedCache<>(maxCachedReferenceBytes);
        this.store = store;
        this.query = query;
        this.config = config;
        this.clock = clock;
    }

    /**
     * The reference a query is answered against, with what says where it came from and what it was
     * made of ({@code identity}: the upload's version and time, or the baseline's version, span, rows
     * and labelled rows), which cached drift reports are keyed by: a new upload, or late events or
     * labels in a baseline's span, make a new identity.
     */
    public record ResolvedReference(Reference reference, ReferenceSource description, String identity) {
    }

    /** Where a reference came from, as the drift answer shows it. */
    public sealed interface ReferenceSource permits Uploaded, Baseline {
    }

    /** An uploaded reference: for one version, or (version null) for every version without its own. */
    public record Uploaded(String source, String version, long rows, String uploadedAt) implements ReferenceSource {
    }

    /** A version's first traffic, {@code [from, to)}; {@code complete} once that span has passed. */
    public record Baseline(String source, String version, String from, String to, long rows, boolean complete)
            implements ReferenceSource {
    }

    /**
     * The {@code GET /api/v1/models/{m}/drift} answer: the range, the reference (null, with the
     * {@code reason}, when there is none) and every number of the {@link Report}.
     */
    public record DriftAnswer(String model, String from, String to, CoveredRange covered, String version,
                              String segment, long events,
                              ReferenceSource reference, @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                              @JsonUnwrapped DriftReportAnswer report) {
    }

    private record CachedReference(ResolvedReference resolved, long createdAtMs, long builtAtMs) {
    }

    /** Forgets cached references of a model, after an upload or a deletion. */
    public void invalidate(String model) {
        cache.removeIf(k -> k.startsWith(model + '\u0000'));
    }

    /**
     * The reference for a model's version (null = all versions): the uploaded one of that version,
     * else the model's uploaded one for every version, else the baseline — the first
     * {@code baseline} of the version's traffic. Empty when there is neither an upload nor traffic.
     */
    public Optional<ResolvedReference> reference(ModelRecord m, String version) {
        String key = m.name() + '\u0000' + (version == null ? "" : version);
        Optional<StoredReference> stored = store.findReference(m.name(), version);
        long now = clock.millis();
        CachedReference cached = cache.get(key);
        if (stored.isPresent()) {
            StoredReference s = stored.get();
            if (cached != null && cached.createdAtMs() == s.createdAtMs() && cached.resolved().reference().source()
                    .equals(Reference.UPLOAD)) {
                return Optional.of(cached.resolved());
            }
            Reference r = Reference.fromBytes(s.data());
            ResolvedReference resolved = new ResolvedReference(r, new Uploaded(Reference.UPLOAD,
                    s.version().isEmpty() ? null : s.version(), s.rows(), Times.format(s.createdAtMs())),
                    "upload\u0000" + s.version() + '\u0000' + s.createdAtMs());
            cache.put(key, new CachedReference(resolved, s.createdAtMs(), now), estimatedBytes(r));
            return Optional.of(resolved);
        }
        if (cached != null && cached.resolved().reference().source().equals(Reference.BASELINE)
                && now - cached.builtAtMs() < BASELINE_CACHE_MS) {
            return Optional.of(cached.resolved());
        }
        Optional<ResolvedReference> baseline = baseline(m, version);
        baseline.ifPresent(b -> cache.put(key, new CachedReference(b, -1, now), estimatedBytes(b.reference())));
        return baseline;
    }

    /** A reference's heap: its profile, and its multivariate model (about d x d doubles for d features). */
    private static long estimatedBytes(Reference r) {
        long d = r.profile().numericCoMoments() == null ? 0 : r.profile().numericCoMoments().dimension();
        return 1024 + r.profile().estimatedBytes() + 3 * 8 * d * d + 4096L * r.calibrators().size();
    }

    private Optional<ResolvedReference> baseline(ModelRecord m, String version) {
        if (m.predictionCount() == 0) {
            return Optional.empty();
        }
        ModelSpec spec = m.spec();
        long windowMs = spec.windowMs();
        long baselineMs = config.baselineFor(m.name()).toMillis();
        long first = firstEvent(m, version);
        if (first == Long.MAX_VALUE) {
            return Optional.empty();
        }
        long from = Math.floorDiv(first, windowMs) * windowMs;
        long to = from + Math.max(windowMs, Math.floorDiv(baselineMs, windowMs) * windowMs);
        List<ProfileQuery.Bucket> windows = query.series(spec, version, ProfileKey.ALL, from, to, windowMs);
        WindowProfile merged = new WindowProfile(dev.modelwatch.core.profile.SketchSettings.DEFAULT);
        List<WindowProfile> each = new ArrayList<>();
        for (ProfileQuery.Bucket b : windows) {
            merged.merge(b.profile());
            each.add(b.profile());
        }
        if (merged.count() == 0) {
            return Optional.empty();
        }
        return Optional.of(new ResolvedReference(Reference.baseline(merged, each), new Baseline(Reference.BASELINE,
                version, Times.format(from), Times.format(to), merged.count(), to <= clock.millis()),
                "baseline\u0000" + (version == null ? "" : version) + '\u0000' + from + '\u0000' + to + '\u0000'
                        + merged.count() + '\u0000' + merged.labeled()));
    }

    /** When a version's (or the model's) first prediction happened, found from the day roll-ups. */
    private long firstEvent(ModelRecord m, String version) {
        if (version == null) {
            return m.firstEventMs();
        }
        long day = 86_400_000L;
        long from = Math.floorDiv(m.firstEventMs(), day) * day;
        long to = Math.floorDiv(m.lastEventMs(), day) * day + day;
        for (ProfileQuery.Bucket b : query.series(m.spec(), version, ProfileKey.ALL, from, to, day)) {
            if (b.profile().count() > 0) {
                return b.profile().minTimestampMs();
            }
        }
        return Long.MAX_VALUE;
    }

    /** The {@code GET /api/v1/models/{m}/drift} answer for a range of current traffic. */
    public DriftAnswer drift(ModelRecord m, String version, String segment, long fromMs, long toMs) {
        WindowProfile current = query.range(m.spec(), version, segment, fromMs, toMs);
        Optional<ResolvedReference> ref = reference(m, version);
        String from = Times.format(fromMs);
        String to = Times.format(toMs);
        String seg = segment.isEmpty() ? null : segment;
        CoveredRange covered = CoveredRange.of(fromMs, toMs, m.spec().windowMs(), m.spec().windowMs());
        if (ref.isEmpty()) {
            return new DriftAnswer(m.name(), from, to, covered, version, seg, current.count(), null,
                    "no reference: upload one with PUT /api/v1/models/" + m.name() + "/reference, or send traffic (the first "
                            + config.baselineFor(m.name()) + " serves as baseline)", null);
        }
        return new DriftAnswer(m.name(), from, to, covered, version, seg, current.count(), ref.get().description(), null,
                Report.of(m.spec(), ref.get().reference(), current, config.policyFor(m.name()),
                        config.importancesFor(m.name())).answer());
    }

    /**
     * The drift series values of current traffic against a reference, computed anew (a bucket's, read
     * again by rules or dashboards, goes through the report cache: the overload with the bucket).
     */
    public List<MetricCatalog.MetricValue> seriesValues(ModelSpec spec, Reference reference, WindowProfile current,
                                                       java.util.Collection<String> names) {
        return Report.of(spec, reference, current, config.policyFor(spec.name()), config.importancesFor(spec.name()))
                .metricValues(names);
    }

    /**
     * {@link #seriesValues} of a bucket of a model's traffic ({@code version} null: every version;
     * {@code segment} {@link ProfileKey#ALL}: every segment), through the report cache.
     */
    public List<MetricCatalog.MetricValue> seriesValues(ModelSpec spec, ResolvedReference reference, String version,
                                                       String segment, long startMs, long endMs, WindowProfile current,
                                                       java.util.Collection<String> names) {
        return report(spec, reference, version, segment, startMs, endMs, current).metricValues(names);
    }

    /**
     * A bucket whose drift report is cached: the model, filters, range and the reference's identity. One
     * entry a bucket: a report of the bucket computed from other counts (late or new events) replaces it,
     * so that a bucket that keeps changing (a backfill, the current window) holds one report, not one per
     * count.
     */
    private record BucketKey(String model, String version, String segment, long startMs, long endMs,
                             String reference) {
    }

    /** A bucket's report and what it was computed from (events and labelled events: late ones change them). */
    private record CachedReport(long events, long labeled, java.util.concurrent.CompletableFuture<Report> report) {
    }

    /**
     * The drift report of a bucket, computed once for every reader of the same bucket and counts (rules,
     * the dashboard's heatmap and estimates, the overview), concurrent ones included: a report being
     * computed is waited for, not computed again.
     */
    private Report report(ModelSpec spec, ResolvedReference reference, String version, String segment, long startMs,
                          long endMs, WindowProfile current) {
        BucketKey key = new BucketKey(spec.name(), version == null ? "" : version,
                segment == null ? ProfileKey.ALL : segment, startMs, endMs, reference.identity());
        java.util.concurrent.CompletableFuture<Report> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Report> theirs = null;
        synchronized (reports) {
            CachedReport cached = reports.get(key);
            if (cached != null && cached.events() == current.count() && cached.labeled() == current.labeled()) {
                theirs = cached.report();
            } else {
                reports.put(key, new CachedReport(current.count(), current.labeled(), mine));
            }
        }
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            Report report = Report.of(spec, reference.reference(), current, config.policyFor(spec.name()),
                    config.importancesFor(spec.name()));
            mine.complete(report);
            return report;
        } catch (RuntimeException | Error e) {
            synchronized (reports) {
                CachedReport cached = reports.get(key);
                if (cached != null && cached.report() == mine) {
                    reports.remove(key);
                }
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** The latest report of each bucket (also those being computed), for rules and dashboards that read them again. */
    private final Map<BucketKey, CachedReport> reports = new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<BucketKey, CachedReport> eldest) {
            return size() > 2_048;
        }
    };

    /** Every drift number of a current profile against a reference. */
    public record Report(Map<String, FeatureDrift> features, FeatureDrift output, FeatureDrift score,
                         FeatureDrift label, DriftShare share, List<DataQualityIssue> dataQuality,
                         MultivariateDriftResult multivariate, String multivariateReason,
                         EstimatedPerformance estimated, String estimatedReason, String calibration,
                         Map<String, Double> realized, ProfiledWindow referenceWindow, ProfiledWindow currentWindow,
                         Map<String, Double> againstReference, MultipleTestingSummary multipleTesting, long labeled) {

        public static Report of(ModelSpec spec, Reference ref, WindowProfile current, DriftPolicy policy,
                         Map<String, Double> importances) {
            WindowProfile rp = ref.profile();
            Map<String, FeatureDrift> features = FeatureDriftAnalysis.ofAll(rp.features(), current.features(), policy);
            FeatureDrift output = drift("prediction", rp.output(), current.output(), policy);
            FeatureDrift score = drift("score", rp.score(), current.score(), policy);
            FeatureDrift label = drift("label", rp.label(), current.label(), policy);
            Map<String, Double> weights = importances.isEmpty() ? ref.featureImportances() : importances;
            DriftShare share = DriftShare.of(features.values(), weights.isEmpty() ? null : weights);
            ProfiledWindow refWindow = ProfiledWindow.of(rp);
            ProfiledWindow curWindow = ProfiledWindow.of(current);
            List<DataQualityIssue> quality = DataQualityCheck.compare(refWindow, curWindow, DataQualityPolicy.DEFAULT);
            MultivariateDriftResult mv = null;
            String mvReason = null;
            PcaReconstructionModel model = ref.multivariate();
            CoMoments window = current.numericCoMoments();
            if (model == null) {
                mvReason = "the reference has fewer than two numerical features";
            } else if (window == null) {
                mvReason = "no numerical feature values in the range";
            } else {
                mv = model.evaluate(window.select(model.featureNames()));
            }
            EstimatedPerformance est = null;
            String estReason = null;
            String calibration = null;
            ConfidenceProfile conf = current.confidence();
            if (spec.task() == ModelTask.REGRESSION) {
                estReason = "performance is estimated for classifiers with probability scores";
            } else if (conf == null) {
                estReason = current.confidenceMixed() ? "the range mixes windows with different class lists"
                        : "no scored predictions in the range";
            } else if (conf.isBinary()) {
                Calibrator c = ref.calibrators().get(spec.positiveClass());
                calibration = c == null ? "none: scores taken as calibrated probabilities" : "isotonic, fitted on "
                        + c.referenceCount() + " labelled reference rows";
                est = PerformanceEstimator.binaryAsPredicted(conf, c == null ? Calibrator.identity() : c);
            } else {
                Map<String, Calibrator> cs = new TreeMap<>();
                for (String cl : conf.classes()) {
                    cs.put(cl, ref.calibrators().getOrDefault(cl, Calibrator.identity()));
                }
                calibration = ref.calibrators().isEmpty() ? "none: scores taken as calibrated probabilities"
                        : "isotonic one-vs-rest, fitted on labelled reference rows";
                est = PerformanceEstimator.multiclass(conf, cs);
            }
            Map<String, Double> realized = new LinkedHashMap<>();
            if (spec.task() != ModelTask.REGRESSION && current.labeled() > 0) {
                ClassificationMetrics c = ClassificationMetrics.of(current, spec);
                realized.put(EstimatedPerformance.ACCURACY, c.accuracy());
                realized.put(EstimatedPerformance.PRECISION, c.precision());
                realized.put(EstimatedPerformance.RECALL, c.recall());
                realized.put(EstimatedPerformance.F1, c.f1());
                realized.put(EstimatedPerformance.ROC_AUC, c.rocAuc());
            }
            return new Report(features, output, score, label, share, quality, mv, mvReason, est, estReason, calibration,
                    realized, refWindow, curWindow, againstReference(spec, ref, current, est),
                    MultipleTestingSummary.of(features.values(), policy), current.labeled());
        }

        /**
         * Performance against the reference's own ({@link PerformanceChange}): {@code accuracy_drop} and
         * {@code f1_drop} (reference minus current, labelled windows), {@code rmse_ratio} (current over
         * reference), and {@code estimated_accuracy_drop} (the reference's accuracy — realized when it was
         * labelled, else estimated from its scores — minus the window's estimate), each with its one-sided
         * p-value ({@code <series>_p_value}): how often two samples of one distribution differ that much.
         */
        private static Map<String, Double> againstReference(ModelSpec spec, Reference ref, WindowProfile current,
                                                            EstimatedPerformance est) {
            Map<String, Double> out = new LinkedHashMap<>();
            WindowProfile rp = ref.profile();
            if (spec.task() == ModelTask.REGRESSION) {
                if (rp.labeled() > 0 && current.labeled() > 0) {
                    put(out, "rmse_ratio", PerformanceChange.rmseRatio(RegressionMetrics.of(rp),
                            RegressionMetrics.of(current)));
                }
                return out;
            }
            ClassificationMetrics r = rp.labeled() > 0 ? ClassificationMetrics.of(rp, spec) : null;
            ClassificationMetrics c = current.labeled() > 0 ? ClassificationMetrics.of(current, spec) : null;
            if (r != null && c != null) {
                put(out, "accuracy_drop", PerformanceChange.accuracyDrop(r, c));
                put(out, "f1_drop", PerformanceChange.f1Drop(r, c, spec));
            }
            Double refAccuracy = r != null ? r.accuracy() : null;
            double refSd = refAccuracy == null ? Double.NaN
                    : Math.sqrt(refAccuracy * (1 - refAccuracy) / Math.max(1, r.labeled()));
            if (refAccuracy == null && rp.confidence() != null && rp.confidence().isBinary()) {
                Calibrator cal = ref.calibrators().get(spec.positiveClass());
                EstimatedPerformance.Estimate own = PerformanceEstimator.binaryAsPredicted(rp.confidence(),
                        cal == null ? Calibrator.identity() : cal).estimate(EstimatedPerformance.ACCURACY);
                refAccuracy = own == null ? null : own.value();
                refSd = own == null ? Double.NaN : own.sd();
            }
            EstimatedPerformance.Estimate estimated = est == null ? null : est.estimate(EstimatedPerformance.ACCURACY);
            if (refAccuracy != null && estimated != null) {
                put(out, "estimated_accuracy_drop", PerformanceChange.estimatedDrop(refAccuracy, refSd,
                        estimated.value(), estimated.sd()));
            }
            return out;
        }

        private static void put(Map<String, Double> out, String name, PerformanceChange change) {
            if (change != null) {
                out.put(name, change.change());
                out.put(name + "_p_value", change.pValue());
            }
        }

        private static FeatureDrift drift(String name, FeatureProfile ref, FeatureProfile cur, DriftPolicy policy) {
            return ref == null && cur == null ? null : FeatureDriftAnalysis.of(name, ref, cur, policy);
        }

        /** The report as the drift answer shows it. */
        public DriftReportAnswer answer() {
            return new DriftReportAnswer(DriftReportAnswer.FeatureDriftAnswer.ofAll(features), share, multipleTesting,
                    new DriftReportAnswer.OutputDrift(DriftReportAnswer.FeatureDriftAnswer.of(output),
                            DriftReportAnswer.FeatureDriftAnswer.of(score)),
                    DriftReportAnswer.FeatureDriftAnswer.of(label),
                    DriftReportAnswer.Multivariate.of(multivariate, multivariateReason), dataQuality,
                    DriftReportAnswer.estimated(estimated, estimatedReason, calibration, realized,
                            labeled));
        }

        /** The values of the requested drift series; a value that cannot be computed is left out. */
        List<MetricCatalog.MetricValue> metricValues(java.util.Collection<String> names) {
            List<MetricCatalog.MetricValue> out = new ArrayList<>();
            for (FeatureDrift d : features.values()) {
                Map<String, String> labels = Map.of("feature", d.feature());
                var s = d.statistics();
                addStat(out, names, "drift_psi", labels, s.psi());
                addStat(out, names, "drift_ks_statistic", labels, s.ksStatistic());
                addStat(out, names, "drift_ks_p_value", labels, s.ksPValue());
                addStat(out, names, "drift_wasserstein", labels, s.wasserstein());
                addStat(out, names, "drift_js_distance", labels, s.jsDistance());
                addStat(out, names, "drift_chi2_p_value", labels, s.chi2PValue());
                if (names.contains("drift_detected")) {
                    out.add(new MetricCatalog.MetricValue("drift_detected", labels, d.drifted() ? 1 : 0));
                }
            }
            addFlag(out, names, "output_drift_detected", output);
            addFlag(out, names, "score_drift_detected", score);
            addFlag(out, names, "label_drift_detected", label);
            if (share.share() != null) {
                addStat(out, names, "drift_share", Map.of(), share.share());
            }
            if (share.weightedShare() != null) {
                addStat(out, names, "drift_share_weighted", Map.of(), share.weightedShare());
            }
            if (multivariate != null) {
                addStat(out, names, "multivariate_drift_error", Map.of(), multivariate.reconstructionError());
                if (multivariate.drifted() != null) {
                    addStat(out, names, "multivariate_drift_detected", Map.of(), multivariate.drifted() ? 1.0 : 0.0);
                }
            }
            if (names.contains("data_quality_issues")) {
                Map<String, Integer> byKind = new TreeMap<>();
                for (DataQualityIssue i : dataQuality) {
                    byKind.merge(i.issue().wireName(), 1, Integer::sum);
                }
                byKind.forEach((k, n) -> out.add(new MetricCatalog.MetricValue("data_quality_issues", Map.of("issue", k), n)));
            }
            for (MetricCatalog.MetricValue v : DataQualityMetrics.metrics(referenceWindow, currentWindow)) {
                // missing_rate is one of MetricCatalog's own series
                if (names.contains(v.name()) && !v.name().equals("missing_rate") && Double.isFinite(v.value())) {
                    out.add(v);
                }
            }
            againstReference.forEach((k, v) -> addStat(out, names, k, Map.of(), v));
            if (estimated != null) {
                for (String k : List.of("accuracy", "precision", "recall", "f1", "roc_auc")) {
                    Double v = estimated.value(k);
                    addStat(out, names, "estimated_" + k, Map.of(), v);
                }
            }
            return out;
        }

        private static void addFlag(List<MetricCatalog.MetricValue> out, java.util.Collection<String> names, String name,
                                    FeatureDrift d) {
            if (d != null && names.contains(name)) {
                out.add(new MetricCatalog.MetricValue(name, Map.of(), d.drifted() ? 1 : 0));
            }
        }

        private static void addStat(List<MetricCatalog.MetricValue> out, java.util.Collection<String> names, String name,
                                    Map<String, String> labels, Number value) {
            if (names.contains(name) && value != null && Double.isFinite(value.doubleValue())) {
                out.add(new MetricCatalog.MetricValue(name, labels, value.doubleValue()));
            }
        }
    }
}
