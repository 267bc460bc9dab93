package dev.modelwatch.server.ingest;

import dev.modelwatch.core.event.Event;
import java.util.List;

/**
 * The result of decoding one request body: the valid events, and one error per rejected event.
 *
 * @param total the number of events found in the body (accepted + rejected)
 */
public record DecodedBatch(List<Event> events, List<EventError> errors, int total) {

    /** Why the event at {@code index} (from 0, in body order) was rejected. */
    public record EventError(int index, String error) {
    }
}
