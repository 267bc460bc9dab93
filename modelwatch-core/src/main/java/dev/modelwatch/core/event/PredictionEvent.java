package dev.modelwatch.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * One inference made by a model in production.
 *
 * @param id          the inference id used to join a later label; {@code null} when none was sent
 * @param features    feature name to value: a {@link Double} (NaN and infinities allowed), a
 *                    {@link String}, or {@code null} for a missing value (booleans arrive as strings)
 * @param prediction  the output: a {@link Double} for regression or a {@link String} class label; may be null
 * @param score       probability of the positive class (binary), or null
 * @param scores      probability per class (multiclass), or null
 * @param latencyMs   inference latency, or NaN when not sent
 * @param error       the inference error message, or null
 * @param segments    slice name to value, never null
 */
public record PredictionEvent(
        String model,
        String id,
        String version,
        long timestampMs,
        Map<String, Object> features,
        Object prediction,
        Double score,
        Map<String, Double> scores,
        double latencyMs,
        String error,
        Map<String, String> segments) implements Event {

    public static final String DEFAULT_VERSION = "default";

    public PredictionEvent {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        features = features == null ? Map.of() : features;
        segments = segments == null ? Map.of() : segments;
        if (prediction != null && !(prediction instanceof Double) && !(prediction instanceof String)) {
            throw new IllegalArgumentException("prediction must be a Double or a String");
        }
    }

    /** The predicted class as a canonical string, or null when the output is not a class. */
    public String predictedClass() {
        if (prediction instanceof String s) {
            return s;
        }
        if (prediction instanceof Double d) {
            return ClassNames.of(d);
        }
        return null;
    }
}
