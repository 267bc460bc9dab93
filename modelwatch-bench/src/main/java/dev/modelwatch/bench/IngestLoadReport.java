package dev.modelwatch.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The figures {@link IngestLoadBenchmark} writes as JSON (field names in snake case, through the
 * server's one mapper), in the order they are written.
 *
 * @param machine              where it ran
 * @param options              what it was asked to do
 * @param workload             the events sent
 * @param httpIngest           the durable HTTP ingest against a started server
 * @param wholeRunCpuPerEvent  CPU per accepted event from the start of the load until the server caught up
 * @param inProcess            the in-process stages, in the order they ran
 * @param ratio                the ratios against the parse-only limit, the ceiling and the target
 */
record IngestLoadReport(Machine machine, Options options, Workload workload, HttpIngest httpIngest,
                        WholeRun wholeRunCpuPerEvent, List<Stage> inProcess, Ratio ratio) {

    record Machine(int availableProcessors, String cpuModel, String memTotal, String java, List<String> jvmArgs,
                   long maxHeapMb, String jackson) {
    }

    /** @param loadGenerator where the HTTP load generator ran: "separate process" or "in process" */
    record Options(double durationS, double warmupS, double cpuDurationS, double cpuWarmupS, int clients, String ids,
                   int batch, int events, int threads, long seed, String loadGenerator) {
    }

    record Workload(int events, int bodies, int eventsPerBody, double meanEventBytes, int featuresPerEvent) {
    }

    record Stage(String stage, int threads, long events, double seconds, long eventsPerSecond, double mbPerSecond,
                 double cpuUsPerEvent, double jvmCpuSeconds, double gcSeconds, double otherProcessesCpuSeconds,
                 long checksum) {
    }

    record Latency(double p50, double p99, double max) {
    }

    /**
     * The CPU of the measured interval. {@code serverUsPerEvent}: the server's CPU (its JVM where the
     * load generator ran apart; the process less the load generator's threads where it ran in process),
     * per the fewer of the events acknowledged and aggregated in the interval (both also given).
     * {@code process*}, {@code gc*}, {@code jit*} and {@code secondsByRole} are the server's JVM's.
     * With the load generator apart, {@code clientSeconds} is its process's CPU,
     * {@code clientShareOfProcess} its share of both JVMs' CPU, {@code otherProcessesSeconds} excludes it,
     * and {@code loadProcessSecondsByRole} is its CPU by role (empty in process).
     * {@code clientShareOfMachine}: {@code clientSeconds} over the interval times the CPUs.
     */
    record Cpu(double intervalSeconds, double processSeconds, double processUsPerEvent, double clientSeconds,
               double clientShareOfProcess, double otherProcessesSeconds, long gcCount, double gcSeconds,
               double jitCompileWallSeconds, Map<String, Double> secondsByRole, double serverSeconds,
               double serverUsPerAcknowledgedEvent, double serverUsPerAggregatedEvent, double serverUsPerEvent,
               String loadGenerator, double clientShareOfMachine, Map<String, Double> loadProcessSecondsByRole) {
    }

    /** The aggregator at one end of the measured interval: events applied so far, events waiting (the backlog). */
    record Aggregator(long aggregatedEvents, long queuedEvents) {
    }

    /**
     * What the aggregator did over the measured interval (read in process at both ends, right after
     * the CPU snapshots).
     *
     * @param seconds                 between the two reads
     * @param aggregatedEvents        events applied in it
     * @param sustainedEventsPerSecond aggregatedEvents / seconds
     */
    record AggregatorInterval(Aggregator atStart, Aggregator atEnd, double seconds, long aggregatedEvents,
                              long sustainedEventsPerSecond) {
    }

    /** Whole-run averages (warm-up included), from the server's own /metrics after the load. */
    record ServerMetrics(double fsyncs, double fsyncMeanMs, double requestsPerGroupCommit, double requestMeanMs,
                         double flushes, double flushMeanMs, double aggregatedEvents) {
    }

    record HttpIngest(int clients, double seconds, long events, long requests, long eventsPerSecond, double mbPerSecond,
                      Latency latencyMs,
                      @JsonProperty("overloaded_answers_429") long overloadedAnswers,
                      @JsonProperty("overloaded_answers_429_in_interval") long overloadedAnswersInInterval,
                      long connectionsClosedBeforeAnswer, Cpu cpu, ServerMetrics serverMetricsWholeRun,
                      long aggregatorQueuedEventsAtEnd, double drainSecondsAfterLoad, long totalAcceptedEvents,
                      long serverCountedEvents, double loadSeconds, long sustainedEventsPerSecond,
                      AggregatorInterval aggregatorInInterval) {
    }

    /**
     * CPU per accepted event over the whole HTTP phase, the server's JVM's ({@code processUs},
     * {@code usByRole}); {@code loadProcessUs}: the load process's, {@code null} where it ran in process
     * (then its threads are among the roles).
     */
    record WholeRun(double wallSeconds, long events, double processUs, double otherProcessesCpuSeconds, long gcCount,
                    double gcSeconds, Map<String, Double> usByRole, double serverUs, Double loadProcessUs) {
    }

    /**
     * The ratios. Over the measured interval (steady state, what {@code meetsTarget} is decided on):
     * {@code httpIngestOverCeiling} (acknowledged), {@code sustainedInterval} (aggregated in the interval)
     * and {@code byCpuInterval}. Over the whole HTTP phase, warm-up and catch-up included:
     * {@code sustainedIngestOverCeiling} = {@code sustainedWholePhase} and
     * {@code decodeAndProfileCpuOverServerCpu} = {@code byCpuWholePhase} (the older keys, kept).
     */
    record Ratio(double httpIngestOverParseOnly, double sustainedIngestOverParseOnly, double decodeAndProfileCeiling,
                 double httpIngestOverCeiling, double sustainedIngestOverCeiling,
                 double decodeAndProfileCpuOverServerCpu, double sustainedIntervalOverParseOnly,
                 double sustainedInterval, double byCpuInterval, double sustainedWholePhase, double byCpuWholePhase,
                 double targetOverCeiling, boolean meetsTarget) {
    }
}
