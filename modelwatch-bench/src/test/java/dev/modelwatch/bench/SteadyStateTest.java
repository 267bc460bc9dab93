package dev.modelwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The HTTP phase's steady-state figures, from given counts. */
class SteadyStateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void sustainedInTheIntervalIsWhatWasAggregatedInItOverItsLength() {
        SteadyState.AggregatorCounts start = new SteadyState.AggregatorCounts(60 * S, 8_000_000, 5_000);
        SteadyState.AggregatorCounts end = new SteadyState.AggregatorCounts(80 * S, 10_800_000, 5_000);
        assertThat(SteadyState.aggregatedBetween(start, end)).isEqualTo(2_800_000);
        assertThat(SteadyState.secondsBetween(start, end)).isEqualTo(20.0);
        assertThat(SteadyState.sustainedRate(start, end)).isEqualTo(140_000.0);
    }

    @Test
    void aBacklogThatGrowsInTheIntervalMakesSustainedLowerThanAcknowledged() {
        // 150,000 events/s acknowledged for 20 s; the backlog grew by 400,000 of them
        double acknowledged = 150_000;
        SteadyState.AggregatorCounts start = new SteadyState.AggregatorCounts(60 * S, 8_000_000, 100_000);
        SteadyState.AggregatorCounts end = new SteadyState.AggregatorCounts(80 * S, 10_600_000, 500_000);
        double sustained = SteadyState.sustainedRate(start, end);
        assertThat(sustained).isEqualTo(130_000.0).isLessThan(acknowledged);
        // not what the whole phase says: every event accepted over load and catch-up
        assertThat(SteadyState.wholePhaseSustainedRate(12_000_000, 81, 9)).isEqualTo(12_000_000 / 90.0);
    }

    @Test
    void serverCpuIsChargedToTheFewerOfTheAcknowledgedAndAggregatedEvents() {
        // 26 CPU-seconds of the server over 20 s
        assertThat(SteadyState.serverUsPerEvent(26, 20, 150_000, 130_000)).isCloseTo(10.0, within(1e-9));
        assertThat(SteadyState.serverUsPerEvent(26, 20, 130_000, 150_000)).isCloseTo(10.0, within(1e-9));
        assertThat(SteadyState.usPerEvent(26, 20, 100_000)).isCloseTo(13.0, within(1e-9));
        assertThat(SteadyState.serverUsPerEvent(26, 20, 150_000, 0)).isNaN();
    }

    @Test
    void theTargetNeedsAllThreeSteadyStateFigures() {
        assertThat(SteadyState.meetsTarget(0.5, 0.5, 0.5, 0.5)).isTrue();
        assertThat(SteadyState.meetsTarget(0.6, 0.49, 0.7, 0.5)).isFalse();
        assertThat(SteadyState.meetsTarget(0.6, 0.7, 0.49, 0.5)).isFalse();
        assertThat(SteadyState.meetsTarget(0.49, 0.7, 0.7, 0.5)).isFalse();
        assertThat(SteadyState.meetsTarget(0.6, Double.NaN, 0.7, 0.5)).isFalse();
    }

    @Test
    void theParseOnlyRateIsTheCoresItsRunsKeptBusyOverTheirMeanCpuAnEvent() {
        // two runs that kept 1.9 cores busy, one at 3 µs an event (633,333 events/s), one at 1.5 (1,266,667)
        double slow = 1.9e6 / 3.0;
        double fast = 1.9e6 / 1.5;
        double rate = SteadyState.parseRate(slow, 3.0, fast, 1.5);
        assertThat(rate).isCloseTo(1.9e6 / 2.25, within(1e-6));
        // the ceiling's ratios are (HTTP rate / parse rate) / (parse CPU / decode-and-profile CPU), so
        // the parse rate times its CPU an event must be the cores the runs used, not (2 + 2 + 0.5) / 4 of them
        assertThat(rate * 2.25).isCloseTo(1.9e6, within(1e-6));
        assertThat((slow + fast) / 2 * 2.25).isCloseTo(1.9e6 * 1.125, within(1e-3));
        // equal runs: the plain mean
        assertThat(SteadyState.parseRate(1e6, 1.9, 1e6, 1.9)).isCloseTo(1e6, within(1e-6));
    }
}
