package dev.modelwatch.server.ingest;

/**
 * Counts what the server did past a limit ({@link dev.modelwatch.server.ingest.Limits}): events
 * counted under {@code __other__} and events rejected.
 */
public interface LimitObserver {
    /** Does nothing. */
    LimitObserver NONE = new LimitObserver() {
        @Override
        public void onFolded(String limit, String model) {
        }

        @Override
        public void onRejected(String limit, String model) {
        }
    };

    /**
     * A value of an event was counted under {@code __other__}: its version, a segment key or value,
     * its predicted or true class, or (once per event) class probabilities.
     *
     * @param limit {@code versions}, {@code segment_keys}, {@code segment_values} or {@code classes}
     */
    void onFolded(String limit, String model);

    /**
     * An event was rejected at ingest.
     *
     * @param limit {@code models} or {@code features}
     * @param model the model, or null for a rejected new model (its name is not a label: it is unbounded)
     */
    void onRejected(String limit, String model);
}
