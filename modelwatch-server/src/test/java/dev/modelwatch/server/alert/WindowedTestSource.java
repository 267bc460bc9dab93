package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models with one-minute windows in memory, served like the server's {@link ModelSeriesSource}: a
 * sample at each closed window's end, {@code count} 0 for a closed window without events after the
 * model's first one, {@code error_rate} only where a window has events. Counts the models each query
 * was asked for.
 */
final class WindowedTestSource implements PerModelSeriesSource {
    static final long W = 60_000;

    private record Window(long count, double errorRate) {
    }

    private final Clock clock;
    private final Map<String, TreeMap<Long, Window>> windows = new TreeMap<>();
    private final Map<String, Long> sequences = new TreeMap<>();
    /** How many queries read each model's series. */
    final Map<String, Integer> queriesByModel = new ConcurrentHashMap<>();

    WindowedTestSource(Clock clock) {
        this.clock = clock;
    }

    /** Events of {@code model} in the window starting at {@code startMs}, merged into what it held. */
    void events(String model, long startMs, long count, double errorRate) {
        windows.computeIfAbsent(model, k -> new TreeMap<>()).put(startMs, new Window(count, errorRate));
        sequences.merge(model, 1L, Long::sum);
    }

    int queries(String model) {
        return queriesByModel.getOrDefault(model, 0);
    }

    @Override
    public List<ModelData> models() {
        List<ModelData> out = new ArrayList<>();
        windows.forEach((m, ws) -> out.add(new ModelData(m, sequences.get(m), ws.lastKey() + W, W)));
        return out;
    }

    @Override
    public List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long from, long to, Set<String> only) {
        List<RangeSeries> out = new ArrayList<>();
        long closedEnd = Math.floorDiv(Math.min(to, clock.millis()), W) * W;
        for (Map.Entry<String, TreeMap<Long, Window>> e : windows.entrySet()) {
            String model = e.getKey();
            if (only != null && !only.contains(model)) {
                continue;
            }
            queriesByModel.merge(model, 1, Integer::sum);
            SeriesLabels labels = SeriesLabels.metric(metricName, Map.of("model", model));
            if (!matchers.stream().allMatch(lm -> lm.matches(labels))) {
                continue;
            }
            List<long[]> ts = new ArrayList<>();
            List<Double> vs = new ArrayList<>();
            for (long end = Math.max(e.getValue().firstKey() + W, Math.floorDiv(from, W) * W + W); end <= closedEnd;
                 end += W) {
                if (end <= from) {
                    continue;
                }
                Window w = e.getValue().get(end - W);
                if (metricName.equals("count")) {
                    ts.add(new long[] {end});
                    vs.add(w == null ? 0.0 : w.count());
                } else if (metricName.equals("error_rate") && w != null) {
                    ts.add(new long[] {end});
                    vs.add(w.errorRate());
                }
            }
            if (!ts.isEmpty()) {
                long[] t = new long[ts.size()];
                double[] v = new double[ts.size()];
                for (int i = 0; i < t.length; i++) {
                    t[i] = ts.get(i)[0];
                    v[i] = vs.get(i);
                }
                out.add(new RangeSeries(labels, t, v));
            }
        }
        return out;
    }
}
