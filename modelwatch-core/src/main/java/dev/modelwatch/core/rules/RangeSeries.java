package dev.modelwatch.core.rules;

import java.util.Arrays;
import java.util.List;

/**
 * The samples of one series over a time range, as parallel arrays: {@code timestampsMs[i]} (strictly
 * ascending) and {@code values[i]}. What a {@link SeriesSource} returns and what range functions
 * read.
 *
 * <p>The arrays are taken as they are, not copied, so that a source can hand over its buffers
 * without a copy per evaluation: neither the source nor the evaluator may change them afterwards.
 * Equality and hash code compare the arrays' contents.
 *
 * @param labels       the series' labels, {@code __name__} included
 * @param timestampsMs sample times, milliseconds since the epoch, strictly ascending
 * @param values       sample values, as many as timestamps
 */
public record RangeSeries(SeriesLabels labels, long[] timestampsMs, double[] values) {
    public RangeSeries {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        if (timestampsMs == null || values == null) {
            throw new IllegalArgumentException("timestampsMs and values must not be null");
        }
        if (timestampsMs.length != values.length) {
            throw new IllegalArgumentException("timestampsMs and values must have the same length, had "
                    + timestampsMs.length + " and " + values.length);
        }
        for (int i = 1; i < timestampsMs.length; i++) {
            if (timestampsMs[i] <= timestampsMs[i - 1]) {
                throw new IllegalArgumentException("timestampsMs must be strictly ascending: " + labels + " has "
                        + timestampsMs[i] + " after " + timestampsMs[i - 1] + " at index " + i);
            }
        }
    }

    /** A series of the given samples (in ascending time order). */
    public static RangeSeries of(SeriesLabels labels, List<Sample> samples) {
        long[] ts = new long[samples.size()];
        double[] v = new double[samples.size()];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = samples.get(i).timestampMs();
            v[i] = samples.get(i).value();
        }
        return new RangeSeries(labels, ts, v);
    }

    public int size() {
        return values.length;
    }

    public Sample sample(int i) {
        return new Sample(timestampsMs[i], values[i]);
    }

    /** Index of the first sample with timestamp {@code > timeMs} (the size when there is none). */
    public int firstAfter(long timeMs) {
        int lo = 0;
        int hi = timestampsMs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (timestampsMs[mid] <= timeMs) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RangeSeries)) {
            return false;
        }
        RangeSeries r = (RangeSeries) o;
        return labels.equals(r.labels) && Arrays.equals(timestampsMs, r.timestampsMs) && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * labels.hashCode() + Arrays.hashCode(timestampsMs)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(labels.toString()).append(" [");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(values[i]).append(" @").append(timestampsMs[i]);
        }
        return sb.append(']').toString();
    }
}
