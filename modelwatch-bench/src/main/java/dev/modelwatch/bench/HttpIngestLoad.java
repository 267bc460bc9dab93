package dev.modelwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The load generator of the HTTP ingest phase: {@code clients} threads, each posting NDJSON bodies
 * of the workload (with fresh ids) to {@code POST /api/v1/events} back to back over its own
 * keep-alive connection ({@link BenchHttpConnection}, a blocking socket: the client's CPU is taken from
 * the server it measures, so it does no more per request than write the body and read the answer),
 * for a warm-up and then a measured interval.
 *
 * <p>Only events of {@code 200} answers that accepted the whole body count; a rejected event or any
 * other status stops the run with the server's answer in the exception — except {@code 429}, the
 * server's backpressure, after which the client waits {@code Retry-After} and sends the same body
 * again (counted, and reported), unless told to fail on it too; and a connection the server closed
 * before answering, after which the client sends the same body again a second later (counted; ten in
 * a row stop the run). A request counts in the interval in which its answer arrived; its latency is
 * from just before the send to the full answer.
 *
 * <pre>{@code
 * HttpIngestLoad.Result r = HttpIngestLoad.run(URI.create("http://127.0.0.1:8080"),
 *         workload, 8, false, Duration.ofSeconds(60), Duration.ofSeconds(20), true, IngestLoadBenchmark::role, hook);
 * }</pre>
 */
final class HttpIngestLoad {
    static final String CLIENT_THREAD = "ingest-client-";
    private static final int MAX_CONSECUTIVE_CONNECTION_ERRORS = 10;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /** No answer within this is a connection error: the server is stuck, not slow. */
    private static final int ANSWER_TIMEOUT_MS = 60_000;

    /**
     * Called on the driving thread right after the CPU snapshot at each end of the measured interval
     * (the clients still running at both).
     */
    interface IntervalHook {
        void onMeasureStart();

        void onMeasureEnd();
    }

    /**
     * @param totalAcceptedEvents every event accepted in the whole run (warm-up and stragglers included):
     *                            what the server must have counted afterwards
     * @param cpuSecondsByRole    CPU of the measured interval by thread role, for the whole process
     * @param cpuIntervalSeconds  wall time between the two CPU snapshots (the measured interval, within a few ms)
     * @param loadSeconds         wall time from the first client's start to the last client's stop (warm-up included)
     * @param loadThreadsCpuSeconds CPU of the client threads over the whole load, as they measured it when they ended
     * @param loadInSeparateProcess whether the load generator ran in a process of its own
     *                              ({@link HttpLoadProcess}): then the CPU fields are the server JVM's,
     *                              {@code clientCpuSeconds} is the load process's CPU in the interval and
     *                              {@code otherProcessesCpuSeconds} excludes it
     * @param loadProcessCpuSecondsByRole the load process's CPU in the interval by role (empty in process)
     */
    record Result(int clients, double loadSeconds, long events, long requests, double seconds, double eventsPerSecond,
                  double bytesPerSecond, double p50Ms, double p99Ms, double maxMs, long totalAcceptedEvents,
                  long totalRequests, Map<String, Double> cpuSecondsByRole, double cpuIntervalSeconds,
                  double processCpuSeconds, double clientCpuSeconds, double otherProcessesCpuSeconds,
                  long gcCount, double gcSeconds, double jitSeconds, double loadThreadsCpuSeconds,
                  long overloadedAnswers, long overloadedInInterval, long connectionErrors,
                  boolean loadInSeparateProcess, Map<String, Double> loadProcessCpuSecondsByRole) {

        /**
         * Events acknowledged over the CPU snapshots' interval, at the measured rate: the divisor of
         * CPU per event (the driving thread may wake a little late to take a snapshot).
         */
        double eventsInCpuInterval() {
            return Math.max(1, eventsPerSecond * cpuIntervalSeconds);
        }

        /**
         * The server's CPU in the interval: the process less the load generator's threads where both
         * share the JVM, the whole process where the load generator ran apart.
         */
        double serverCpuSeconds() {
            return loadInSeparateProcess ? processCpuSeconds : processCpuSeconds - clientCpuSeconds;
        }
    }

    private static final class Client {
        long[] latencies = new long[1024];
        int latencyCount;
        long measuredEvents;
        long measuredBytes;
        long acceptedEvents;
        long requests;
        long overloaded;
        long overloadedInInterval;
        long connectionErrors;
        int consecutiveConnectionErrors;
        long cpuNanos;

