package dev.modelwatch.core.event;

/**
 * One accepted, validated event. Instances are valid by construction: ingest validates raw input
 * once, at the edge, and only then builds these records.
 */
public sealed interface Event permits PredictionEvent, LabelEvent, TrainingEvent, MetricEvent {

    /** The model the event belongs to; {@code null} only for a {@link MetricEvent} without a model. */
    String model();

    /** Event time in epoch milliseconds. */
    long timestampMs();
}
