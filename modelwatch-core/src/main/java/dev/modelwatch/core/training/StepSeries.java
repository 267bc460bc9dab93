package dev.modelwatch.core.training;

import java.util.ArrayList;
import java.util.List;

/**
 * One metric of a training run over its steps, down-sampled to at most {@code capacity} buckets of
 * equal width in steps, without losing extremes or non-finite values: each bucket keeps the count, sum,
 * minimum, maximum and last of its finite values and counts its NaNs and infinities. When a new step
 * lies beyond the last bucket that fits, the width doubles and neighbouring buckets merge (min of mins,
 * max of maxes), so a run of 10^6 steps holds {@code capacity} buckets of 1,024 steps at most.
 *
 * <pre>{@code
 * StepSeries loss = new StepSeries(1000);
 * loss.add(0, 1_700_000_000_000L, 2.3);
 * loss.add(1, 1_700_000_000_500L, Double.NaN);
 * loss.buckets(); // [Bucket[from=0, to=0, ...], Bucket[from=1, to=1, nan=1, ...]]
 * }</pre>
 */
public final class StepSeries {
    private final int capacity;
    private long width = 1;
    /** Buckets in step order; index i covers [start(i), start(i) + width). */
    private final List<Bucket> buckets = new ArrayList<>();

    public StepSeries(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity: must be at least 2, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Restores a series from its buckets (as {@link #buckets()} returned them) and width. */
    public static StepSeries of(int capacity, long width, List<Bucket> buckets) {
        StepSeries s = new StepSeries(capacity);
        if (width < 1 || Long.bitCount(width) != 1) {
            throw new IllegalArgumentException("width: must be a power of two >= 1, got " + width);
        }
        s.width = width;
        s.buckets.addAll(buckets);
        return s;
    }

    /**
     * Adds the value sent at a step at time {@code atMs} (epoch milliseconds); a step at or before the last
     * one merges into the bucket that covers it.
     */
    public void add(long step, long atMs, double value) {
        if (step < 0) {
            throw new IllegalArgumentException("step: must be >= 0, got " + step);
        }
        long start = step - Math.floorMod(step, width);
        int at = buckets.size();
        while (at > 0 && startOf(buckets.get(at - 1)) >= start) {
            at--;
        }
        if (at < buckets.size() && startOf(buckets.get(at)) == start) {
            buckets.set(at, buckets.get(at).with(step, atMs, value));
            return;
        }
        buckets.add(at, Bucket.of(step, atMs, value));
        while (span() > capacity) {
            coarsen();
        }
    }

    /** Removes every bucket that starts after {@code step} (a run resumed from a checkpoint at that step). */
    public void truncateAfter(long step) {
        buckets.removeIf(b -> b.from() > step);
    }

    /** The buckets in step order. */
    public List<Bucket> buckets() {
        return List.copyOf(buckets);
    }

    /** The width of a bucket in steps (a power of two). */
    public long width() {
        return width;
    }

    public int capacity() {
        return capacity;
    }

    /** The number of bucket slots between the first and last bucket at the current width. */
    private long span() {
        if (buckets.isEmpty()) {
            return 0;
        }
        long first = buckets.get(0).from() / width;
        long last = buckets.get(buckets.size() - 1).from() / width;
        return last - first + 1;
    }

    private long startOf(Bucket b) {
        return b.from() - Math.floorMod(b.from(), width);
    }

    private void coarsen() {
        width *= 2;
        List<Bucket> merged = new ArrayList<>();
        for (Bucket b : buckets) {
            if (!merged.isEmpty()) {
                Bucket prev = merged.get(merged.size() - 1);
                if (prev.from() / width == b.from() / width) {
                    merged.set(merged.size() - 1, prev.merge(b));
                    continue;
                }
            }
            merged.add(b);
        }
        buckets.clear();
        buckets.addAll(merged);
    }

    /**
     * The values of the steps {@code from..to} (inclusive) that were sent.
     *
     * @param count  finite values
     * @param sum    their sum
     * @param min    their minimum (NaN when none is finite)
     * @param max    their maximum (NaN when none is finite)
     * @param last   the value of the latest step, whatever it is
     * @param nan    NaN values
     * @param posInf +Infinity values
     * @param negInf -Infinity values
     * @param toMs   when the step {@code to} was sent (epoch milliseconds; null in a bucket stored before
     *               buckets kept their time)
     */
    public record Bucket(long from, long to, long count, double sum, double min, double max, double last,
                         long nan, long posInf, long negInf, Long toMs) {
        static Bucket of(long step, long atMs, double v) {
            return new Bucket(step, step, 0, 0, Double.NaN, Double.NaN, v, 0, 0, 0, atMs).add(v);
        }

        private Bucket add(double v) {
            if (Double.isNaN(v)) {
                return new Bucket(from, to, count, sum, min, max, v, nan + 1, posInf, negInf, toMs);
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? new Bucket(from, to, count, sum, min, max, v, nan, posInf + 1, negInf, toMs)
                        : new Bucket(from, to, count, sum, min, max, v, nan, posInf, negInf + 1, toMs);
            }
            return new Bucket(from, to, count + 1, sum + v, count == 0 ? v : Math.min(min, v),
                    count == 0 ? v : Math.max(max, v), v, nan, posInf, negInf, toMs);
        }

        Bucket with(long step, long atMs, double v) {
            boolean latest = step >= to;
            Bucket b = new Bucket(Math.min(from, step), Math.max(to, step), count, sum, min, max, last, nan, posInf, negInf,
                    latest ? Long.valueOf(atMs) : toMs).add(v);
            return latest ? b
                    : new Bucket(b.from, b.to, b.count, b.sum, b.min, b.max, last, b.nan, b.posInf, b.negInf, b.toMs);
        }

        Bucket merge(Bucket o) {
            boolean none = count == 0;
            boolean otherNone = o.count == 0;
            boolean otherLater = o.to >= to;
            return new Bucket(Math.min(from, o.from), Math.max(to, o.to), count + o.count, sum + o.sum,
                    none ? o.min : otherNone ? min : Math.min(min, o.min),
                    none ? o.max : otherNone ? max : Math.max(max, o.max),
                    otherLater ? o.last : last, nan + o.nan, posInf + o.posInf, negInf + o.negInf,
                    otherLater ? o.toMs : toMs);
        }

        /** The bucket's value on a curve: the mean of its finite values, else its non-finite kind. */
        public double value() {
            if (count > 0) {
                return sum / count;
            }
            if (nan > 0) {
                return Double.NaN;
            }
            return posInf > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
    }
}
