package dev.modelwatch.bench;

import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many models, one prediction each, then idle, through the real server (SQLite, default rule pack,
 * 1-minute windows): how much CPU each alert evaluation pass costs the evaluator thread, and how long
 * {@code /api/v1/models}, {@code /api/v1/alerts} and {@code /metrics} take.
 *
 * <p>Two phases. <b>fresh</b>: just after the predictions, every model within the rules' horizons
 * (their samples can still leave a rule's range). <b>idle</b>: the server's clock moved two hours on
 * (the clock is the one the server is given; nothing else changes), every model's traffic long
 * stopped, the default pack's no-traffic alert firing for each, measured after 45 s in which the
 * passes that see the jump run. Each phase runs {@code seconds} of
 * wall time; the evaluator thread's CPU time (ThreadMXBean) is divided by the passes it completed
 * ({@code modelwatch_alert_evaluation_duration_seconds_count}, read at the phase's start and end) and
 * by the number of models. Latencies: {@code requests} sequential GETs per endpoint, after the
 * phase's passes.
 *
 * <p>Usage: {@code java -cp modelwatch-bench-all.jar dev.modelwatch.bench.IdleModelsBenchmark
 * [models=5000] [seconds=60] [requests=30]}
 */
public final class IdleModelsBenchmark {
    private static final Pattern PASSES = Pattern.compile(
            "(?m)^modelwatch_alert_evaluation_duration_seconds_count(?:\\{[^}]*})? ([0-9.eE+]+)");
    private static final long LIMIT_MS = 200;
    private static final long SETTLE_MS = 45_000;

    private IdleModelsBenchmark() {
    }

    /** A clock the benchmark moves on by hand: system time plus an offset. */
    private static final class ShiftedClock extends Clock {
        final AtomicLong offsetMs = new AtomicLong();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(System.currentTimeMillis() + offsetMs.get());
        }
    }

    public static void main(String[] args) throws Exception {
        int models = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Path dir = Files.createTempDirectory("modelwatch-idle-models");
        // limits.max_models (1,000 by default) raised to the number of models the benchmark declares
        ServerConfig config = ConfigLoader.parse("alerting: {evaluation_interval: 10s}\nlimits: {max_models: "
                        + Math.max(1_000, models) + "}\n", "bench.yml")
                .withDataDir(dir).withPort(0);
        ShiftedClock clock = new ShiftedClock();
        HttpClient http = HttpClient.newHttpClient();
        System.out.printf(Locale.ROOT, "%d models, one prediction each; %d s per phase, %d requests per endpoint%n",
                models, seconds, requests);
        try (ModelWatchServer server = ModelWatchServer.start(config, clock)) {
            String base = "http://127.0.0.1:" + server.port();
            long t0 = System.nanoTime();
            for (int from = 0; from < models; from += 500) {
                StringBuilder b = new StringBuilder("[");
                for (int i = from; i < Math.min(models, from + 500); i++) {
                    b.append(i == from ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"model-").append(i)
                            .append("\",\"id\":\"p").append(i).append("\",\"timestamp\":").append(clock.millis())
                            .append(",\"features\":{\"x\":1.5,\"c\":\"a\"},\"prediction\":1,\"score\":0.8}");
                }
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(b.append(']').toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
                }
            }
            server.awaitAggregated(Duration.ofMinutes(2));
            System.out.printf(Locale.ROOT, "ingested in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            phase("fresh", base, http, models, seconds, requests);
            clock.offsetMs.addAndGet(2 * 3_600_000L);
            // the first passes after the jump see every model's samples leave the rules' ranges: let them run
            Thread.sleep(SETTLE_MS);
            phase("idle (+2 h)", base, http, models, seconds, requests);
        }
    }

    private static void phase(String name, String base, HttpClient http, int models, int seconds, int requests)
            throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long evaluator = evaluatorThread(threads);
        double passes0 = passes(http, base);
        long cpu0 = threads.getThreadCpuTime(evaluator);
        long wall0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu = threads.getThreadCpuTime(evaluator) - cpu0;
        double wall = (System.nanoTime() - wall0) / 1e9;
        double passes = passes(http, base) - passes0;
        System.out.printf(Locale.ROOT, "%n== %s ==%n", name);
        System.out.printf(Locale.ROOT, "evaluator: %.0f passes in %.0f s, CPU %.2f s (%.0f%% of a core); per pass %.1f ms,"
                        + " per pass and model %.2f us%n", passes, wall, cpu / 1e9, 100.0 * cpu / 1e9 / wall,
                passes == 0 ? Double.NaN : cpu / 1e6 / passes, passes == 0 ? Double.NaN : cpu / 1e3 / passes / models);
        for (String path : List.of("/api/v1/models", "/api/v1/models?limit=500", "/api/v1/alerts",
                "/api/v1/alerts?limit=500", "/api/v1/alerts?state=pending", "/metrics")) {
            double[] ms = new double[requests];
            int bytes = 0;
            for (int i = 0; i < requests; i++) {
                long s = System.nanoTime();
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                ms[i] = (System.nanoTime() - s) / 1e6;
                bytes = r.body().length;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException(path + " answered " + r.statusCode());
                }
            }
            Arrays.sort(ms);
            double p50 = ms[(int) Math.ceil(0.5 * requests) - 1];
            double p99 = ms[(int) Math.ceil(0.99 * requests) - 1];
            System.out.printf(Locale.ROOT, "%-30s p50 %8.1f ms  p99 %8.1f ms  (p99 / %d ms limit = %.2f)  %d bytes%n",
                    path, p50, p99, LIMIT_MS, p99 / LIMIT_MS, bytes);
        }
    }

    private static long evaluatorThread(ThreadMXBean threads) {
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("alert-evaluator")) {
                return t.getThreadId();
            }
        }
        throw new IllegalStateException("no alert-evaluator thread");
    }

    private static double passes(HttpClient http, String base) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = PASSES.matcher(body);
        List<Double> found = new ArrayList<>();
        while (m.find()) {
            found.add(Double.parseDouble(m.group(1)));
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no modelwatch_alert_evaluation_duration_seconds_count at /metrics");
        }
        return found.get(0);
    }
}
