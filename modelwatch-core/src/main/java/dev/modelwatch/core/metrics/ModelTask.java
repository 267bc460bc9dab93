package dev.modelwatch.core.metrics;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a model does, which decides the metrics it gets. */
public enum ModelTask {
    BINARY_CLASSIFICATION("binary_classification"),
    MULTICLASS_CLASSIFICATION("multiclass_classification"),
    REGRESSION("regression");

    private final String wireName;

    ModelTask(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isClassification() {
        return this != REGRESSION;
    }

    /** Parses the API name; the message lists the accepted names. */
    public static ModelTask fromWireName(String name) {
        for (ModelTask t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + name + "'; expected one of "
                + Arrays.stream(values()).map(ModelTask::wireName).collect(Collectors.joining(", ")));
    }
}
