package dev.modelwatch.server.aggregate;

import java.util.HashMap;
import java.util.Map;

/**
 * What the aggregation thread owns and the parts of the runtime share: the generation being
 * filled, the one being committed, each model's bookkeeping and the log positions applied and
 * committed. Only the aggregation thread (or the replay, before it starts) reads and writes it.
 */
final class RuntimeState {
    /** Changes since the last commit was started. */
    Generation active = new Generation();
    /** Changes being committed by the store writer, or null; still consulted by lookups and queries. */
    Generation committing;
    final Map<String, ModelState> models = new HashMap<>();
    /** The log position up to which events have been applied. */
    long appliedLsn;
    /** The log position up to which storage holds every model's changes. */
    long committedLsn;
    /** When the last commit was started by the flush interval or the memory budget. */
    long lastFlushMs;

    /** Whether there is nothing to commit: no commit in flight, no change, and every applied event committed. */
    boolean nothingToCommit() {
        return committing == null && active.isEmpty() && appliedLsn == committedLsn;
    }
}
