package dev.modelwatch.core.event;

import java.util.Objects;

/**
 * The ground truth for an earlier (or later) prediction with the same {@code (model, id)}.
 *
 * @param label a {@link Double} (regression target or numeric class) or a {@link String} class
 */
public record LabelEvent(String model, String id, long timestampMs, Object label) implements Event {
    public LabelEvent {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        if (!(label instanceof Double) && !(label instanceof String)) {
            throw new IllegalArgumentException("label must be a Double or a String");
        }
    }

    /** The label as a canonical class name ({@code 1.0} and {@code "1"} are the same class). */
    public String labelClass() {
        return label instanceof Double d ? ClassNames.of(d) : (String) label;
    }
}
