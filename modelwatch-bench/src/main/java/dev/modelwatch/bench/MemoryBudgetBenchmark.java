package dev.modelwatch.bench;

import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.config.ConfigLoader;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap the server takes with every limit of {@code limits:} pushed, measured against the
 * budget {@code docs/configuration.md} derives from them.
 * <ol>
 * <li>Models at their limits: {@code models} models (the default limits otherwise), each with
 * {@code max_features_per_model} feature names, {@code max_segment_keys_per_model} keys of
 * {@code max_segment_values_per_key} values, {@code max_versions_per_model} versions and
 * {@code max_classes_per_model} classes, every name 32 characters. The live heap after them, less
 * the live heap of the empty server, over the models, is what a model at its limits costs.</li>
 * <li>The buffer at its budget: a stream of predictions (all of a model's features, every segment
 * key, a value past the limit in one key) spread over many one-minute windows of the last days, so
 * that every event touches new profiles and the aggregation runtime commits whenever its buffer
 * reaches {@code max_buffered_profile_bytes}. A sampler collects the heap every 500 ms and keeps
 * the largest live heap seen, less the heap after phase 1.</li>
 * </ol>
 * Reported with the formula's figures: the buffer's {@code 7 x max_buffered_profile_bytes} and the
 * models' metadata.
 *
 * <p>Usage: {@code java -Xmx2g -XX:+UseParallelGC -cp modelwatch-bench-all.jar
 * dev.modelwatch.bench.MemoryBudgetBenchmark [models] [phase-2 events] [max_buffered_profile_bytes]}
 */
public final class MemoryBudgetBenchmark {
    private static final int NAME_LENGTH = 32;

    private MemoryBudgetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int models = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int floodEvents = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        long buffer = args.length > 2 ? Long.parseLong(args[2]) : Limits.DEFAULT.maxBufferedProfileBytes();
        Limits l = Limits.DEFAULT;
        String yaml = """
                alerting: {default_rules: false}
                limits:
                  max_models: %d
                  max_buffered_profile_bytes: %d
                """.formatted(Math.max(models + 1, l.maxModels()), buffer);
        Path dir = Files.createTempDirectory("modelwatch-memory-budget");
        ServerConfig config = ConfigLoader.parse(yaml, "bench.yml").withDataDir(dir).withPort(0);
        HttpClient http = HttpClient.newHttpClient();
        try (ModelWatchServer server = ModelWatchServer.start(config, Clock.systemUTC())) {
            String events = "http://127.0.0.1:" + server.port() + "/api/v1/events";
            long empty = IdleModelMemoryBenchmark.liveHeap();
            long now = System.currentTimeMillis();
            // phase 1: every model at every limit
            for (int m = 0; m < models; m++) {
                StringBuilder body = new StringBuilder();
                int perKey = l.maxSegmentValuesPerKey();
                for (int e = 0; e < Math.max(perKey, Math.max(l.maxVersionsPerModel(), l.maxClassesPerModel())); e++) {
                    appendEvent(body, "model-" + m, m * 1_000_000L + e, now - 60_000, l, e, e == 0, e);
                }
                post(http, events, body.toString());
            }
            server.awaitAggregated(Duration.ofMinutes(10));
            // three flush intervals: the buffered profiles are committed (/metrics would say so, but a scrape
            // computes every model's metrics, 50 versions each: far more work than waiting)
            Thread.sleep(3 * config.flushInterval().toMillis());
            long atLimits = IdleModelMemoryBenchmark.liveHeap();

            // phase 2: a stream that keeps the buffer at its budget
            AtomicLong peak = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(IdleModelMemoryBenchmark.liveHeap(), Math::max);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long t0 = System.nanoTime();
            int batch = 50;
            for (int sent = 0; sent < floodEvents; sent += batch) {
                StringBuilder body = new StringBuilder();
                for (int i = sent; i < sent + batch; i++) {
                    long ts = now - 60_000L * (1 + i % 1_440);
                    appendEvent(body, "model-" + (i % Math.max(1, models)), 1L << 40 | i, ts, l, i, true, i);
                }
                post(http, events, body.toString());
            }
            server.awaitAggregated(Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - t0) / 1e9;
            sampler.interrupt();
            sampler.join();
            long features = l.maxFeaturesPerModel();
            System.out.printf(Locale.ROOT, "limits: %d models measured (max_models %d), %d features, %d segment keys x %d"
                            + " values, %d versions, %d classes, names of %d characters%n", models, l.maxModels(),
                    features, l.maxSegmentKeysPerModel(), l.maxSegmentValuesPerKey(), l.maxVersionsPerModel(),
                    l.maxClassesPerModel(), NAME_LENGTH);
            System.out.printf(Locale.ROOT, "live heap: empty server %.1f MiB, models at their limits %.1f MiB -> %.1f KiB"
                    + " per model%n", mib(empty), mib(atLimits), (atLimits - empty) / 1024.0 / models);
            System.out.printf(Locale.ROOT, "buffer phase: %d events over %d windows in %.1f s; peak live heap %.1f MiB,"
                            + " %.1f MiB over phase 1 = %.2f x max_buffered_profile_bytes (%.0f MiB)%n", floodEvents,
                    Math.min(floodEvents, 1_440), seconds, mib(peak.get()), mib(peak.get() - atLimits),
                    (peak.get() - atLimits) / (double) buffer, mib(buffer));
        }
    }

    /**
     * One prediction of {@code model}: every feature (numbers, names of 32 characters), every segment
     * key with value {@code i} of it, version {@code i}, class {@code i} (all modulo their limits, a
     * value past the limit in the first key when {@code spill}).
     */
    private static void appendEvent(StringBuilder sb, String model, long id, long ts, Limits l, int i,
                                    boolean allFeatures, int spill) {
        sb.append("{\"type\":\"prediction\",\"model\":\"").append(model).append("\",\"id\":\"").append(id)
                .append("\",\"timestamp\":").append(ts).append(",\"version\":\"").append(name("v", i % l.maxVersionsPerModel()))
                .append("\",\"prediction\":\"").append(name("c", i % l.maxClassesPerModel())).append("\",\"features\":{");
        int features = allFeatures ? l.maxFeaturesPerModel() : 1;
        for (int f = 0; f < features; f++) {
            sb.append(f == 0 ? "" : ",").append('"').append(name("f", f)).append("\":").append((i * 31 + f) % 997);
        }
        sb.append("},\"segments\":{");
        for (int k = 0; k < l.maxSegmentKeysPerModel(); k++) {
            int value = k == 0 ? spill % (2 * l.maxSegmentValuesPerKey()) : i % l.maxSegmentValuesPerKey();
            sb.append(k == 0 ? "" : ",").append('"').append(name("k", k)).append("\":\"").append(name("s", value))
                    .append('"');
        }
        sb.append("}}\n");
    }

    /** A name of {@link #NAME_LENGTH} characters. */
    private static String name(String prefix, int n) {
        String digits = Integer.toString(n);
        return prefix + "_".repeat(NAME_LENGTH - prefix.length() - digits.length()) + digits;
    }

    private static void post(HttpClient http, String url, String ndjson) throws Exception {
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
                Thread.sleep(200);
                continue;
            }
            if (r.statusCode() != 200 || !r.body().contains("\"rejected\":0")) {
                throw new IllegalStateException("ingest answered " + r.statusCode() + ": "
                        + r.body().substring(0, Math.min(400, r.body().length())));
            }
            return;
        }
    }

    private static double mib(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }
}
