package dev.modelwatch.core.metrics;

import java.util.Objects;

/**
 * How a model's events are interpreted: its task, its positive class (binary) and its base window.
 *
 * @param declared whether a user declared it; otherwise it was inferred from the first prediction
 */
public record ModelSpec(String name, ModelTask task, String positiveClass, long windowMs, boolean declared) {
    public static final String DEFAULT_POSITIVE_CLASS = "1";
    public static final long DEFAULT_WINDOW_MS = 60_000;

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        positiveClass = positiveClass == null ? DEFAULT_POSITIVE_CLASS : positiveClass;
        if (windowMs <= 0 || 86_400_000L % windowMs != 0 || (windowMs < 3_600_000L && 3_600_000L % windowMs != 0)) {
            throw new IllegalArgumentException("window must divide one hour (or be a divisor of one day of whole hours), was "
                    + windowMs + " ms");
        }
    }

    /**
     * Infers a spec from a first prediction: class probabilities mean multiclass, one score means
     * binary, a string output a classifier, a numeric output regression.
     */
    public static ModelSpec infer(String name, boolean hasScores, boolean hasScore, Object prediction) {
        ModelTask task;
        if (hasScores) {
            task = ModelTask.MULTICLASS_CLASSIFICATION;
        } else if (hasScore) {
            task = ModelTask.BINARY_CLASSIFICATION;
        } else if (prediction instanceof String) {
            task = ModelTask.MULTICLASS_CLASSIFICATION;
        } else {
            task = ModelTask.REGRESSION;
        }
        return new ModelSpec(name, task, DEFAULT_POSITIVE_CLASS, DEFAULT_WINDOW_MS, false);
    }
}
