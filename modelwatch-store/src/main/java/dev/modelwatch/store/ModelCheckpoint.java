package dev.modelwatch.store;

/**
 * One model's exception to the global checkpoint (see {@link Flush#modelCheckpoints()}).
 *
 * @param model       the model; {@code ""} for metric events that name no model
 * @param lsn         the log position up to which the model's rows reflect its events
 * @param heldSinceMs when storage began to refuse the model's writes (a hold, {@code lsn} behind the
 *                    global checkpoint); 0 when the model was committed alone, ahead of it
 * @param lastError   why storage refused them (a hold), or null
 */
public record ModelCheckpoint(String model, long lsn, long heldSinceMs, String lastError) {
    /** Longest error kept. */
    private static final int MAX_ERROR = 1_000;

    public ModelCheckpoint {
        if (lastError != null) {
            lastError = lastError.replace('\0', ' ');
            if (lastError.length() > MAX_ERROR) {
                lastError = lastError.substring(0, MAX_ERROR - 3) + "...";
            }
        }
    }

    public boolean held() {
        return heldSinceMs > 0;
    }
}
