package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.ProfileRead;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoredProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers range queries by merging stored window profiles with the not-yet-committed ones held
 * by the aggregation runtime (read-your-writes). A range is covered by the coarsest stored windows
 * that fit wholly inside it — days, then hours, then base windows at the edges — so the cost of a
 * query grows with the number of windows, never with the number of events.
 */
public final class ProfileQuery {
    private static final int MAX_POINTS = 20_000;

    private final Store store;
    private final Aggregator aggregator;
    private final SketchSettings sketches;

    /** A step of a time series and its merged profile. */
    public record Bucket(long startMs, long endMs, WindowProfile profile) {
    }

    public ProfileQuery(Store store, Aggregator aggregator, SketchSettings sketches) {
        this.store = store;
        this.aggregator = aggregator;
        this.sketches = sketches;
    }

    /** The sketch settings of the profiles it answers (an empty profile to merge them into needs the same). */
    public SketchSettings sketches() {
        return sketches;
    }

    /** Resolutions stored for a model, finest first. */
    static long[] resolutions(long windowMs) {
        if (windowMs >= Aggregator.DAY) {
            return new long[] {windowMs};
        }
        if (windowMs >= Aggregator.HOUR) {
            return new long[] {windowMs, Aggregator.DAY};
        }
        return new long[] {windowMs, Aggregator.HOUR, Aggregator.DAY};
    }

    /** A range of windows of one resolution. */
    record Span(long resolutionMs, long fromMs, long toMs) {
    }

    /** Covers {@code [from, to)} (aligned to the base window) by the coarsest windows that fit. */
    static List<Span> decompose(long from, long to, long[] resolutions) {
        List<Span> out = new ArrayList<>();
        decompose(from, to, resolutions, resolutions.length - 1, out);
        return out;
    }

    private static void decompose(long from, long to, long[] res, int idx, List<Span> out) {
        if (from >= to) {
            return;
        }
        if (idx == 0) {
            out.add(new Span(res[0], from, to));
            return;
        }
        long r = res[idx];
        long a = ceilTo(from, r);
        long b = Math.floorDiv(to, r) * r;
        if (a < b) {
            decompose(from, a, res, idx - 1, out);
            out.add(new Span(r, a, b));
            decompose(b, to, res, idx - 1, out);
        } else {
            decompose(from, to, res, idx - 1, out);
        }
    }

    static long ceilTo(long t, long r) {
        return CoveredRange.alignUp(t, r);
    }

    /** Every event of the model (version, segment) in windows overlapping {@code [fromMs, toMs)}, merged. */
    public WindowProfile range(ModelSpec spec, String version, String segment, long fromMs, long toMs) {
        long w = spec.windowMs();
        long from = CoveredRange.alignDown(fromMs, w);
        long to = ceilTo(toMs, w);
        return merged(spec, version, segment, from, to, deltas(spec.name(), version, segment, from, to));
    }

    /** Storage's windows over {@code [from, to)} (aligned) merged with the runtime's {@code deltas} not yet in them. */
    private WindowProfile merged(ModelSpec spec, String version, String segment, long from, long to,
                                 List<Aggregator.Delta> deltas) {
        List<ProfileRead.Range> ranges = new ArrayList<>();
        for (Span s : decompose(from, to, resolutions(spec.windowMs()))) {
            ranges.add(new ProfileRead.Range(s.resolutionMs(), s.fromMs(), s.toMs()));
        }
        ProfileRead read = store.profiles(spec.name(), version, segment, ranges);
        WindowProfile merged = new WindowProfile(sketches);
        for (StoredProfile p : read.profiles()) {
            merged.merge(p.profile());
        }
        for (Aggregator.Delta d : deltas) {
            if (!read.includesCommitAt(d.commitLsn())) {
                merged.merge(d.profile());
            }
        }
        return merged;
    }

    /**
     * One merged profile per step over {@code [fromMs, toMs)}; the step must be a multiple of the
     * model's window. Steps without data are left out.
     */
    public List<Bucket> series(ModelSpec spec, String version, String segment, long fromMs, long toMs, long stepMs) {
        Steps steps = Steps.of(spec, fromMs, toMs, stepMs);
        List<Aggregator.Delta> deltas = deltas(spec.name(), version, segment, steps.from(), steps.to());
        return steps.buckets(store.profiles(spec.name(), version, segment, List.of(steps.range())), deltas, sketches);
    }

