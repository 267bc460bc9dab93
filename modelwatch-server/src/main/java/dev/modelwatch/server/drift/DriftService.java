package dev.modelwatch.server.drift;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
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
     * {@code reason}, when there is none) and every number of the {@link DriftReport}.
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
                DriftReport.of(m.spec(), ref.get().reference(), current, config.policyFor(m.name()),
                        config.importancesFor(m.name())).answer());
    }

    /**
     * The drift series values of current traffic against a reference, computed anew (a bucket's, read
     * again by rules or dashboards, goes through the report cache: the overload with the bucket).
     */
    public List<MetricCatalog.MetricValue> seriesValues(ModelSpec spec, Reference reference, WindowProfile current,
                                                       java.util.Collection<String> names) {
        return DriftReport.of(spec, reference, current, config.policyFor(spec.name()), config.importancesFor(spec.name()))
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
    private record CachedReport(long events, long labeled, java.util.concurrent.CompletableFuture<DriftReport> report) {
    }

    /**
     * The drift report of a bucket, computed once for every reader of the same bucket and counts (rules,
     * the dashboard's heatmap and estimates, the overview), concurrent ones included: a report being
     * computed is waited for, not computed again.
     */
    private DriftReport report(ModelSpec spec, ResolvedReference reference, String version, String segment, long startMs,
                          long endMs, WindowProfile current) {
        BucketKey key = new BucketKey(spec.name(), version == null ? "" : version,
                segment == null ? ProfileKey.ALL : segment, startMs, endMs, reference.identity());
        java.util.concurrent.CompletableFuture<DriftReport> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<DriftReport> theirs = null;
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
            DriftReport report = DriftReport.of(spec, reference.reference(), current, config.policyFor(spec.name()),
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
}
