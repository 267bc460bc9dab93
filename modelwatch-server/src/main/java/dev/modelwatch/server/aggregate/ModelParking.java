package dev.modelwatch.server.aggregate;

/**
 * Where the events of a model that storage keeps refusing are parked: written durably (the
 * dead-letter directory), so that the ingest log can be truncated past them and an operator can
 * inspect them and replay them once the cause is fixed.
 */
public interface ModelParking {
    /** Parks nothing: a model storage refuses is retried for as long as it takes. */
    ModelParking NONE = new ModelParking() {
        @Override
        public Parked park(String model, long fromLsn, long toLsn, String reason) {
            return null;
        }

        @Override
        public void discard(String id) {
        }
    };

    /**
     * Writes, durably, the acknowledged events of {@code model} whose log records end in
     * {@code (fromLsn, toLsn]}.
     *
     * @param model  the model; {@code ""} for metric events that name none
     * @param reason why storage refused them
     * @return what was parked, or null when nothing can be parked here
     * @throws RuntimeException when they could not be written (they stay held and are retried)
     */
    Parked park(String model, long fromLsn, long toLsn, String reason);

    /** Deletes a parking whose commit failed (the events stay held, and in the ingest log). */
    void discard(String id);

    /**
     * What one parking wrote.
     *
     * @param id          the dead-letter entry, or null when there were no events to park
     * @param events      events parked
     * @param predictions prediction events among them
     */
    record Parked(String id, long events, long predictions) {
    }
}
