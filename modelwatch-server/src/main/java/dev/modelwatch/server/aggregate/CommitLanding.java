package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.Store;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a commit that failed may have landed anyway: a connection that dies after the database
 * took the COMMIT but before its answer arrived leaves the outcome unknown to the server, and
 * retrying such a commit with the next one's changes would count its events twice. A commit writes
 * the global checkpoint (its log position) in the same transaction, so the checkpoint storage holds
 * once it answers again tells: at the commit's position, the commit landed.
 *
 * <p>Runs on the store writer, which waits (with the storage pauses of {@link Retries}) until storage
 * answers; the commit stays in flight meanwhile, so aggregation goes on into the next generation
 * and readiness reports the failed commit and, past the stall limit, the commits that stopped.
 */
final class CommitLanding {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    /** What storage said of a commit that failed. */
    enum Outcome {
        /** The commit is in storage: it is done. */
        LANDED,
        /** The commit is not in storage: its changes go back into memory and are committed again. */
        NOT_LANDED,
        /** The runtime stopped before storage answered: the next start reads the checkpoint and replays after it. */
        UNKNOWN
    }

    private final Store store;
    private final Retries retries;
    private final CommitHealth health;
    private final BooleanSupplier stopping;

    CommitLanding(Store store, Retries retries, CommitHealth health, BooleanSupplier stopping) {
        this.store = store;
        this.retries = retries;
        this.health = health;
        this.stopping = stopping;
    }

    /**
     * Whether the commit up to {@code lsn}, which failed with {@code failure}, is in storage; only
     * for a commit that moves the checkpoint past {@code globalBefore}, the checkpoint before it.
     */
    Outcome of(long lsn, long globalBefore, RuntimeException failure) {
        if (lsn <= globalBefore) {
            throw new IllegalArgumentException("a commit that does not move the checkpoint (" + globalBefore + " to "
                    + lsn + ") cannot be told apart from the commits before it");
        }
        boolean[] logged = {false};
        Optional<Long> stored = retries.untilAnswered(store::checkpointLsn, stopping, (e, nextPauseMs) -> {
            health.commitProblem = failure.getMessage();
            if (!logged[0]) {
                LOG.warn("commit to storage failed ({}) and storage does not answer ({}): waiting for it to tell "
                        + "whether the commit up to log position {} landed; the changes stay in memory and the "
                        + "ingest log meanwhile", failure.getMessage(), e.getMessage(), lsn);
                logged[0] = true;
            }
        });
        if (stored.isEmpty()) {
            return Outcome.UNKNOWN;
        }
        if (stored.get() >= lsn) {
            LOG.warn("commit to storage reported a failure ({}) but it landed: storage's checkpoint is at its "
                    + "log position {}; it is not committed again", failure.getMessage(), stored.get());
            return Outcome.LANDED;
        }
        return Outcome.NOT_LANDED;
    }
}
