package dev.modelwatch.core.training;

/** Where a training run stands. */
public enum RunStatus {
    RUNNING, FINISHED, FAILED, STALLED;

    /** The name in the API ({@code running}, ...). */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
