package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.PendingStore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes, on the store writer, the pending rows of a generation whose profiles the store has just
 * committed: the commit cannot be undone, so it retries until the write succeeds or the runtime stops.
 */
final class PendingRowWriter {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    private final PendingStore pending;
    private final CommitHealth health;
    private final Retries retries;
    private final BooleanSupplier stopping;

    PendingRowWriter(PendingStore pending, CommitHealth health, Retries retries, BooleanSupplier stopping) {
        this.pending = pending;
        this.health = health;
        this.retries = retries;
        this.stopping = stopping;
    }

    /**
     * Writes {@code w}; false only when the runtime stops first (or the writer is interrupted).
     * Until then the generation stays in flight and the log is not truncated.
     */
    boolean write(PendingStore.PendingWrite w) {
        String[] lastProblem = new String[1];
        boolean written = retries.untilAnswered(() -> {
            pending.write(w);
            return Boolean.TRUE;
        }, stopping, (e, nextPauseMs) -> {
            health.pendingProblem = e.getMessage();
            lastProblem[0] = e.getMessage();
            if (!stopping.getAsBoolean()) {
                LOG.warn("writing pending rows failed ({}); retrying in {} ms", e.getMessage(), nextPauseMs);
            }
        }).isPresent();
        if (!written) {
            LOG.error("the pending rows up to log position {} could not be written before stopping ({}); "
                    + "the next start rebuilds them from the ingest log", w.lsn(), lastProblem[0]);
            return false;
        }
        if (health.pendingProblem != null) {
            LOG.info("pending rows are writable again");
            health.pendingProblem = null;
        }
        return true;
    }
}
