package dev.modelwatch.core.event;

import java.util.Map;
import java.util.Objects;

/** Any other measurement (resources, model-server counters); {@code model} may be null. */
public record MetricEvent(String name, double value, String model, Map<String, String> labels,
                          long timestampMs) implements Event {
    public MetricEvent {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : labels;
    }
}
