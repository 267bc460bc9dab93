package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.ModelCheckpoint;
import java.time.Clock;
import java.util.Map;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes note of a finished commit on the aggregation thread: what storage refused goes back into
 * memory (held or parked models, or all of it in an outage), the log may be truncated up to what it
 * took, and the flush waiters learn the outcome.
 */
final class CommitOutcome {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    private final RuntimeState state;
    private final Clock clock;
    final ModelHolds holds;
    private final ModelRegistry registry;
    private final Aggregator.AggregatorObserver observer;
    final CommitHealth health = new CommitHealth();
    final FlushWaiters waiters = new FlushWaiters();
    /** The per-model checkpoints storage holds now (holds, and models committed ahead). */
    Map<String, ModelCheckpoint> modelCheckpoints;
    /** Whether the last commit failed (the next one waits before trying again when memory is short). */
    boolean lastCommitFailed;
    /** Whether a flush waits for the commit after the one in flight. */
    boolean flushRequested;
    /** Commits finished (committed or failed). */
    volatile long commitsFinished;
    private LongConsumer onCommitted = lsn -> { };

    CommitOutcome(RuntimeSettings settings, RuntimeState state, ModelHolds holds,
                  Map<String, ModelCheckpoint> checkpointsAtStart) {
        this.state = state;
        this.clock = settings.clock();
        this.holds = holds;
        this.registry = settings.registry();
        this.observer = settings.observer();
        this.modelCheckpoints = checkpointsAtStart;
    }

    /** Called after each commit with the log position from which the log must be kept. */
    void onCommitted(LongConsumer consumer) {
        this.onCommitted = consumer;
    }

    /**
     * Takes note of the finished commit of {@code g}.
     *
     * @return whether a flush asked for the next commit to start at once
     */
    boolean finished(Generation g, IsolatingCommit.Result r) {
        state.committing = null;
        commitsFinished++;
        modelCheckpoints = Map.copyOf(r.checkpoints());
        if (observer != null) {
            observer.onFlush(g.committedProfiles, g.commitNanos, r.failure() == null);
        }
        if (r.outage()) {
            RuntimeException failure = r.failure();
            health.commitProblem = failure.getMessage();
            LOG.warn("commit to storage failed; keeping its changes in memory and the ingest log: {}", failure.getMessage());
            state.active.absorbOlder(g);
            flushRequested = false;
            waiters.resolve(-1, failure);
            return false;
        }
        long now = clock.millis();
        if (!r.failed().isEmpty()) {
            state.active.absorbOlder(g.extract(r.failed().keySet()));
        }
        r.failed().forEach((m, why) -> {
            holds.refused(m, why, now);
            if (observer != null) {
                observer.onModelCommitFailure(m);
            }
        });
        r.committed().forEach(holds::committed);
        r.parked().forEach(this::parked);
        holds.publish();
        if (!r.globalCommitted()) {
            health.commitProblem = r.failure().getMessage();
            waiters.resolve(-1, r.failure());
            flushRequested = false;
            return false;
        }
        state.committedLsn = g.lsn;
        health.lastCommitOkMs = now;
        if (health.commitProblem != null) {
            LOG.info("commits to storage succeed again");
            health.commitProblem = null;
        }
        long keepFrom = state.committedLsn;
        for (ModelCheckpoint c : modelCheckpoints.values()) {
            if (c.held()) {
                keepFrom = Math.min(keepFrom, c.lsn());
            }
        }
        onCommitted.accept(keepFrom);
        waiters.resolve(g.number, null);
        if (flushRequested) {
            flushRequested = false;
            return true;
        }
        return false;
    }

    private void parked(String m, ModelParking.Parked p) {
        holds.parked(m);
        ModelState s = state.models.get(m);
        if (s != null) {
            // the stored record follows with the model's next change; replaying the entry counts them again
            s.predictionCount = Math.max(0, s.predictionCount - p.predictions());
            registry.publish(s.record());
            registry.markChanged(m, clock.millis());
        }
        if (p.id() == null) {
            LOG.error("model {}: storage refused its changes for over {} s; they held no events to park (a model "
                    + "record only) and are dropped", IsolatingCommit.display(m), holds.parkAfter().toSeconds());
        } else {
            LOG.error("model {}: storage refused its writes for over {} s; parked its {} events in dead-letter "
                    + "entry {} (list them with `modelwatch dead-letter list`, replay them once the cause is fixed)",
                    IsolatingCommit.display(m), holds.parkAfter().toSeconds(), p.events(), p.id());
        }
        if (observer != null) {
            observer.onModelParked(m, p.events());
        }
    }
}
