package dev.modelwatch.store;

import java.util.Objects;

/**
 * One incident as stored.
 *
 * @param id        the incident's id
 * @param model     the model it is about
 * @param state     {@code open} or {@code resolved}
 * @param openedMs  when it (first) opened, epoch milliseconds
 * @param updatedMs when it last changed
 * @param document  the encoded incident (the server writes JSON)
 */
public record StoredIncident(String id, String model, String state, long openedMs, long updatedMs, byte[] document) {
    public StoredIncident {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(document, "document");
    }
}
