package dev.modelwatch.core.event;

import java.util.Map;
import java.util.Objects;

/** One step or epoch of a training run; metric values may be NaN or infinite (that is the signal). */
public record TrainingEvent(String model, String run, long step, Long epoch, long timestampMs,
                            Map<String, Double> metrics) implements Event {
    public TrainingEvent {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(run, "run");
        metrics = metrics == null ? Map.of() : metrics;
    }
}
