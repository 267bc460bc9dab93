package dev.modelwatch.bench;

import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.server.config.ServerConfig;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * What a model costs in memory once its traffic has stopped: the real server (default
 * configuration but {@code limits.max_models}, SQLite, default rule pack) gets one prediction (20 numerical features, a score,
 * one segment) for each of {@code models} models in the window before the current one, so that the
 * window has closed and every alert evaluation reads it. After {@code passes} alert evaluations
 * and one {@code /metrics} scrape the heap is collected and measured; the live heap that remains,
 * less the live heap of the same server before the traffic, over the number of models, is what
 * one idle model costs. The process's resident set is reported as well (it depends on how far the
 * collector let the heap grow while the evaluations ran).
 *
 * <p>Usage: {@code java -Xmx4g -XX:+UseParallelGC -cp modelwatch-bench-all.jar
 * dev.modelwatch.bench.IdleModelMemoryBenchmark [models] [passes]}
 */
public final class IdleModelMemoryBenchmark {
    private static final int FEATURES = 20;
    private static final int BATCH = 500;

    private IdleModelMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int models = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("modelwatch-idle-models");
        HttpClient http = HttpClient.newHttpClient();
        // the default configuration, with room for the models (limits.max_models is 1,000 by default)
        ServerConfig config = ServerConfig.defaults();
        config = config.withLimits(new Limits(Math.max(models, config.limits().maxModels()),
                config.limits().maxVersionsPerModel(), config.limits().maxSegmentKeysPerModel(),
                config.limits().maxSegmentValuesPerKey(), config.limits().maxFeaturesPerModel(),
                config.limits().maxClassesPerModel(), config.limits().maxBufferedProfileBytes(),
                config.limits().maxQueuedEventBytes(), config.limits().maxCachedReferenceBytes()));
        try (ModelWatchServer server = ModelWatchServer.start(config.withDataDir(dir).withPort(0), Clock.systemUTC())) {
            String base = "http://127.0.0.1:" + server.port();
            long before = liveHeap();
            long rssBefore = rssBytes();
            long windowStart = (System.currentTimeMillis() / 60_000 - 1) * 60_000;
            StringBuilder body = new StringBuilder();
            for (int m = 0; m < models; m++) {
                appendPrediction(body, m, windowStart + 1_000 + m % 50_000);
                if ((m + 1) % BATCH == 0 || m == models - 1) {
                    HttpResponse<String> r = post(http, base + "/api/v1/events", body.toString());
                    if (r.statusCode() != 200 || !r.body().contains("\"rejected\":0")) {
                        throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
                    }
                    body.setLength(0);
                }
            }
            server.awaitAggregated(Duration.ofMinutes(5));
            double evaluations = evaluations(http, base);
            long t0 = System.nanoTime();
            while (evaluations(http, base) < evaluations + passes) {
                Thread.sleep(500);
            }
            double waited = (System.nanoTime() - t0) / 1e9;
            long after = liveHeap();
            long rssAfter = rssBytes();
            System.out.printf(Locale.ROOT, "models %d, one prediction each (%d features); %d evaluations in %.1f s%n",
                    models, FEATURES, passes, waited);
            System.out.printf(Locale.ROOT, "live heap: %.1f MiB before, %.1f MiB after -> %.1f KiB per idle model%n",
                    mib(before), mib(after), (after - before) / 1024.0 / models);
            System.out.printf(Locale.ROOT, "resident set: %.1f MiB before, %.1f MiB after (max heap %.0f MiB)%n",
                    mib(rssBefore), mib(rssAfter), mib(Runtime.getRuntime().maxMemory()));
        }
    }

    private static void appendPrediction(StringBuilder sb, int model, long ts) {
        sb.append("{\"type\":\"prediction\",\"model\":\"idle-").append(model).append("\",\"id\":\"p").append(model)
                .append("\",\"timestamp\":").append(ts).append(",\"features\":{");
        for (int f = 0; f < FEATURES; f++) {
            sb.append(f == 0 ? "" : ",").append("\"f").append(f).append("\":").append((model * 31 + f) % 97 / 10.0);
        }
        sb.append("},\"prediction\":1,\"score\":0.8,\"latency_ms\":3.5,\"segments\":{\"region\":\"eu\"}}\n");
    }

    /** The count of alert evaluations so far, from /metrics. */
    private static double evaluations(HttpClient http, String base) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("modelwatch_alert_evaluation_duration_seconds_count")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static HttpResponse<String> post(HttpClient http, String url, String ndjson) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The heap that survives full collections (three, so that finalizable and soft objects are gone). */
    static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set from /proc (0 where there is none). */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return 0;
    }

    private static double mib(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }
}
