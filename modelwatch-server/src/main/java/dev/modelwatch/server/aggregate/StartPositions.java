package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.ModelCheckpoint;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a start resumes the ingest log: the position from which events are replayed, and, for
 * each replayed event, whether both stores, or only the pending rows, still need it.
 */
final class StartPositions {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    /** The store's checkpoint at start: replayed events up to it only rebuild pending rows. */
    private final long profilesCommittedAtStart;
    /** The per-model checkpoints at start: they override {@link #profilesCommittedAtStart} for their models. */
    private final Map<String, ModelCheckpoint> checkpointsAtStart;
    /** Where both stores' checkpoints were at start: replay skips the events before it. */
    private final long replayStart;

    StartPositions(long storeCheckpoint, Map<String, ModelCheckpoint> modelCheckpoints, long pendingLsn) {
        this.profilesCommittedAtStart = storeCheckpoint;
        this.checkpointsAtStart = Map.copyOf(modelCheckpoints);
        if (pendingLsn > profilesCommittedAtStart) {
            LOG.warn("the pending rows reflect log position {} but the store only {}: the store was replaced or "
                    + "restored; predictions replayed from the log that the pending rows already hold count as "
                    + "replays", pendingLsn, profilesCommittedAtStart);
        }
        long replayFrom = Math.min(profilesCommittedAtStart, pendingLsn);
        for (ModelCheckpoint c : checkpointsAtStart.values()) {
            replayFrom = Math.min(replayFrom, c.lsn());
        }
        this.replayStart = replayFrom;
    }

    /** The log position from which events must be replayed. */
    long replayStart() {
        return replayStart;
    }

    /** The per-model checkpoints storage held at start. */
    Map<String, ModelCheckpoint> checkpoints() {
        return checkpointsAtStart;
    }

    /** Whether storage holds the profiles of a replayed event of {@code model} (its pending rows need rebuilding only). */
    boolean storedAtStart(String model, long lsnEnd) {
        ModelCheckpoint c = checkpointsAtStart.get(model);
        return lsnEnd <= (c != null ? c.lsn() : profilesCommittedAtStart);
    }

    /** How many of a replayed record's events both stores held at start (a replay skips them). */
    int alreadyCommitted(WorkQueue.EventBatch b) {
        if (b.lsnStart() < 0) {
            return b.lsnEnd() <= replayStart ? b.events().size() : 0;
        }
        int n = 0;
        while (n < b.events().size() && b.positionAfter(n + 1) <= replayStart) {
            n++;
        }
        return n;
    }
}
