package dev.modelwatch.store;

import java.util.List;

/**
 * The stored incidents (table {@code incidents}, migration V13), one row per incident: its model,
 * state and times as columns, the whole incident (alerts, timeline, diagnosis) as one encoded document.
 *
 * <pre>{@code
 * store.incidents().save(new StoredIncident("inc-1", "fraud", "open", opened, clock.millis(), json));
 * List<StoredIncident> all = store.incidents().all();
 * }</pre>
 */
public interface IncidentStore {
    /** Writes the incident, replacing the stored one of the same id. */
    void save(StoredIncident incident);

    /** Every stored incident, ordered by when it opened, then id. */
    List<StoredIncident> all();

    /** Deletes the resolved incidents last changed before {@code beforeMs}; the number deleted. */
    int deleteResolvedBefore(long beforeMs);
}
