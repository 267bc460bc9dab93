package dev.modelwatch.server.incident;

import dev.modelwatch.server.json.Json;
import dev.modelwatch.store.IncidentStore;
import dev.modelwatch.store.StoredIncident;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents in memory and their storage: every change of an incident goes through here. One lock
 * ({@link #lock}) guards the incidents and the indexes the other parts of {@link Incidents} keep.
 */
final class IncidentBook {
    private static final Logger LOG = LoggerFactory.getLogger(Incidents.class);

    /** Guards {@link #byId} and every index kept beside it. */
    final Object lock = new Object();
    private final IncidentStore store;
    // guarded by lock
    private final Map<String, Incident> byId = new LinkedHashMap<>();
    private long lastId;

    /** The incidents of {@code store}, loaded (an unreadable one is logged and left out). */
    IncidentBook(IncidentStore store) {
        this.store = store;
        for (StoredIncident s : store.all()) {
            Incident i;
            try {
                i = Json.read(s.document(), Incident.class, "incident " + s.id());
            } catch (IllegalArgumentException e) {
                LOG.error("incident {} cannot be read and is left out: {}", s.id(), e.getMessage());
                continue;
            }
            byId.put(i.id(), i);
            try {
                lastId = Math.max(lastId, Long.parseLong(i.id()));
            } catch (NumberFormatException e) {
                // not one of ours: it keeps its id, ours continue after the numeric ones
            }
        }
    }

    /** The incidents (holding the lock): to iterate, or to remove those forgotten. */
    Map<String, Incident> byId() {
        return byId;
    }

    /** The id of a new incident (holding the lock). */
    String nextId() {
        return Long.toString(++lastId);
    }

    /** The incidents, newest first, filtered by model and state (null: any). */
    List<Incident> list(String model, IncidentState state) {
        synchronized (lock) {
            List<Incident> out = new ArrayList<>();
            for (Incident i : byId.values()) {
                if ((model == null || model.equals(i.model())) && (state == null || state == i.state())) {
                    out.add(i);
                }
            }
            out.sort(Comparator.comparingLong(Incident::openedAtMs).thenComparing(Incident::id).reversed());
            return out;
        }
    }

    /** The incident {@code id}, or empty. */
    Optional<Incident> get(String id) {
        synchronized (lock) {
            return Optional.ofNullable(byId.get(id));
        }
    }

    /** Stores incident {@code id} (holding the lock); a failure is logged, the next change stores it again. */
    void save(String id) {
        Incident i = byId.get(id);
        try {
            store.save(new StoredIncident(i.id(), i.model(), i.state().wireName(), i.openedAtMs(), i.updatedAtMs(),
                    Json.bytes(i)));
        } catch (RuntimeException e) {
            LOG.error("incident {} could not be stored (kept in memory; stored at its next change): {}", id,
                    e.getMessage());
        }
    }

    /** Changes incident {@code id} by {@code change} and stores it; empty when there is no such incident. */
    Optional<Incident> update(String id, Function<Incident, Incident> change) {
        synchronized (lock) {
            Incident i = byId.get(id);
            if (i == null) {
                return Optional.empty();
            }
            Incident next = change.apply(i);
            byId.put(id, next);
            save(id);
            return Optional.of(next);
        }
    }

    /** Deletes the stored incidents resolved before {@code beforeMs}; the count deleted. */
    int deleteResolvedBefore(long beforeMs) {
        return store.deleteResolvedBefore(beforeMs);
    }
}
