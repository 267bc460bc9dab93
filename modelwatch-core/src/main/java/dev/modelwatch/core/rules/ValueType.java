package dev.modelwatch.core.rules;

/**
 * The type of a rule expression, known at parse time as in PromQL: a {@link #SCALAR} number, an
 * {@link #INSTANT_VECTOR} (one value per series at the evaluation time) or a {@link #RANGE_VECTOR}
 * (the samples of each series over a time range, {@code name{..}[5m]}, only an argument of range
 * functions).
 */
public enum ValueType {
    SCALAR("scalar"), INSTANT_VECTOR("instant vector"), RANGE_VECTOR("range vector");

    private final String description;

    ValueType(String description) {
        this.description = description;
    }

    /** As error messages write it: "scalar", "instant vector", "range vector". */
    @Override
    public String toString() {
        return description;
    }
}
