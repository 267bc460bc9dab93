package dev.modelwatch.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The overview is refreshed in the background only within the idle limit after someone asked for it. */
class OverviewDemandTest {
    private static final long T0 = 1_800_000_000_000L;

    @Test
    void inUseOnlyWithinTheIdleLimitAfterTheLastAnswer() {
        OverviewDemand demand = new OverviewDemand(Duration.ofMinutes(5));
        assertThat(demand.inUse(T0)).as("never asked for").isFalse();
        demand.asked(T0);
        assertThat(demand.inUse(T0)).isTrue();
        assertThat(demand.inUse(T0 + 300_000)).isTrue();
        assertThat(demand.inUse(T0 + 300_001)).as("idle").isFalse();
        demand.asked(T0 + 600_000);
        assertThat(demand.inUse(T0 + 700_000)).as("asked again").isTrue();
        // an answer computed with an earlier reading of the clock does not move the last use back
        demand.asked(T0 + 1_000);
        assertThat(demand.inUse(T0 + 900_000)).isTrue();
        assertThat(demand.inUse(T0 + 900_001)).isFalse();
    }
}