    /** A model's series for {@link #series(List)}: every version and segment, as {@link #series} takes them. */
    public record SeriesRequest(ModelSpec spec, long fromMs, long toMs, long stepMs) {
    }

    /**
     * {@link #series} of several models (every version and segment), each over its own range and step,
     * with one round trip to the aggregation runtime and one store read (a few statements) for all of
     * them instead of one each: the dashboard's overview of every model. The answers are those of
     * {@link #series}, in the order of the requests; a model may be asked for once.
     */
    public List<List<Bucket>> series(List<SeriesRequest> requests) {
        List<Steps> steps = new ArrayList<>(requests.size());
        List<ProfileRead.ModelRanges> ranges = new ArrayList<>(requests.size());
        for (SeriesRequest r : requests) {
            Steps s = Steps.of(r.spec(), r.fromMs(), r.toMs(), r.stepMs());
            steps.add(s);
            ranges.add(new ProfileRead.ModelRanges(r.spec().name(), List.of(s.range())));
        }
        List<List<Aggregator.Delta>> deltas = ask(a -> {
            List<List<Aggregator.Delta>> out = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                out.add(a.snapshot(requests.get(i).spec().name(), null, ProfileKey.ALL, steps.get(i).from(), steps.get(i).to()));
            }
            return out;
        });
        List<ProfileRead> reads = store.profiles(ProfileKey.ALL, ranges);
        List<List<Bucket>> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            out.add(steps.get(i).buckets(reads.get(i), deltas.get(i), sketches));
        }
        return out;
    }

    /** A series' range aligned to its step, and the coarsest stored resolution that divides the step. */
    private record Steps(long from, long to, long stepMs, long resolutionMs) {
        static Steps of(ModelSpec spec, long fromMs, long toMs, long stepMs) {
            long w = spec.windowMs();
            if (stepMs < w || stepMs % w != 0) {
                throw new IllegalArgumentException("step must be a multiple of the model's window of " + w / 1000 + "s");
            }
            long from = CoveredRange.alignDown(fromMs, stepMs);
            long to = ceilTo(toMs, stepMs);
            if ((to - from) / stepMs > MAX_POINTS) {
                throw new IllegalArgumentException("the range holds " + (to - from) / stepMs + " steps; at most "
                        + MAX_POINTS + " per query (use a larger step)");
            }
            long resolution = w;
            for (long r : resolutions(w)) {
                if (r <= stepMs && stepMs % r == 0) {
                    resolution = r;
                }
            }
            return new Steps(from, to, stepMs, resolution);
        }

        ProfileRead.Range range() {
            return new ProfileRead.Range(resolutionMs, from, to);
        }

        /** The stored windows and the runtime's {@code deltas} not yet in them, merged per step. */
        List<Bucket> buckets(ProfileRead read, List<Aggregator.Delta> deltas, SketchSettings sketches) {
            TreeMap<Long, WindowProfile> buckets = new TreeMap<>();
            for (StoredProfile p : read.profiles()) {
                long b = Math.floorDiv(p.key().windowStartMs(), stepMs) * stepMs;
                buckets.computeIfAbsent(b, k -> new WindowProfile(sketches)).merge(p.profile());
            }
            for (Aggregator.Delta d : deltas) {
                if (!read.includesCommitAt(d.commitLsn())) {
                    long b = Math.floorDiv(d.key().windowStartMs(), stepMs) * stepMs;
                    buckets.computeIfAbsent(b, k -> new WindowProfile(sketches)).merge(d.profile());
                }
            }
            List<Bucket> out = new ArrayList<>();
            buckets.forEach((start, p) -> out.add(new Bucket(start, start + stepMs, p)));
            return out;
        }
    }

    /**
     * The runtime's uncommitted changes in range, copied after everything submitted before this
     * call was applied (read-your-writes). Read before storage: whatever commits meanwhile is then
     * found in storage, and {@link ProfileRead#includesCommitAt} drops its copy here.
     */
    private List<Aggregator.Delta> deltas(String model, String version, String segment, long from, long to) {
        return ask(a -> a.snapshot(model, version, segment, from, to));
    }

    /** {@code f} run by the aggregation runtime once everything submitted before this call was applied. */
    private <T> T ask(java.util.function.Function<Aggregator, T> f) {
        try {
            return aggregator.ask(f).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (TimeoutException e) {
            throw new RuntimeBusyException("the aggregation runtime did not answer within 30 s: it is still applying "
                    + "the events queued before this query; retry");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the aggregation runtime did not answer: " + e.getMessage(), e);
        }
    }
}
