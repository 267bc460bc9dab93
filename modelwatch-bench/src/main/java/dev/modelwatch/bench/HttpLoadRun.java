package dev.modelwatch.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The load of {@link IngestLoadBenchmark}'s HTTP phase, run by a process of its own (the default,
 * {@link HttpLoadProcess}: the server's JVM then does nothing but serve) or by threads of the server's
 * JVM ({@code --in-process-load}, the older way: the server is charged the process less the client's
 * threads, but shares its JIT compilers and garbage collector with the client). Either way the
 * server's side is read at the same moments: a CPU snapshot when the load starts, and a CPU snapshot
 * and the aggregator's counts at each end of the measured interval.
 */
final class HttpLoadRun {
    /** Slack over the load's own durations before a silent load process is given up on. */
    private static final Duration SLACK = Duration.ofMinutes(2);

    private HttpLoadRun() {
    }

    /**
     * @param result                     the load's figures, CPU the server JVM's (see {@link HttpIngestLoad.Result})
     * @param runStart                   the server JVM's CPU snapshot as the load started
     * @param atStart                    the aggregator at the start of the measured interval
     * @param atEnd                      the aggregator at its end
     * @param loadProcessWholeCpuSeconds the load process's CPU over the whole load; {@code null} in process
     */
    record Outcome(HttpIngestLoad.Result result, ThreadCpuSnapshot runStart, SteadyState.AggregatorCounts atStart,
                   SteadyState.AggregatorCounts atEnd, Double loadProcessWholeCpuSeconds) {
    }

    /** The load on threads of this JVM. */
    static Outcome inProcess(URI base, PredictionWorkload workload, IngestBenchmarkOptions options,
                             Supplier<SteadyState.AggregatorCounts> aggregator) throws InterruptedException {
        SteadyState.AggregatorCounts[] counts = new SteadyState.AggregatorCounts[2];
        HttpIngestLoad.IntervalHook hook = new HttpIngestLoad.IntervalHook() {
            @Override
            public void onMeasureStart() {
                counts[0] = aggregator.get();
            }

            @Override
            public void onMeasureEnd() {
                counts[1] = aggregator.get();
            }
        };
        ThreadCpuSnapshot runStart = ThreadCpuSnapshot.take();
        HttpIngestLoad.Result r = HttpIngestLoad.run(base, workload, options.clients(), options.scatteredIds(),
                options.warmup(), options.duration(), options.retryOverloaded(), IngestLoadBenchmark::role, hook);
        return new Outcome(r, runStart, counts[0], counts[1], null);
    }

    /**
     * The load by a child process posting the bodies of {@code PredictionWorkload.generate(seed,
     * events, batch, nowMs)}: this JVM takes its snapshots as the child reports the interval's ends.
     */
    static Outcome separateProcess(URI base, IngestBenchmarkOptions options, long nowMs,
                                   Supplier<SteadyState.AggregatorCounts> aggregator)
            throws IOException, InterruptedException {
        HttpLoadProcess.Args args = new HttpLoadProcess.Args(base, options.seed(), options.events(), options.batch(),
                nowMs, options.clients(), options.scatteredIds(), options.warmup(), options.duration(),
                options.retryOverloaded());
        try (LoadProcessDriver child = LoadProcessDriver.start(args, System.out)) {
            child.await(HttpLoadProcess.LOAD_START, SLACK);
            ThreadCpuSnapshot runStart = ThreadCpuSnapshot.take();
            child.await(HttpLoadProcess.INTERVAL_START, options.warmup().plus(SLACK));
            ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
            SteadyState.AggregatorCounts atStart = aggregator.get();
            child.await(HttpLoadProcess.INTERVAL_END, options.duration().plus(SLACK));
            ThreadCpuSnapshot after = ThreadCpuSnapshot.take();
            SteadyState.AggregatorCounts atEnd = aggregator.get();
            HttpLoadProcess.LoadResult load = HttpLoadProcess.decodeResult(
                    child.await(HttpLoadProcess.RESULT, SLACK).payload());
            child.awaitExit(Duration.ofSeconds(30));
            Map<String, Double> roles = after.secondsByRole(before, IngestLoadBenchmark::role, Map.of());
            HttpIngestLoad.Result r = LoadProcessDriver.combine(load.interval(), roles, after.secondsSince(before),
                    after.processCpuSecondsSince(before), after.otherProcessesCpuSecondsSince(before),
                    after.gcCountSince(before), after.gcSecondsSince(before), after.jitSecondsSince(before));
            return new Outcome(r, runStart, atStart, atEnd, load.wholeLoadCpuSeconds());
        }
    }
}
