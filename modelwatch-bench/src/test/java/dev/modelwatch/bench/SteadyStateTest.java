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
}
