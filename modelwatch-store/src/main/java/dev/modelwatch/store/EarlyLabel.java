package dev.modelwatch.store;

import java.util.Objects;

/**
 * A label that arrived before its prediction, kept until the prediction arrives or the join
 * horizon passes.
 *
 * @param label a {@link Double} or a {@link String}
 */
public record EarlyLabel(String model, String id, Object label, long timestampMs) {
    public EarlyLabel {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
    }
}
