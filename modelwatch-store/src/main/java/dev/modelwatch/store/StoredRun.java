package dev.modelwatch.store;

import java.util.Objects;

/**
 * One training run as stored: its encoded state and the ingest-log position its events run up to.
 *
 * @param state     the encoded run (the server writes a JSON {@code RunState})
 * @param logLsn    the log position after the last event included in {@code state}
 * @param updatedMs when it was written
 */
public record StoredRun(String model, String run, byte[] state, long logLsn, long updatedMs) {
    public StoredRun {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(state, "state");
    }
}
