package dev.modelwatch.server.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One parking: the events of one model that storage kept refusing, as kept in
 * {@code data_dir/dead-letter/ID.json} (this record) beside {@code ID.ndjson} (the events).
 *
 * @param id          the entry's name: parking time and model
 * @param model       the model; {@code ""} for metric events that name none
 * @param parkedAt    when (RFC 3339)
 * @param reason      storage's last refusal
 * @param fromLsn     the events' log records end after this position of the ingest log ...
 * @param toLsn       ... and at or before this one
 * @param events      how many events
 * @param predictions how many of them are predictions
 * @param replayedAt  when they were sent to ingest again, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetterEntry(String id, String model, String parkedAt, String reason, long fromLsn, long toLsn,
                              long events, long predictions, String replayedAt) {
    DeadLetterEntry replayed(String at) {
        return new DeadLetterEntry(id, model, parkedAt, reason, fromLsn, toLsn, events, predictions, at);
    }
}