        void latency(long nanos) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = nanos;
        }
    }

    private HttpIngestLoad() {
    }

    /**
     * Whether a thread of this name belongs to the load generator: its client threads do all of its
     * work, the connections have no threads of their own.
     */
    static boolean isClientThread(String name) {
        return name.startsWith(CLIENT_THREAD);
    }

    /** Runs the load, each client thread over a connection of its own. */
    static Result run(URI base, PredictionWorkload workload, int clients, boolean scatteredIds,
                      Duration warmup,
                      Duration measure, boolean retryOverloaded, Function<String, String> role, IntervalHook hook)
            throws InterruptedException {
        byte[] expectedAnswer = ("{\"accepted\":" + workload.eventsPerBody() + ",\"rejected\":0,\"errors\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long measureEnd = measureStart + measure.toNanos();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Client> states = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Client state = new Client();
            states.add(state);
            PredictionWorkload.ClientCopy bodies = workload.copyFor(c, scatteredIds);
            Thread t = new Thread(() -> {
                try (BenchHttpConnection connection = new BenchHttpConnection(base, "/api/v1/events",
                        "application/x-ndjson", CONNECT_TIMEOUT_MS, ANSWER_TIMEOUT_MS)) {
                    post(connection, bodies, workload.eventsPerBody(), expectedAnswer, measureStart, measureEnd,
                            retryOverloaded, state, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    state.cpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                }
            }, CLIENT_THREAD + c);
            threads.add(t);
        }
        for (Thread t : threads) {
            t.start();
        }
        sleepUntil(measureStart, failure);
        ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
        hook.onMeasureStart();
        sleepUntil(measureEnd, failure);
        ThreadCpuSnapshot after = ThreadCpuSnapshot.take();
        hook.onMeasureEnd();
        for (Thread t : threads) {
            t.join();
        }
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("HTTP ingest failed: " + failure.get().getMessage(), failure.get());
        }
        long events = 0;
        long bytes = 0;
        long accepted = 0;
        long requests = 0;
        long loadCpu = 0;
        long overloaded = 0;
        long overloadedInInterval = 0;
        long connectionErrors = 0;
        long[] all = new long[0];
        for (Client s : states) {
            loadCpu += s.cpuNanos;
            overloaded += s.overloaded;
            overloadedInInterval += s.overloadedInInterval;
            connectionErrors += s.connectionErrors;
            events += s.measuredEvents;
            bytes += s.measuredBytes;
            accepted += s.acceptedEvents;
            requests += s.requests;
            int n = all.length;
            all = Arrays.copyOf(all, n + s.latencyCount);
            System.arraycopy(s.latencies, 0, all, n, s.latencyCount);
        }
        Arrays.sort(all);
        double seconds = measure.toNanos() / 1e9;
        Map<String, Double> cpu = after.secondsByRole(before, role, Map.of());
        double clientCpu = 0;
        for (Map.Entry<String, Double> e : cpu.entrySet()) {
            if (e.getKey().startsWith("client")) {
                clientCpu += e.getValue();
            }
        }
        return new Result(clients, loadSeconds, events, all.length, seconds, events / seconds, bytes / seconds,
                percentileMs(all, 0.50), percentileMs(all, 0.99), all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6,
                accepted, requests, cpu, after.secondsSince(before), after.processCpuSecondsSince(before), clientCpu,
                after.otherProcessesCpuSecondsSince(before), after.gcCountSince(before), after.gcSecondsSince(before),
                after.jitSecondsSince(before), loadCpu / 1e9, overloaded, overloadedInInterval,
                connectionErrors, false, Map.of());
    }

    private static void post(BenchHttpConnection connection, PredictionWorkload.ClientCopy bodies, int eventsPerBody,
                             byte[] expectedAnswer, long measureStart, long measureEnd, boolean retryOverloaded,
                             Client state, AtomicReference<Throwable> failure) throws IOException, InterruptedException {
        byte[] body = null;
        while (failure.get() == null && System.nanoTime() < measureEnd) {
            if (body == null) {
                body = bodies.next();
            }
            long t0 = System.nanoTime();
            try {
                connection.post(body);
            } catch (IOException e) {
                // The server closed the connection before answering (seen when it refuses with 429
                // before reading the body). Nothing is known to be accepted: send the same body again
                // after a second; should the server have logged it after all, it counts those ids once.
                state.connectionErrors++;
                if (++state.consecutiveConnectionErrors > MAX_CONSECUTIVE_CONNECTION_ERRORS) {
                    throw new IOException(state.consecutiveConnectionErrors + " connection errors in a row", e);
                }
                Thread.sleep(1000);
                continue;
            }
            long t1 = System.nanoTime();
            state.consecutiveConnectionErrors = 0;
            state.requests++;
            int status = connection.status();
            if (status == 429 && retryOverloaded) {
                // the server's backpressure: nothing of the body was accepted; send it again after Retry-After
                state.overloaded++;
                if (t1 >= measureStart && t1 < measureEnd) {
                    state.overloadedInInterval++;
                }
                long retryAfter = connection.retryAfterSeconds();
                long waitMs = 1000L * (retryAfter < 0 ? 1 : retryAfter);
                Thread.sleep(Math.max(1, Math.min(waitMs, (measureEnd - System.nanoTime()) / 1_000_000)));
                continue;
            }
            if (status != 200 || !connection.bodyEquals(expectedAnswer)) {
                checkAnswer(status, connection.bodyText(), eventsPerBody);
            }
            state.acceptedEvents += eventsPerBody;
            if (t1 >= measureStart && t1 < measureEnd) {
                state.measuredEvents += eventsPerBody;
                state.measuredBytes += body.length;
                state.latency(t1 - t0);
            }
            body = null;
        }
    }

    /** Fails loudly unless the answer is a 200 that accepted the whole body. */
    private static void checkAnswer(int status, String text, int eventsPerBody) throws IOException {
        String shown = text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
        if (status == 429) {
            throw new IllegalStateException("status 429: " + shown + " (the aggregator fell behind by more than "
                    + "ingest.max_queued_events; without --on-overload fail the client waits and sends the body again)");
        }
        if (status != 200) {
            throw new IllegalStateException("status " + status + ": " + shown);
        }
        JsonNode answer = Json.MAPPER.readTree(text);
        if (answer.path("accepted").asLong(-1) != eventsPerBody || answer.path("rejected").asLong(-1) != 0) {
            throw new IllegalStateException("not every event was accepted: " + shown);
        }
    }

    private static double percentileMs(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    private static void sleepUntil(long nanoTime, AtomicReference<Throwable> failure) throws InterruptedException {
        long left;
        while (failure.get() == null && (left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
        }
    }
}
