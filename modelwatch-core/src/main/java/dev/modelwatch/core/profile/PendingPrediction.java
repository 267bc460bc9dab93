package dev.modelwatch.core.profile;

import java.util.Map;
import java.util.Objects;

/**
 * The compact row kept for a prediction while a label may still join it: where its metrics go
 * (version, segments, window) and what it predicted. Full features are not kept.
 *
 * @param windowStartMs  start of the prediction's base window
 * @param windowMs       length of that window
 * @param predictedClass predicted class, or null (regression, or derived from scores at join time)
 * @param predictedValue predicted value for regression, NaN otherwise
 * @param score          binary probability of the positive class, or null
 * @param scores         multiclass probabilities, or null
 * @param labeled        whether a label has already been joined (so a replayed label is a no-op)
 */
public record PendingPrediction(String model, String id, String version, long timestampMs,
                                long windowStartMs, long windowMs, Map<String, String> segments,
                                String predictedClass, double predictedValue, Double score,
                                Map<String, Double> scores, boolean labeled) {
    public PendingPrediction {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        segments = segments == null ? Map.of() : segments;
    }

    public PendingPrediction asLabeled() {
        return new PendingPrediction(model, id, version, timestampMs, windowStartMs, windowMs, segments,
                predictedClass, predictedValue, score, scores, true);
    }
}
