package dev.modelwatch.core.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link SeriesSource} over series held in memory, as the server's store would answer: every
 * series of the metric whose labels satisfy the matchers, sliced to the requested time range (copied,
 * as a store would), series with no sample in the range left out. Remembers every call.
 */
final class InMemorySeriesSource implements SeriesSource {
    /** One call to {@link #select}. */
    record Call(String metricName, List<LabelMatcher> matchers, long fromMsExclusive, long toMsInclusive) {
    }

    private final List<RangeSeries> series = new ArrayList<>();
    final List<Call> calls = new ArrayList<>();

    /** Adds series {@code labels} (a PromQL series string is not parsed: name and pairs) with samples {@code t0, v0, t1, v1, ...}. */
    InMemorySeriesSource add(SeriesLabels labels, double... timesAndValues) {
        long[] ts = new long[timesAndValues.length / 2];
        double[] v = new double[ts.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = (long) timesAndValues[2 * i];
            v[i] = timesAndValues[2 * i + 1];
        }
        series.add(new RangeSeries(labels, ts, v));
        return this;
    }

    InMemorySeriesSource add(RangeSeries s) {
        series.add(s);
        return this;
    }

    @Override
    public List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long fromMsExclusive,
            long toMsInclusive) {
        calls.add(new Call(metricName, matchers, fromMsExclusive, toMsInclusive));
        List<RangeSeries> out = new ArrayList<>();
        for (RangeSeries s : series) {
            if (!metricName.equals(s.labels().metricName())) {
                continue;
            }
            boolean all = true;
            for (LabelMatcher m : matchers) {
                all &= m.matches(s.labels());
            }
            if (!all) {
                continue;
            }
            int from = s.firstAfter(fromMsExclusive);
            int to = s.firstAfter(toMsInclusive);
            if (from < to) {
                out.add(new RangeSeries(s.labels(), Arrays.copyOfRange(s.timestampsMs(), from, to),
                        Arrays.copyOfRange(s.values(), from, to)));
            }
        }
        return out;
    }
}
