package dev.modelwatch.bench;

/**
 * The HTTP phase's figures in steady state — over the measured interval, after the warm-up, as the
 * in-process stages are measured — and over the whole phase (warm-up and catch-up included), which
 * also charges the one-off start-up cost (JIT compilation, the first windows) to its events. Pure
 * functions on given numbers.
 */
final class SteadyState {
    private SteadyState() {
    }

    /**
     * The server's aggregator at one moment.
     *
     * @param nanoTime         when it was read ({@link System#nanoTime()})
     * @param aggregatedEvents events applied to window profiles since the server started
     * @param queuedEvents     events durable (acknowledged or about to be) but not yet aggregated: the backlog
     */
    record AggregatorCounts(long nanoTime, long aggregatedEvents, long queuedEvents) {
    }

    /** Events the aggregator applied between two reads. */
    static long aggregatedBetween(AggregatorCounts start, AggregatorCounts end) {
        return end.aggregatedEvents() - start.aggregatedEvents();
    }

    /** Seconds between two reads. */
    static double secondsBetween(AggregatorCounts start, AggregatorCounts end) {
        return (end.nanoTime() - start.nanoTime()) / 1e9;
    }

    /**
     * Sustained events/s over an interval: the events aggregated in it over its length — what the
     * aggregator kept up with. Where the backlog grew in the interval, this is below the acknowledged
     * rate by the growth; where it shrank, above it by what was drained (the backlog at both ends is
     * reported so that a reader sees which).
     */
    static double sustainedRate(AggregatorCounts start, AggregatorCounts end) {
        double seconds = secondsBetween(start, end);
        return seconds > 0 ? aggregatedBetween(start, end) / seconds : Double.NaN;
    }

    /** Events/s accepted over the whole phase, from the start of the load until the aggregator had caught up. */
    static double wholePhaseSustainedRate(long acceptedEvents, double loadSeconds, double drainSeconds) {
        return acceptedEvents / (loadSeconds + drainSeconds);
    }

    /**
     * The server's CPU µs an event over an interval, per the fewer of the events acknowledged and
     * the events aggregated in it (both as rates over the CPU interval's length): an event has cost
     * the server all its work once it is both acknowledged and aggregated, so an interval that
     * builds a backlog (aggregated fewer) or drains one (acknowledged fewer) is not counted cheaper
     * than its events were.
     */
    static double serverUsPerEvent(double serverCpuSeconds, double cpuIntervalSeconds, double acknowledgedPerSecond,
                                   double aggregatedPerSecond) {
        double events = Math.min(acknowledgedPerSecond, aggregatedPerSecond) * cpuIntervalSeconds;
        return events > 0 ? serverCpuSeconds * 1e6 / events : Double.NaN;
    }

    /** The server's CPU µs per event at {@code eventsPerSecond} over {@code cpuIntervalSeconds}. */
    static double usPerEvent(double cpuSeconds, double cpuIntervalSeconds, double eventsPerSecond) {
        double events = eventsPerSecond * cpuIntervalSeconds;
        return events > 0 ? cpuSeconds * 1e6 / events : Double.NaN;
    }

    /**
     * Whether the steady-state figures meet the target: acknowledged, sustained and by CPU, each as
     * a share of the decode-and-profile ceiling, all at least {@code target} (NaN never meets it).
     */
    static boolean meetsTarget(double acknowledgedOfCeiling, double sustainedOfCeiling, double byCpu, double target) {
        return acknowledgedOfCeiling >= target && sustainedOfCeiling >= target && byCpu >= target;
    }

    /**
     * The parse-only rate the ceiling is scaled by, from its runs before and after the HTTP phase, each
     * given as its events a second and CPU µs an event: the cores its threads kept busy (the mean of the
     * two runs) over the mean CPU an event. The mean of the two rates times the mean CPU an event would
     * overstate those cores by (2 + c1/c2 + c2/c1) / 4 whenever the two CPU figures differ.
     */
    static double parseRate(double ratePerSecond1, double cpuUs1, double ratePerSecond2, double cpuUs2) {
        double cores = (ratePerSecond1 * cpuUs1 + ratePerSecond2 * cpuUs2) / 2;
        return cores / ((cpuUs1 + cpuUs2) / 2);
    }
}
