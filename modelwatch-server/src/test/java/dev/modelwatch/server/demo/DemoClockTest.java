package dev.modelwatch.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.server.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoClockTest {
    @Test
    void demoTimeRunsSpeedTimesFasterFromTheStart() {
        ManualClock wall = new ManualClock(1_800_000_000_000L);
        DemoClock demo = new DemoClock(wall, 60);
        assertThat(demo.originMs()).isEqualTo(1_800_000_000_000L);
        assertThat(demo.millis()).isEqualTo(1_800_000_000_000L);
        wall.advance(Duration.ofMinutes(1));
        assertThat(demo.millis()).isEqualTo(1_800_000_000_000L + Duration.ofHours(1).toMillis());
        assertThat(demo.instant().toEpochMilli()).isEqualTo(demo.millis());
    }

    @Test
    void aSpeedBelowOneIsRefused() {
        ManualClock wall = new ManualClock(0);
        assertThatThrownBy(() -> new DemoClock(wall, 0.5)).hasMessage("speed must be a number >= 1, was 0.5");
        assertThatThrownBy(() -> new DemoClock(wall, Double.NaN)).hasMessage("speed must be a number >= 1, was NaN");
    }
}
