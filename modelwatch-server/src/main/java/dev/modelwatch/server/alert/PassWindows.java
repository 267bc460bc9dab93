package dev.modelwatch.server.alert;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.server.aggregate.ProfileQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The closed windows one evaluation pass has read, each read and merged once however many rules and
 * selectors of the pass read it: without it every selector merged the same windows again (a rule pack
 * reads a model's last minutes through a dozen metric names), and, when the windows kept changing under
 * the pass (late events), each got its own copy and so its own drift report. Every reader of the pass
 * now sees one snapshot of each window, read at the first reader's time — the windows as one query at
 * that moment would give them (stored profiles merged with the runtime's uncommitted changes, each
 * counted once). A window's content does not depend on the range it was read in (one merged profile
 * per window of the model's own length), so a range is answered from the windows already read plus
 * one query per run of windows not yet read.
 *
 * <p>One instance lives for one pass: a later pass reads anew (what changed since is seen then). Not
 * thread-safe: the alert evaluator's pass is single-threaded.
 */
final class PassWindows {
    /** Ranges longer than this (in windows) go to the query unchanged, with its own limits and errors. */
    static final long MAX_WINDOWS = 2_000;

    private final Reader query;
    private final Map<Key, Read> reads = new HashMap<>();
    private long queries;

    /** Reads a model's windows over an aligned range: {@link ProfileQuery#series} with the window as step. */
    interface Reader {
        List<ProfileQuery.Bucket> windows(ModelSpec spec, String version, long fromMs, long toMs);
    }

    private record Key(String model, String version, long windowMs) {
    }

    /** A model's (version's) windows read so far: ranges read (start to end) and the windows with data in them. */
    private static final class Read {
        final TreeMap<Long, Long> covered = new TreeMap<>();
        final TreeMap<Long, ProfileQuery.Bucket> buckets = new TreeMap<>();
    }

    PassWindows(ProfileQuery query) {
        this((spec, version, from, to) -> query.series(spec, version, ProfileKey.ALL, from, to, spec.windowMs()));
    }

    PassWindows(Reader reader) {
        this.query = reader;
    }

    /**
     * {@link ProfileQuery#series} of the model's ({@code version}'s, null: every version's) every segment
     * over {@code [fromMs, toMs)} with a step of the model's window: the windows with data, in order.
     * Both ends must lie on the model's window grid.
     */
    List<ProfileQuery.Bucket> windows(ModelSpec spec, String version, long fromMs, long toMs) {
        long w = spec.windowMs();
        if (fromMs >= toMs || Math.floorMod(fromMs, w) != 0 || Math.floorMod(toMs, w) != 0 || (toMs - fromMs) / w > MAX_WINDOWS) {
            queries++;
            return query.windows(spec, version, fromMs, toMs);
        }
        Read read = reads.computeIfAbsent(new Key(spec.name(), version, w), k -> new Read());
        for (long[] gap : gaps(read.covered, fromMs, toMs)) {
            queries++;
            for (ProfileQuery.Bucket b : query.windows(spec, version, gap[0], gap[1])) {
                read.buckets.put(b.startMs(), b);
            }
            cover(read.covered, gap[0], gap[1]);
        }
        return new ArrayList<>(read.buckets.subMap(fromMs, true, toMs, false).values());
    }

    /** Queries sent to {@link ProfileQuery} by this pass (each a store read and merge of its windows). */
    long queries() {
        return queries;
    }

    /** The parts of {@code [from, to)} outside the covered ranges, in order. */
    private static List<long[]> gaps(TreeMap<Long, Long> covered, long from, long to) {
        List<long[]> out = new ArrayList<>();
        long at = from;
        Map.Entry<Long, Long> before = covered.floorEntry(at);
        if (before != null && before.getValue() > at) {
            at = before.getValue();
        }
        if (at >= to) {
            return out;
        }
        for (Map.Entry<Long, Long> c : covered.subMap(at, true, to, false).entrySet()) {
            if (c.getKey() > at) {
                out.add(new long[] {at, c.getKey()});
            }
            at = Math.max(at, c.getValue());
        }
        if (at < to) {
            out.add(new long[] {at, to});
        }
        return out;
    }

    /** Adds {@code [from, to)} to the covered ranges, joining those it touches. */
    private static void cover(TreeMap<Long, Long> covered, long from, long to) {
        long start = from;
        long end = to;
        Map.Entry<Long, Long> before = covered.floorEntry(from);
        if (before != null && before.getValue() >= from) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        for (Map.Entry<Long, Long> c : new ArrayList<>(covered.subMap(start, true, end, true).entrySet())) {
            end = Math.max(end, c.getValue());
            covered.remove(c.getKey());
        }
        covered.put(start, end);
    }
}
