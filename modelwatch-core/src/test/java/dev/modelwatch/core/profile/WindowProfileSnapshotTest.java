package dev.modelwatch.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.event.PredictionEvent;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

class WindowProfileSnapshotTest {
    private static PredictionEvent withLatency(int i, double latencyMs) {
        return new PredictionEvent("m", "p-" + i, "v1", 1_700_000_000_000L + i, Map.of("x", (double) i), 1.0,
                null, null, latencyMs, null, Map.of());
    }

    @Test
    void latencyIsASnapshotThatLaterPredictionsDoNotChange() {
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 10; i++) {
            p.addPrediction(withLatency(i, 10 + i));
        }
        KllDoublesSketch before = p.latency();

        for (int i = 10; i < 20; i++) {
            p.addPrediction(withLatency(i, 1_000 + i));
        }
        WindowProfile other = new WindowProfile(SketchSettings.DEFAULT);
        other.addPrediction(withLatency(99, 5_000));
        p.merge(other);

        assertThat(before.getN()).isEqualTo(10);
        assertThat(before.getMaxItem()).isEqualTo(19.0);
        assertThat(p.latency().getN()).isEqualTo(21);
        assertThat(p.latency().getMaxItem()).isEqualTo(5_000.0);
    }

    @Test
    void latencySnapshotCannotBeUpdated() {
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 1_000; i++) {
            p.addPrediction(withLatency(i, i));
        }
        KllDoublesSketch snapshot = p.latency();

        assertThatThrownBy(() -> snapshot.update(1.0)).isInstanceOf(RuntimeException.class);
        assertThat(p.latency().getN()).isEqualTo(1_000);
    }
}
