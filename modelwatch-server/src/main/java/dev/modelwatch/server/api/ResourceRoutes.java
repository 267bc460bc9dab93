package dev.modelwatch.server.api;

import dev.modelwatch.server.training.TrainingRuns;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.server.api.ApiException;
import dev.modelwatch.server.api.RouteSet;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.Store;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code GET /api/v1/resources?model=&run=&host=&metrics=&from=&to=&points=}: the resource series
 * ({@code metric} events: the agent's host, process and GPU readings, or any other measurement) of a
 * model, a run (label {@code run}) or a host (label {@code host}) over a time range, each down-sampled
 * to at most {@code points} buckets of equal time that keep the mean, min and max — what a run's page
 * draws on the time axis of its curves.
 */
public final class ResourceRoutes implements RouteSet {
    /** Events one answer reads at most; past it the answer says {@code truncated}. */
    static final long MAX_EVENTS = 1_000_000;
    /** Series one answer holds at most; further series are counted in {@code dropped_series}. */
    static final int MAX_SERIES = 1_000;
    static final int DEFAULT_POINTS = 300;
    static final int MAX_POINTS = 2_000;
    private static final long HOUR_MS = 3_600_000L;
    private static final long RUN_MARGIN_MS = 60_000L;

    private final Store store;
    private final TrainingRuns runs;
    private final Clock clock;

    public ResourceRoutes(Store store, TrainingRuns runs, Clock clock) {
        this.store = store;
        this.runs = runs;
        this.clock = clock;
    }

    /**
     * The answer.
     *
     * @param bucketMs      the width of a point's bucket
     * @param events        the events read
     * @param truncated     the range held more than {@link #MAX_EVENTS} events: the series stop early
     * @param droppedSeries series left out beyond {@link #MAX_SERIES}
     */
    public record Resources(String from, String to, long bucketMs, long events, boolean truncated, long droppedSeries,
                            List<Series> series) {
    }

    /**
     * One series: a metric name, its model (null for none) and labels.
     *
     * @param points    {@code [bucket start ms, mean, min, max, count]} of the finite values, in time order
     * @param nonFinite NaN and infinite values, counted and not drawn
     */
    public record Series(String name, String model, Map<String, String> labels, List<double[]> points, long nonFinite) {
    }

    private record Key(String name, String model, Map<String, String> labels) {
    }

    private static final class Buckets {
        final TreeMap<Long, double[]> byStart = new TreeMap<>(); // start -> sum, min, max, count
        long nonFinite;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.get("/api/v1/resources", this::answer, Access.READ);
    }

    private void answer(Context ctx) {
        String model = ctx.queryParam("model");
        String run = ctx.queryParam("run");
        String host = ctx.queryParam("host");
        String metricsParam = ctx.queryParam("metrics");
        Set<String> names = metricsParam == null ? null : Arrays.stream(metricsParam.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        int points = intParam(ctx, "points", DEFAULT_POINTS, 1, MAX_POINTS);
        long[] range = range(ctx, model, run);
        long from = range[0];
        long to = range[1];
        long bucket = Math.max(1, (to - from + points - 1) / points);
        Map<Key, Buckets> series = new LinkedHashMap<>();
        long[] dropped = {0};
        long read = store.scanMetricEvents(model, from, to, MAX_EVENTS, (MetricEvent e) -> {
            if ((names != null && !names.contains(e.name())) || (run != null && !run.equals(e.labels().get("run")))
                    || (host != null && !host.equals(e.labels().get("host")))) {
                return;
            }
            Key key = new Key(e.name(), e.model(), e.labels());
            Buckets b = series.get(key);
            if (b == null) {
                if (series.size() >= MAX_SERIES) {
                    dropped[0]++;
                    return;
                }
                b = new Buckets();
                series.put(key, b);
            }
            double v = e.value();
            if (!Double.isFinite(v)) {
                b.nonFinite++;
                return;
            }
            long start = from + Math.floorDiv(e.timestampMs() - from, bucket) * bucket;
            double[] acc = b.byStart.computeIfAbsent(start, s -> new double[] {0, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY, 0});
            acc[0] += v;
            acc[1] = Math.min(acc[1], v);
            acc[2] = Math.max(acc[2], v);
            acc[3]++;
        });
        List<Series> out = new ArrayList<>(series.size());
        series.forEach((k, b) -> {
            List<double[]> ps = new ArrayList<>(b.byStart.size());
            b.byStart.forEach((start, acc) -> ps.add(new double[] {start, acc[0] / acc[3], acc[1], acc[2], acc[3]}));
            out.add(new Series(k.name(), k.model(), new TreeMap<>(k.labels()), ps, b.nonFinite));
        });
        out.sort((a, b) -> {
            int c = a.name().compareTo(b.name());
            return c != 0 ? c : a.labels().toString().compareTo(b.labels().toString());
        });
        ctx.status(200).contentType("application/json").result(Json.bytes(new Resources(Times.format(from),
                Times.format(to), bucket, read, read >= MAX_EVENTS, dropped[0], out)));
    }

    /** {@code from}/{@code to}; without them a known run's time span (with a minute each side), else the last hour. */
    private long[] range(Context ctx, String model, String run) {
        String f = ctx.queryParam("from");
        String t = ctx.queryParam("to");
        long from;
        long to;
        if (f == null && t == null && run != null && !runs.find(run, model).isEmpty()) {
            List<RunState> found = runs.find(run, model);
            from = found.stream().mapToLong(RunState::firstEventMs).min().orElseThrow() - RUN_MARGIN_MS;
            to = found.stream().mapToLong(RunState::lastEventMs).max().orElseThrow() + RUN_MARGIN_MS;
        } else {
            try {
                to = t == null ? clock.millis() : Times.parse("to", t);
                from = f == null ? to - HOUR_MS : Times.parse("from", f);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, e.getMessage());
            }
        }
        if (from >= to) {
            throw new ApiException(400, "from: must be before to (" + Times.format(from) + " is not before "
                    + Times.format(to) + ")");
        }
        return new long[] {from, to};
    }

    private static int intParam(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiException(400, name + ": must be an integer between " + min + " and " + max + ", got '" + v + "'");
    }
}
