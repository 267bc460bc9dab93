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
        Retries.Backoff backoff = retries.backoff();
        while (true) {
            try {
                pending.write(w);
                if (health.pendingProblem != null) {
                    LOG.info("pending rows are writable again");
                    health.pendingProblem = null;
                }
                return true;
            } catch (RuntimeException e) {
                health.pendingProblem = e.getMessage();
                if (stopping.getAsBoolean()) {
                    LOG.error("the pending rows up to log position {} could not be written before stopping ({}); "
                            + "the next start rebuilds them from the ingest log", w.lsn(), e.getMessage());
                    return false;
                }
                LOG.warn("writing pending rows failed ({}); retrying in {} ms", e.getMessage(), backoff.nextPauseMs());
                try {
                    backoff.pause();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }
}
