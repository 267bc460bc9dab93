package dev.modelwatch.bench;

import dev.modelwatch.server.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The HTTP load generator of {@link IngestLoadBenchmark} as a process of its own, so that the
 * server's JVM (its JIT compilers and garbage collector included) does none of the client's work.
 * The benchmark starts it with the same java binary and class path ({@link LoadProcessDriver}); it
 * regenerates the workload from the seed (byte for byte the parent's bodies), runs
 * {@link HttpIngestLoad} and reports on standard output, one line per message, each beginning with
 * {@link #PREFIX}:
 * <ol>
 *   <li>{@code load-start}: right before the clients start (after the workload is built and the
 *       child's own start-up is over);</li>
 *   <li>{@code interval-start} and {@code interval-end}: right after the child's CPU snapshot at each
 *       end of the measured interval (the parent then takes its own snapshots);</li>
 *   <li>{@code result <json>}: the load's figures ({@link LoadResult}), after which the process exits 0.</li>
 * </ol>
 * Other output is free text. A failure exits 1 with its stack trace on standard error. Standard input
 * is the lifeline: at its end (the parent died or closed it) the process exits at once (status 3).
 */
final class HttpLoadProcess {
    /** The start of every message line. */
    static final String PREFIX = "@modelwatch-load ";
    static final String LOAD_START = "load-start";
    static final String INTERVAL_START = "interval-start";
    static final String INTERVAL_END = "interval-end";
    static final String RESULT = "result";

    private HttpLoadProcess() {
    }

    /**
     * What the child is asked to do.
     *
     * @param nowMs the parent's workload timestamp base, so that the bodies are the parent's
     */
    record Args(URI base, long seed, int events, int batch, long nowMs, int clients, boolean scatteredIds,
                Duration warmup, Duration duration, boolean retryOverloaded) {

        /** The command-line form, read back by {@link #parse}. */
        List<String> toArgs() {
            return List.of("--base", base.toString(), "--seed", Long.toString(seed), "--events", Integer.toString(events),
                    "--batch", Integer.toString(batch), "--now-ms", Long.toString(nowMs), "--clients",
                    Integer.toString(clients), "--ids", scatteredIds ? "scattered" : "sequential", "--warmup-ms",
                    Long.toString(warmup.toMillis()), "--duration-ms", Long.toString(duration.toMillis()),
                    "--on-overload", retryOverloaded ? "retry" : "fail");
        }

        static Args parse(String[] args) {
            Map<String, String> v = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + ": a value is missing");
                }
                v.put(args[i], args[i + 1]);
            }
            List<String> names = List.of("--base", "--seed", "--events", "--batch", "--now-ms", "--clients", "--ids",
                    "--warmup-ms", "--duration-ms", "--on-overload");
            for (String k : v.keySet()) {
                if (!names.contains(k)) {
                    throw new IllegalArgumentException("unknown option " + k);
                }
            }
            for (String k : names) {
                if (!v.containsKey(k)) {
                    throw new IllegalArgumentException("missing option " + k);
                }
            }
            return new Args(URI.create(v.get("--base")), Long.parseLong(v.get("--seed")),
                    Integer.parseInt(v.get("--events")), Integer.parseInt(v.get("--batch")),
                    Long.parseLong(v.get("--now-ms")), Integer.parseInt(v.get("--clients")),
                    v.get("--ids").equals("scattered"), Duration.ofMillis(Long.parseLong(v.get("--warmup-ms"))),
                    Duration.ofMillis(Long.parseLong(v.get("--duration-ms"))), v.get("--on-overload").equals("retry"));
        }
    }

    /**
     * What the child reports at the end.
     *
     * @param interval               the load's figures; its CPU fields are the child's (its process, its roles)
     * @param wholeLoadCpuSeconds    the child's process CPU from {@code load-start} until the clients stopped
     * @param wholeLoadSeconds       wall time of the same
     */
    record LoadResult(HttpIngestLoad.Result interval, double wholeLoadCpuSeconds, double wholeLoadSeconds) {
    }

    /** A message line of the child's output: its kind and what follows it (empty for none). */
    record Message(String kind, String payload) {
    }

    /** The message line of {@code kind} (and {@code payload}, without line breaks, if not empty). */
    static String line(String kind, String payload) {
        return PREFIX + kind + (payload.isEmpty() ? "" : " " + payload);
    }

    /** The message a line of the child's output carries, or {@code null} for free text. */
    static Message parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return null;
        }
        String rest = line.substring(PREFIX.length());
        int space = rest.indexOf(' ');
        return space < 0 ? new Message(rest, "") : new Message(rest.substring(0, space), rest.substring(space + 1));
    }

    static String encodeResult(LoadResult result) {
        try {
            return Json.MAPPER.writeValueAsString(result);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the load's result", e);
        }
    }

    static LoadResult decodeResult(String json) {
        try {
            return Json.MAPPER.readValue(json, LoadResult.class);
        } catch (IOException e) {
            throw new IllegalStateException("the load process's result is not readable: " + json, e);
        }
    }

    public static void main(String[] argv) {
        PrintStream out = System.out;
        Thread lifeline = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                while (in.readLine() != null) {
                    // the parent writes nothing; it only holds the pipe open
                }
            } catch (IOException e) {
                // the same as the end of input
            }
            System.err.println("load process: the benchmark closed its end; stopping");
            Runtime.getRuntime().halt(3);
        }, "load-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
        try {
            Args args = Args.parse(argv);
            PredictionWorkload workload = PredictionWorkload.generate(args.seed(), args.events(), args.batch(),
                    args.nowMs());
            HttpIngestLoad.IntervalHook hook = new HttpIngestLoad.IntervalHook() {
                @Override
                public void onMeasureStart() {
                    send(out, INTERVAL_START);
                }

                @Override
                public void onMeasureEnd() {
                    send(out, INTERVAL_END);
                }
            };
            ThreadCpuSnapshot start = ThreadCpuSnapshot.take();
            send(out, LOAD_START);
            HttpIngestLoad.Result r = HttpIngestLoad.run(args.base(), workload, args.clients(),
                    args.scatteredIds(), args.warmup(), args.duration(), args.retryOverloaded(),
                    IngestLoadBenchmark::role, hook);
            ThreadCpuSnapshot end = ThreadCpuSnapshot.take();
            String json = encodeResult(new LoadResult(r, end.processCpuSecondsSince(start), end.secondsSince(start)));
            out.println(line(RESULT, json));
            out.flush();
        } catch (Throwable e) {
            System.err.println("load process failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void send(PrintStream out, String kind) {
        out.println(line(kind, ""));
        out.flush();
    }
}
