package dev.modelwatch.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The printed table and the JSON of {@link IngestLoadBenchmark}'s HTTP phase: the measured interval
 * (per role, the aggregator at both ends, the server's CPU per event) and the whole phase.
 */
final class HttpPhaseReport {
    private HttpPhaseReport() {
    }

    static void printTable(List<ThroughputRun.Result> stages, HttpIngestLoad.Result http, double parseRate,
                           double ratio, double sustained, double sustainedRatio, int batch) {
        System.out.println();
        System.out.println("| stage | threads | events/s | MB/s | CPU µs/event |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (ThroughputRun.Result r : stages) {
            System.out.printf("| %s | %d | %,.0f | %.1f | %.2f |%n", r.name(), r.threads(), r.eventsPerSecond(),
                    r.mbPerSecond(), r.cpuMicrosPerEvent());
        }
        System.out.printf("| HTTP ingest (durable, %d clients) | server | %,.0f | %.1f | %.2f (process) |%n",
                http.clients(), http.eventsPerSecond(), http.bytesPerSecond() / 1e6,
                http.processCpuSeconds() * 1e6 / http.eventsInCpuInterval());
        System.out.printf("%nHTTP request latency (%d requests of %d events): p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                        + "429 (overloaded) answers: %d in the interval, %d in all; connections closed before an "
                        + "answer: %d%n", http.requests(), batch, http.p50Ms(), http.p99Ms(), http.maxMs(),
                http.overloadedInInterval(), http.overloadedAnswers(), http.connectionErrors());
        int cpus = Runtime.getRuntime().availableProcessors();
        double offered = http.cpuIntervalSeconds() * cpus;
        System.out.printf("CPU of the measured %.1f s: this JVM%s %.1f s of the %.1f s the machine's %d CPUs offer; %s"
                        + "other processes %.1f s; %d GCs, %.2f s in GC; JIT compilers busy %.1f s (wall)%n",
                http.cpuIntervalSeconds(), http.loadInSeparateProcess() ? " (the server)" : "",
                http.processCpuSeconds(), offered, cpus, http.loadInSeparateProcess()
                        ? String.format("load generator (separate process) %.1f s; ", http.clientCpuSeconds()) : "",
                http.otherProcessesCpuSeconds(), http.gcCount(), http.gcSeconds(), http.jitSeconds());
        for (Map.Entry<String, Double> e : http.cpuSecondsByRole().entrySet()) {
            System.out.printf("  %-52s %6.2f s  %5.1f%%  %6.2f µs/event%n", e.getKey(), e.getValue(),
                    100 * e.getValue() / http.processCpuSeconds(), e.getValue() * 1e6 / http.eventsInCpuInterval());
        }
        if (http.loadInSeparateProcess()) {
            System.out.printf("load generator (separate process): %.2f s, %.1f%% of the machine's CPU, %.1f%% of both "
                            + "JVMs' CPU; %.2f µs/event%n", http.clientCpuSeconds(), 100 * http.clientCpuSeconds() / offered,
                    100 * clientShareOfProcess(http), http.clientCpuSeconds() * 1e6 / http.eventsInCpuInterval());
            for (Map.Entry<String, Double> e : http.loadProcessCpuSecondsByRole().entrySet()) {
                System.out.printf("  load process, %-38s %6.2f s  %5.1f%%%n", e.getKey(), e.getValue(),
                        100 * e.getValue() / http.clientCpuSeconds());
            }
        } else {
            System.out.printf("client share of the process CPU: %.1f%%; of the machine's CPU: %.1f%%%n",
                    100 * clientShareOfProcess(http), 100 * http.clientCpuSeconds() / offered);
        }
        System.out.printf("%nratio HTTP ingest / parse-only (mean of before and after) = %,.0f / %,.0f = %.3f%n",
                http.eventsPerSecond(), parseRate, ratio);
        System.out.printf("sustained over the whole phase, warm-up included (accepted and aggregated, %,d events over "
                        + "%.1f s of load + catch-up) = %,.0f events/s, ratio %.3f%n", http.totalAcceptedEvents(),
                http.totalAcceptedEvents() / sustained, sustained, sustainedRatio);
    }

    /** The measured interval's aggregation and server CPU: the steady-state figures of the headline. */
    static void printInterval(IngestLoadBenchmark.HttpOutcome outcome, double sustained, double sustainedRatio) {
        SteadyState.AggregatorCounts start = outcome.atStart();
        SteadyState.AggregatorCounts end = outcome.atEnd();
        System.out.printf("sustained in the measured interval (aggregated: %,d events in %.1f s; aggregator backlog %,d "
                        + "events at the start, %,d at the end) = %,.0f events/s, ratio %.3f%n",
                SteadyState.aggregatedBetween(start, end), SteadyState.secondsBetween(start, end), start.queuedEvents(),
                end.queuedEvents(), sustained, sustainedRatio);
        IngestLoadReport.Cpu cpu = outcome.json().cpu();
        System.out.printf("server CPU in the measured interval (%s): %.2f s, %.2f µs an "
                        + "acknowledged event, %.2f µs an aggregated event; %.2f µs an event (the fewer of the two "
                        + "counts)%n", outcome.load().loadInSeparateProcess() ? "the server's JVM, every thread"
                        : "process less the load generator", cpu.serverSeconds(), cpu.serverUsPerAcknowledgedEvent(),
                cpu.serverUsPerAggregatedEvent(), cpu.serverUsPerEvent());
    }

    static IngestLoadReport.Stage stageJson(ThroughputRun.Result r) {
        return new IngestLoadReport.Stage(r.name(), r.threads(), r.events(), round(r.seconds(), 3),
                Math.round(r.eventsPerSecond()), round(r.mbPerSecond(), 1), round(r.cpuMicrosPerEvent(), 3),
                round(r.processCpuSeconds(), 2), round(r.gcSeconds(), 3), round(r.otherProcessesCpuSeconds(), 2),
                r.checksum());
    }

    static IngestLoadReport.HttpIngest httpJson(HttpIngestLoad.Result r, PrometheusSamples metrics,
                                                        SteadyState.AggregatorCounts atStart,
                                                        SteadyState.AggregatorCounts atEnd, double drainSeconds,
                                                        long counted) {
        long lagAtEnd = atEnd.queuedEvents();
        Map<String, Double> roles = new LinkedHashMap<>();
        r.cpuSecondsByRole().forEach((k, v) -> roles.put(k, round(v, 3)));
        double aggregatedRate = SteadyState.sustainedRate(atStart, atEnd);
        double serverSeconds = r.serverCpuSeconds();
        Map<String, Double> loadRoles = new LinkedHashMap<>();
        r.loadProcessCpuSecondsByRole().forEach((k, v) -> loadRoles.put(k, round(v, 3)));
        IngestLoadReport.Cpu cpu = new IngestLoadReport.Cpu(round(r.cpuIntervalSeconds(), 3),
                round(r.processCpuSeconds(), 2), round(r.processCpuSeconds() * 1e6 / r.eventsInCpuInterval(), 2),
                round(r.clientCpuSeconds(), 3), round(clientShareOfProcess(r), 4),
                round(r.otherProcessesCpuSeconds(), 2), r.gcCount(), round(r.gcSeconds(), 3), round(r.jitSeconds(), 3),
                roles, round(serverSeconds, 3),
                round(SteadyState.usPerEvent(serverSeconds, r.cpuIntervalSeconds(), r.eventsPerSecond()), 2),
                round(SteadyState.usPerEvent(serverSeconds, r.cpuIntervalSeconds(), aggregatedRate), 2),
                round(SteadyState.serverUsPerEvent(serverSeconds, r.cpuIntervalSeconds(), r.eventsPerSecond(),
                        aggregatedRate), 2), r.loadInSeparateProcess() ? "separate process" : "in process",
                round(r.clientCpuSeconds() / (r.cpuIntervalSeconds() * Runtime.getRuntime().availableProcessors()), 4),
                loadRoles);
        IngestLoadReport.AggregatorInterval aggregator = new IngestLoadReport.AggregatorInterval(
                new IngestLoadReport.Aggregator(atStart.aggregatedEvents(), atStart.queuedEvents()),
                new IngestLoadReport.Aggregator(atEnd.aggregatedEvents(), atEnd.queuedEvents()),
                round(SteadyState.secondsBetween(atStart, atEnd), 3), SteadyState.aggregatedBetween(atStart, atEnd),
                Math.round(aggregatedRate));
        // whole-run averages (warm-up included), from the server's own /metrics after the load
        double fsyncs = metrics.value("modelwatch_log_fsync_duration_seconds_count");
        double records = metrics.value("modelwatch_log_records_total");
        double requests = metrics.value("modelwatch_ingest_request_duration_seconds_count");
        double flushes = metrics.value("modelwatch_flush_duration_seconds_count");
        IngestLoadReport.ServerMetrics server = new IngestLoadReport.ServerMetrics(fsyncs,
                round(1000 * metrics.value("modelwatch_log_fsync_duration_seconds_sum") / fsyncs, 3),
                round(records / fsyncs, 2),
                round(1000 * metrics.value("modelwatch_ingest_request_duration_seconds_sum") / requests, 2),
                flushes, round(1000 * metrics.value("modelwatch_flush_duration_seconds_sum") / flushes, 1),
                metrics.value("modelwatch_aggregated_events_total"));
        System.out.printf("server's own account (whole run): %.0f fsyncs (mean %.2f ms, %.1f requests each), request "
                        + "mean %.1f ms, %.0f flushes (mean %.0f ms); aggregator %,d events behind when the load stopped, "
                        + "caught up %.1f s later%n", fsyncs, server.fsyncMeanMs(), records / fsyncs,
                server.requestMeanMs(), flushes, server.flushMeanMs(), lagAtEnd, drainSeconds);
        return new IngestLoadReport.HttpIngest(r.clients(), r.seconds(), r.events(), r.requests(),
                Math.round(r.eventsPerSecond()), round(r.bytesPerSecond() / 1e6, 1),
                new IngestLoadReport.Latency(round(r.p50Ms(), 2), round(r.p99Ms(), 2), round(r.maxMs(), 2)),
                r.overloadedAnswers(), r.overloadedInInterval(), r.connectionErrors(), cpu, server, lagAtEnd,
                round(drainSeconds, 2), r.totalAcceptedEvents(), counted, round(r.loadSeconds(), 2),
                Math.round(SteadyState.wholePhaseSustainedRate(r.totalAcceptedEvents(), r.loadSeconds(), drainSeconds)),
                aggregator);
    }

    /**
     * CPU per accepted event by role from the start of the load until the aggregator had caught up:
     * every event was decoded, logged and aggregated in it, so this is the full cost of an event,
     * whatever fell behind during the measured interval.
     */
    static IngestLoadReport.WholeRun wholeRunAccount(ThreadCpuSnapshot start, ThreadCpuSnapshot end,
                                                     HttpIngestLoad.Result load, Double loadProcessCpuSeconds) {
        long events = load.totalAcceptedEvents();
        double process = end.processCpuSecondsSince(start);
        Map<String, Double> roles = new LinkedHashMap<>();
        double other = end.otherProcessesCpuSecondsSince(start);
        if (loadProcessCpuSeconds != null && !Double.isNaN(other)) {
            other = Math.max(0, other - loadProcessCpuSeconds);
        }
        System.out.printf("%nCPU per accepted event over the whole HTTP phase (%.1f s of load and catch-up, %,d events; "
                        + "%d GCs, %.1f s in GC; other processes %.1f s): %.2f µs%s%n", end.secondsSince(start), events,
                end.gcCountSince(start), end.gcSecondsSince(start), other, process * 1e6 / events,
                loadProcessCpuSeconds == null ? "" : " (the server's JVM)");
        // the client threads ended inside the phase: their CPU as they measured it (none here if apart)
        Map<String, Double> ended = loadProcessCpuSeconds != null ? Map.of()
                : Map.of(IngestLoadBenchmark.role(HttpIngestLoad.CLIENT_THREAD), load.loadThreadsCpuSeconds());
        double client = 0;
        for (Map.Entry<String, Double> e : end.secondsByRole(start, IngestLoadBenchmark::role, ended).entrySet()) {
            if (e.getKey().startsWith("client:")) {
                client += e.getValue();
            }
            double us = e.getValue() * 1e6 / events;
            if (us >= 0.01) {
                roles.put(e.getKey(), round(us, 2));
                System.out.printf("  %-52s %6.2f µs/event  %5.1f%%%n", e.getKey(), us, 100 * e.getValue() / process);
            }
        }
        double server = (process - client) * 1e6 / events;
        System.out.printf("  %-52s %6.2f µs/event%n", loadProcessCpuSeconds == null
                ? "server (process less the load generator)" : "server (its JVM, less any client threads in it)", server);
        Double loadProcessUs = null;
        if (loadProcessCpuSeconds != null) {
            loadProcessUs = round(loadProcessCpuSeconds * 1e6 / events, 2);
            System.out.printf("  %-52s %6.2f µs/event%n", "load generator (separate process)", loadProcessUs);
        }
        return new IngestLoadReport.WholeRun(round(end.secondsSince(start), 2), events, round(process * 1e6 / events, 2),
                round(other, 2), end.gcCountSince(start), round(end.gcSecondsSince(start), 2), roles, round(server, 2),
                loadProcessUs);
    }

    /**
     * The load generator's share of the CPU of the JVMs involved: of the one process where it shares
     * the server's, of both where it ran apart.
     */
    static double clientShareOfProcess(HttpIngestLoad.Result r) {
        return r.clientCpuSeconds() / (r.processCpuSeconds() + (r.loadInSeparateProcess() ? r.clientCpuSeconds() : 0));
    }

    static double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return v;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
