package dev.modelwatch.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of {@link IngestLoadBenchmark}. The defaults fit a 2-core machine with
 * 24 GiB; a whole run takes about two and a half minutes.
 *
 * @param duration        measured interval of the HTTP phase
 * @param warmup          warm-up of the HTTP phase (a fresh server: JIT, connections, first windows); 60 s by
 *                        default, by when the JIT compilers are mostly done with the server
 * @param cpuDuration     measured interval of each in-process phase (parse-only, decode, ...)
 * @param cpuWarmup       warm-up of each in-process phase
 * @param clients         concurrent HTTP client threads
 * @param batch           events per request body
 * @param events          distinct events generated (rounded down to whole bodies)
 * @param threads         threads of the in-process phases: the cores available
 * @param dataDir         the server's data directory; {@code null}: a fresh temporary one, deleted after
 * @param retryOverloaded on a 429 (backpressure) wait Retry-After and send the body again; otherwise fail
 * @param scatteredIds    ids spread over the whole key space (as UUIDs are) instead of ascending per client
 * @param inProcessLoad   the HTTP load generator on threads of the server's JVM (the older way) instead of a
 *                        process of its own ({@link HttpLoadProcess})
 */
public record IngestBenchmarkOptions(Duration duration, Duration warmup, Duration cpuDuration, Duration cpuWarmup,
                                     int clients, int batch, int events, int threads, long seed, Path out,
                                     Path dataDir, boolean retryOverloaded, boolean scatteredIds,
                                     boolean inProcessLoad) {

    static final String USAGE = String.join("\n",
            "usage: IngestLoadBenchmark [options]",
            "  --duration S         measured seconds of HTTP ingest (default 20)",
            "  --warmup S           warm-up seconds of HTTP ingest (default 60: the JIT compilers are mostly done",
            "                       by then, so the measured interval is steady state)",
            "  --cpu-duration S     measured seconds of each in-process phase (default 4)",
            "  --cpu-warmup S       warm-up seconds of each in-process phase (default 5)",
            "  --clients N          concurrent HTTP clients (default 8)",
            "  --batch N            events per request body (default 1000)",
            "  --events N           distinct events generated (default 20000)",
            "  --threads N          threads of the in-process phases (default: available processors)",
            "  --seed N             generator seed (default 42)",
            "  --out FILE           JSON figures (default modelwatch-bench/target/ingest-benchmark.json)",
            "  --data-dir DIR       server data directory (default: a fresh temporary one, deleted after)",
            "  --on-overload retry|fail  on a 429, wait Retry-After and send again, or stop the run (default retry)",
            "  --ids sequential|scattered  ids ascending per client, or spread over the key space as UUIDs are",
            "                       (default sequential)",
            "  --in-process-load    run the HTTP load generator on threads of the server's JVM, as before, instead",
            "                       of a process of its own (then the server shares JIT and GC with the client)");

    public IngestBenchmarkOptions {
        List<String> problems = new ArrayList<>();
        if (duration.isNegative() || duration.isZero()) {
            problems.add("--duration must be > 0, was " + duration.toSeconds());
        }
        if (warmup.isNegative()) {
            problems.add("--warmup must be >= 0, was " + warmup.toSeconds());
        }
        if (cpuDuration.isNegative() || cpuDuration.isZero()) {
            problems.add("--cpu-duration must be > 0, was " + cpuDuration.toSeconds());
        }
        if (cpuWarmup.isNegative()) {
            problems.add("--cpu-warmup must be >= 0, was " + cpuWarmup.toSeconds());
        }
        if (clients < 1 || clients > 99) {
            problems.add("--clients must be in [1, 99], was " + clients);
        }
        if (batch < 1 || batch > 100_000) {
            problems.add("--batch must be in [1, 100000] (the server's max_events_per_request), was " + batch);
        }
        if (events < batch) {
            problems.add("--events must be >= --batch (" + batch + "), was " + events);
        }
        if (threads < 1) {
            problems.add("--threads must be >= 1, was " + threads);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    static IngestBenchmarkOptions defaults() {
        return new IngestBenchmarkOptions(Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(4),
                Duration.ofSeconds(5), 8, 1_000, 20_000, Runtime.getRuntime().availableProcessors(), 42,
                Path.of("modelwatch-bench", "target", "ingest-benchmark.json"), null, true, false, false);
    }

    /** Parses {@code --name value} pairs over the defaults; an unknown or malformed option is an error. */
    static IngestBenchmarkOptions parse(String[] args) {
        IngestBenchmarkOptions d = defaults();
        Duration duration = d.duration;
        Duration warmup = d.warmup;
        Duration cpuDuration = d.cpuDuration;
        Duration cpuWarmup = d.cpuWarmup;
        int clients = d.clients;
        int batch = d.batch;
        int events = d.events;
        int threads = d.threads;
        long seed = d.seed;
        Path out = d.out;
        Path dataDir = d.dataDir;
        boolean retryOverloaded = d.retryOverloaded;
        boolean scatteredIds = d.scatteredIds;
        boolean inProcessLoad = d.inProcessLoad;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--in-process-load")) {
                inProcessLoad = true; // a flag: no value
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + ": a value is missing");
            }
            String value = args[++i];
            try {
                switch (name) {
                    case "--duration" -> duration = seconds(value);
                    case "--warmup" -> warmup = seconds(value);
                    case "--cpu-duration" -> cpuDuration = seconds(value);
                    case "--cpu-warmup" -> cpuWarmup = seconds(value);
                    case "--clients" -> clients = Integer.parseInt(value);
                    case "--batch" -> batch = Integer.parseInt(value);
                    case "--events" -> events = Integer.parseInt(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--out" -> out = Path.of(value);
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--on-overload" -> {
                        if (!value.equals("retry") && !value.equals("fail")) {
                            throw new IllegalArgumentException("--on-overload must be retry or fail, was " + value);
                        }
                        retryOverloaded = value.equals("retry");
                    }
                    case "--ids" -> {
                        if (!value.equals("sequential") && !value.equals("scattered")) {
                            throw new IllegalArgumentException("--ids must be sequential or scattered, was " + value);
                        }
                        scatteredIds = value.equals("scattered");
                    }
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": '" + value + "' is not a number");
            }
        }
        return new IngestBenchmarkOptions(duration, warmup, cpuDuration, cpuWarmup, clients, batch, events, threads,
                seed, out, dataDir, retryOverloaded, scatteredIds, inProcessLoad);
    }

    private static Duration seconds(String value) {
        return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
    }
}
