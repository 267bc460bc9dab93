package dev.modelwatch.server.alert;

import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.store.ModelRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metric series rules read: every model's metrics ({@link MetricCatalog}) and drift series
 * ({@link DriftService#SERIES}) computed per closed window from the window profiles, labelled
 * {@code model} (and {@code feature}, {@code issue} where the metric has them). A sample's time is its
 * window's end, when the window closed: a rule sees a window once it is complete. {@code count} and
 * {@code throughput_per_s} are 0 for a closed window without events after the model's first event,
 * so that "traffic dropped" can be a threshold; every other metric has no sample there ("no data").
 */
public final class ModelSeriesSource implements PerModelSeriesSource {
    private static final String MODEL = "model";
    private static final String VERSION = "version";

    private final ModelRegistry models;
    private final ProfileQuery query;
    private final DriftService drift;
    private final Clock clock;

    /** The windows the current evaluation pass read, when this is a pass's view ({@link #forPass}); else null. */
    private final PassWindows passWindows;

    public ModelSeriesSource(ModelRegistry models, ProfileQuery query, DriftService drift, Clock clock) {
        this(models, query, drift, clock, null);
    }

    private ModelSeriesSource(ModelRegistry models, ProfileQuery query, DriftService drift, Clock clock,
                              PassWindows passWindows) {
        this.models = models;
        this.query = query;
        this.drift = drift;
        this.clock = clock;
        this.passWindows = passWindows;
    }

    /** A view for one evaluation pass that reads each closed window once for all its rules ({@link PassWindows}). */
    @Override
    public ModelSeriesSource forPass() {
        return new ModelSeriesSource(models, query, drift, clock, new PassWindows(query));
    }

    /** The model's ({@code version}'s) windows with data over {@code [from, to)}, each a bucket. */
    private List<ProfileQuery.Bucket> windows(ModelSpec spec, String version, long from, long to) {
        return passWindows != null ? passWindows.windows(spec, version, from, to)
                : query.series(spec, version, ProfileKey.ALL, from, to, spec.windowMs());
    }

    /** Whether a metric name is one this source serves. */
    public static boolean isKnown(String name) {
        return MetricCatalog.isKnown(name) || DriftService.SERIES.contains(name) || LabelledPerformance.SERIES.contains(name)
                || LabelledPerformance.VERSION_SERIES.contains(name);
    }

    @Override
    public List<PerModelSeriesSource.ModelData> models() {
        List<ModelRecord> all = models.all();
        List<PerModelSeriesSource.ModelData> out = new ArrayList<>(all.size());
        for (ModelRecord m : all) {
            long w = m.spec().windowMs();
            long dataEnd = m.predictionCount() == 0 ? Long.MIN_VALUE : Math.floorDiv(m.lastEventMs(), w) * w + w;
            out.add(new PerModelSeriesSource.ModelData(m.name(), models.change(m.name()).sequence(), dataEnd, w));
        }
        return out;
    }

    /** Every model's series; {@code only}, when not null, limits them to those models. */
    @Override
    public List<RangeSeries> select(String name, List<LabelMatcher> matchers, long fromExclusive, long toInclusive,
                                    java.util.Set<String> only) {
        if (!isKnown(name)) {
            return List.of();
        }
        boolean isDrift = DriftService.SERIES.contains(name);
        long now = clock.millis();
        Map<SeriesLabels, List<long[]>> times = new TreeMap<>();
        Map<SeriesLabels, List<Double>> values = new TreeMap<>();
        for (ModelRecord m : models.all()) {
            if ((only != null && !only.contains(m.name())) || !modelMatches(m.name(), matchers) || m.predictionCount() == 0) {
                continue;
            }
            ModelSpec spec = m.spec();
            long w = spec.windowMs();
            // windows whose end lies in (from, to] and that have closed
            long lastEnd = Math.floorDiv(Math.min(toInclusive, now), w) * w;
            long firstStart = Math.floorDiv(fromExclusive, w) * w;
            if (lastEnd <= firstStart) {
                continue;
            }
            if (LabelledPerformance.SERIES.contains(name)) {
                labelled(name, m, firstStart, lastEnd, fromExclusive, toInclusive, times, values);
                continue;
            }
            if (LabelledPerformance.VERSION_SERIES.contains(name)) {
                byVersion(name, m, firstStart, lastEnd, fromExclusive, toInclusive, times, values);
                continue;
            }
            DriftService.ResolvedReference reference = isDrift ? drift.reference(m, null).orElse(null) : null;
            if (isDrift && reference == null) {
                continue;
            }
            List<ProfileQuery.Bucket> buckets = new ArrayList<>(windows(spec, null, firstStart, lastEnd));
            if (name.equals("count") || name.equals("throughput_per_s")) {
                // a closed window without events is a 0, not a gap
                Map<Long, ProfileQuery.Bucket> byStart = new TreeMap<>();
                buckets.forEach(b -> byStart.put(b.startMs(), b));
                long first = Math.max(firstStart, firstWindow(m));
                for (long start = first; start + w <= lastEnd; start += w) {
                    byStart.putIfAbsent(start, new ProfileQuery.Bucket(start, start + w,
                            new dev.modelwatch.core.profile.WindowProfile(dev.modelwatch.core.profile.SketchSettings.DEFAULT)));
                }
                buckets = new ArrayList<>(byStart.values());
            }
            for (ProfileQuery.Bucket b : buckets) {
                if (b.endMs() <= fromExclusive || b.endMs() > toInclusive) {
                    continue;
                }
                List<MetricCatalog.MetricValue> vs;
                if (b.profile().count() == 0) {
                    if (!name.equals("count") && !name.equals("throughput_per_s")) {
                        continue;
                    }
                    vs = List.of(new MetricCatalog.MetricValue(name, Map.of(), 0));
                } else if (isDrift) {
                    vs = drift.seriesValues(spec, reference, null, ProfileKey.ALL, b.startMs(), b.endMs(), b.profile(),
                            List.of(name));
                } else {
                    vs = MetricCatalog.values(b.profile(), spec, b.endMs() - b.startMs(), List.of(name));
                }
                for (MetricCatalog.MetricValue v : vs) {
                    if (!v.name().equals(name)) {
                        continue;
                    }
                    Map<String, String> l = new LinkedHashMap<>(v.labels());
                    l.put(MODEL, m.name());
                    SeriesLabels labels = SeriesLabels.metric(name, l);
                    times.computeIfAbsent(labels, k -> new ArrayList<>()).add(new long[] {b.endMs()});
                    values.computeIfAbsent(labels, k -> new ArrayList<>()).add(v.value());
                }
            }
        }
        List<RangeSeries> out = new ArrayList<>();
        for (Map.Entry<SeriesLabels, List<long[]>> e : times.entrySet()) {
            if (!allMatch(e.getKey(), matchers)) {
                continue;
            }
            List<Double> vs = values.get(e.getKey());
            long[] ts = new long[vs.size()];
            double[] v = new double[vs.size()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = e.getValue().get(i)[0];
                v[i] = vs.get(i);
            }
            out.add(new RangeSeries(e.getKey(), ts, v));
        }
        return out;
    }

    /**
     * {@link LabelledPerformance}'s series of a classifier at the close of each window with events in
     * {@code (fromExclusive, toInclusive]}, from the windows of its span.
     */
    private void labelled(String name, ModelRecord m, long firstStart, long lastEnd, long fromExclusive, long toInclusive,
                          Map<SeriesLabels, List<long[]>> times, Map<SeriesLabels, List<Double>> values) {
        ModelSpec spec = m.spec();
        if (spec.task() == dev.modelwatch.core.metrics.ModelTask.REGRESSION) {
            return;
        }
        long w = spec.windowMs();
        List<LabelledPerformance.WindowCounts> windows = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (ProfileQuery.Bucket b : windows(spec, null,
                firstStart - LabelledPerformance.SPAN_WINDOWS * w, lastEnd)) {
            windows.add(LabelledPerformance.WindowCounts.of(b.startMs(), b.profile()));
            if (b.profile().count() > 0 && b.endMs() > fromExclusive && b.endMs() <= toInclusive) {
                ends.add(b.endMs());
            }
        }
        if (ends.isEmpty()) {
            return;
        }
        long[] reference = drift.reference(m, null)
                .filter(r -> r.reference().source().equals(dev.modelwatch.core.drift.Reference.UPLOAD)
                        && r.reference().profile().labeled() > 0)
                .map(r -> PerformanceChange.correctOf(r.reference().profile().confusion())).orElse(null);
        SeriesLabels labels = SeriesLabels.metric(name, Map.of(MODEL, m.name()));
        for (long end : ends) {
            PerformanceChange c = LabelledPerformance.at(windows, end, w, reference);
            double v = c == null ? Double.NaN : name.equals(LabelledPerformance.DROP) ? c.change() : c.pValue();
            if (Double.isFinite(v)) {
                times.computeIfAbsent(labels, k -> new ArrayList<>()).add(new long[] {end});
                values.computeIfAbsent(labels, k -> new ArrayList<>()).add(v);
            }
        }
    }

    /**
     * {@link LabelledPerformance#byVersion}'s series of a classifier with two versions or more, labelled
     * {@code model} and {@code version}, at the close of each window with events in
     * {@code (fromExclusive, toInclusive]}.
     */
    private void byVersion(String name, ModelRecord m, long firstStart, long lastEnd, long fromExclusive,
                           long toInclusive, Map<SeriesLabels, List<long[]>> times, Map<SeriesLabels, List<Double>> values) {
        ModelSpec spec = m.spec();
        if (spec.task() == dev.modelwatch.core.metrics.ModelTask.REGRESSION || m.versions().size() < 2) {
            return;
        }
        long w = spec.windowMs();
        long from = firstStart - LabelledPerformance.SPAN_WINDOWS * w;
        Map<String, List<LabelledPerformance.WindowCounts>> versions = new TreeMap<>();
        for (String version : m.versions()) {
            List<LabelledPerformance.WindowCounts> windows = new ArrayList<>();
            for (ProfileQuery.Bucket b : windows(spec, version, from, lastEnd)) {
                windows.add(LabelledPerformance.WindowCounts.of(b.startMs(), b.profile()));
            }
            versions.put(version, windows);
        }
        java.util.Set<Long> ends = new java.util.TreeSet<>();
        for (ProfileQuery.Bucket b : windows(spec, null, firstStart, lastEnd)) {
            if (b.profile().count() > 0 && b.endMs() > fromExclusive && b.endMs() <= toInclusive) {
                ends.add(b.endMs());
            }
        }
        boolean drop = name.equals(LabelledPerformance.VERSION_DROP);
        for (long end : ends) {
            for (Map.Entry<String, PerformanceChange> e : LabelledPerformance.byVersion(versions, end, w).entrySet()) {
                double v = drop ? e.getValue().change() : e.getValue().pValue();
                if (Double.isFinite(v)) {
                    SeriesLabels labels = SeriesLabels.metric(name, Map.of(MODEL, m.name(), VERSION, e.getKey()));
                    times.computeIfAbsent(labels, k -> new ArrayList<>()).add(new long[] {end});
                    values.computeIfAbsent(labels, k -> new ArrayList<>()).add(v);
                }
            }
        }
    }

    private static long firstWindow(ModelRecord m) {
        long w = m.spec().windowMs();
        return Math.floorDiv(m.firstEventMs(), w) * w;
    }

    private static boolean modelMatches(String model, List<LabelMatcher> matchers) {
        for (LabelMatcher lm : matchers) {
            if (lm.name().equals(MODEL) && !lm.matches(model)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allMatch(SeriesLabels labels, List<LabelMatcher> matchers) {
        for (LabelMatcher lm : matchers) {
            if (!lm.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
