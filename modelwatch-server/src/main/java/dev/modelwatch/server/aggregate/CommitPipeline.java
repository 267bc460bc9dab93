package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.store.ModelCheckpoint;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the generations, one at a time: hands the changes since the last commit to the store
 * writer (profiles, then pending rows) while aggregation goes on into a new generation, and takes
 * note of each outcome on the aggregation thread ({@link CommitOutcome}).
 */
final class CommitPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
    private static final long[] ROLL_UPS = {Aggregator.HOUR, Aggregator.DAY};

    private final RuntimeState state;
    private final Store store;
    private final PendingStore pending;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final WorkerThreads replayThreads;
    private final ModelHolds holds;
    private final LimitFolding folding;
    private final Function<ProfileKey, WindowProfile> newProfile;
    private final WorkQueue queue;
    private final CommitOutcome outcome;
    private final Retries retries;
    private final PendingRowWriter pendingRows;
    private final CommitLanding landing;
    final CommitHealth health;
    private final FlushWaiters waiters;
    /** The store writer: commits, pending-row writes and expiry, one at a time. */
    private ExecutorService writer;
    /** Commits started (commits finished: see {@link CommitOutcome}). */
    volatile long commitsStarted;
    /** Commits started because the buffered state reached limits.max_buffered_profile_bytes. */
    volatile long budgetCommits;
    /** Set when the runtime stops: waits and retries give up. */
    volatile boolean stopping;

    CommitPipeline(RuntimeSettings settings, RuntimeState state, LimitFolding folding,
                   Function<ProfileKey, WindowProfile> newProfile, WorkQueue queue, CommitOutcome outcome) {
        this.state = state;
        this.store = settings.store();
        this.pending = settings.pending();
        this.clock = settings.clock();
        this.nanoTime = settings.nanoTime();
        this.replayThreads = settings.replayThreads();
        this.holds = outcome.holds;
        this.folding = folding;
        this.newProfile = newProfile;
        this.queue = queue;
        this.outcome = outcome;
        this.health = outcome.health;
        this.waiters = outcome.waiters;
        this.retries = settings.retries();
        this.pendingRows = new PendingRowWriter(pending, health, retries, () -> stopping);
        this.landing = new CommitLanding(store, retries, health, () -> stopping);
    }

    /** Commits everything applied so far: at once, or after the commit in flight. */
    CompletableFuture<Void> requestFlush() {
        if (state.nothingToCommit()) {
            health.lastCommitOkMs = clock.millis();
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = waiters.add(commitsStarted + 1);
        if (state.committing == null) {
            startCommit();
        } else {
            outcome.flushRequested = true;
        }
        return done;
    }

    /**
     * Hands the changes since the last commit to the store writer; aggregation goes on meanwhile
     * into a new generation. At most one commit is in flight.
     */
    void startCommit() {
        if (state.committing != null) {
            return;
        }
        if (state.active.isEmpty() && state.appliedLsn == state.committedLsn) {
            health.lastCommitOkMs = clock.millis();
            waiters.resolve(Long.MAX_VALUE, null); // nothing in memory: everything is committed
            return;
        }
        long now = clock.millis();
        Generation g = state.active;
        // held models not yet due for their next try stay in memory, out of this commit
        Set<String> deferred = holds.notDue(now);
        Generation kept = deferred.isEmpty() ? new Generation() : g.extract(deferred);
        if (g.isEmpty() && state.appliedLsn == state.committedLsn) {
            state.active = kept;
            waiters.resolve(Long.MAX_VALUE, null);
            return;
        }
        g.lsn = state.appliedLsn;
        g.number = commitsStarted + 1;
        state.active = kept;
        state.committing = g;
        // the rows and the models' records as they are now (aggregation goes on, and changes the records);
        // the profile changes, which nothing changes until this commit has finished, are copied and rolled
        // up on the store writer (see deltaParts)
        ModelParts parts = rest(g, new ModelParts());
        long lsn = g.lsn;
        long globalBefore = state.committedLsn;
        Map<String, ModelCheckpoint> checkpoints = outcome.modelCheckpoints;
        Duration park = holds.parkAfter();
        ModelParking parker = holds.parking();
        for (String m : g.admittedModels) {
            parts.part(m).admitted.add(folding.snapshot(m));
        }
        commitsStarted++;
        if (writer == null) {
            // a replay before start() commits when its buffered state reaches the budget
            writer = replayThreads.singleThreadExecutor("modelwatch-replay-store-writer");
        }
        writer.execute(() -> {
            IsolatingCommit.Result r;
            int profiles;
            long t0;
            try {
                deltaParts(g, parts);
                profiles = parts.profiles();
                t0 = nanoTime.getAsLong();
                r = IsolatingCommit.run(store, parts, lsn, globalBefore, checkpoints, clock.millis(), park, parker,
                        landing);
            } catch (Error e) {
                health.commitLost = true; // this commit never finishes: closing must not wait for it
                throw e;
            }
            try {
                if (!r.committed().isEmpty()) {
                    PendingStore.PendingWrite w = parts.pendingWrite(r.committed(),
                            r.globalCommitted() ? lsn : Math.min(lsn, pending.checkpointLsn()));
                    if (!pendingRows.write(w)) {
                        return; // stopping: the log keeps these events, and the next start rebuilds the pending rows
                    }
                } else if (r.globalCommitted() && !pendingRows.write(parts.pendingWrite(Set.of(), lsn))) {
                    return;
                }
            } catch (Error e) {
                health.commitLost = true;
                throw e;
            }
            g.committedProfiles = profiles;
            g.commitNanos = nanoTime.getAsLong() - t0;
            g.commitResult = r;
            g.written.complete(null);
            queue.run(() -> finishCommit(g));
        });
    }

    /**
     * Adds a generation's profile changes to its parts, per model, each also merged into its hour and day
     * windows. The store only reads these profiles, so one that would be built from exactly the same changes
     * as another is that other: an hour or day window of a single change is that change's copy, and a day
     * whose changes are all one hour's is that hour's profile (the same merges in the same order from the
     * same empty profile give the same profile, to the bit).
     *
     * <p>Runs on the store writer, off the aggregation thread: from the start of the commit until the
     * aggregation thread has taken note of its end, nothing changes the committing generation's profiles
     * (new events go into the active one; a failed commit's changes are put back under it only after the
     * end), and the aggregation thread only reads them too (copies for queries, {@link QuerySnapshots}).
     * The copies made here belong to the commit alone (a held model's parts outlive it).
     */
    private void deltaParts(Generation g, ModelParts parts) {
        // the changes each hour and day window takes, in the generation's order
        Map<ProfileKey, List<ProfileKey>> sources = new LinkedHashMap<>();
        for (ProfileKey base : g.deltas.keySet()) {
            for (long res : ROLL_UPS) {
                if (res > base.resolutionMs()) {
                    sources.computeIfAbsent(base.atResolution(res), k -> new ArrayList<>(2)).add(base);
                }
            }
        }
        if (sources.keySet().stream().anyMatch(g.deltas::containsKey)) {
            // a model's window changed to an hour or a day within the generation: merged as they come
            mergeAsTheyCome(g, parts);
            return;
        }
        Map<List<ProfileKey>, WindowProfile> built = new HashMap<>();
        for (Map.Entry<ProfileKey, WindowProfile> d : g.deltas.entrySet()) {
            WindowProfile copy = d.getValue().copy();
            parts.part(d.getKey().model()).deltas.put(d.getKey(), copy);
            built.put(List.of(d.getKey()), copy);
        }
        // hours before days (ROLL_UPS ascending, each base key adds its hour first), so that a day finds its hour
        for (Map.Entry<ProfileKey, List<ProfileKey>> r : sources.entrySet()) {
            WindowProfile fresh = newProfile.apply(r.getKey());
            WindowProfile same = built.get(r.getValue());
            WindowProfile rolled;
            if (same != null && same.settings().equals(fresh.settings())) {
                rolled = same;
            } else {
                rolled = fresh;
                for (ProfileKey base : r.getValue()) {
                    rolled.merge(g.deltas.get(base));
                }
                built.putIfAbsent(r.getValue(), rolled);
            }
            parts.part(r.getKey().model()).deltas.put(r.getKey(), rolled);
        }
    }

    /** Each change copied, and merged into its hour and day windows in the generation's order. */
    private void mergeAsTheyCome(Generation g, ModelParts parts) {
        for (Map.Entry<ProfileKey, WindowProfile> d : g.deltas.entrySet()) {
            ProfileKey base = d.getKey();
            Map<ProfileKey, WindowProfile> expanded = parts.part(base.model()).deltas;
            expanded.put(base, d.getValue().copy());
            for (long res : ROLL_UPS) {
                if (res <= base.resolutionMs()) {
                    continue;
                }
                WindowProfile rolled = expanded.computeIfAbsent(base.atResolution(res), newProfile);
                rolled.merge(d.getValue());
            }
        }
    }

    /** The generation's rows, records and metrics, per model. */
    private ModelParts rest(Generation g, ModelParts parts) {
        g.predictions.forEach((m, rows) -> parts.part(m).predictions = rows);
        g.earlyLabels.forEach((m, rows) -> parts.part(m).earlyLabels.addAll(rows.values()));
        g.joined.forEach((m, ids) -> parts.part(m).joined.addAll(ids));
        for (String m : g.dirtyModels) {
            parts.part(m).records.add(state.models.get(m).record());
        }
        g.metrics.forEach(x -> parts.part(ModelParts.modelOf(x)).metrics.add(x));
        return parts;
    }

    /** Takes note of the finished commit of {@code g}, once (the aggregation thread may have waited for it). */
    void finishCommit(Generation g) {
        if (g.finished || state.committing != g) {
            return;
        }
        g.finished = true;
        IsolatingCommit.Result r = g.commitResult;
        outcome.lastCommitFailed = !r.globalCommitted();
        // the admitted sets of models storage did not take are written again with their next commit
        g.admittedModels.stream().filter(m -> !r.committed().contains(m)).forEach(folding::markChanged);
        if (outcome.finished(g, r)) {
            startCommit();
        }
        g.release();
    }

    /**
     * The buffered state is over {@code limit} bytes: commits it now, after the commit in flight,
     * if any, has finished (waiting for it holds new events in the queue, so ingest slows down and,
     * at {@code ingest.max_queued_events}, answers 429). While storage refuses commits it takes no
     * more events: it retries the generation it holds, with a growing pause, until a commit
     * succeeds, so an outage does not let memory grow.
     *
     * @return whether a commit finished meanwhile (rows it held are now only in the pending store)
     */
    boolean commitForMemory(long limit) throws InterruptedException {
        boolean finishedOne = false;
        Retries.Backoff backoff = retries.backoff();
        while (!stopping) {
            if (state.committing != null) {
                if (!awaitCommitInFlight()) {
                    return finishedOne;
                }
                finishedOne = true;
                continue;
            }
            if (state.active.buffered.total() <= limit) {
                return finishedOne;
            }
            if (outcome.lastCommitFailed) {
                backoff.pause();
            }
            budgetCommits++;
            startCommit();
            state.lastFlushMs = clock.millis();
            if (!outcome.lastCommitFailed) {
                return finishedOne; // events go on into a new generation while this one commits
            }
        }
        return finishedOne;
    }

    /**
     * Starts the store writer of the running runtime, made by {@code threads}, once the replay's
     * last commit, if any, has finished on the writer it started.
     */
    void startWriter(WorkerThreads threads) {
        if (writer != null) {
            // the replay committed as it went: its last commit finishes before the running store writer takes over
            if (state.committing != null) {
                try {
                    awaitCommitInFlight();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while finishing the replay's last commit", e);
                }
            }
            writer.shutdown();
        }
        writer = threads.singleThreadExecutor("modelwatch-store-writer");
    }

    /** Runs {@code work} on the store writer, after the commits handed to it before. */
    void onWriter(Runnable work) {
        writer.execute(work);
    }

    /** Stops the store writer: {@code now} interrupts what it runs, else it finishes what it was handed. */
    void stopWriter(boolean now) {
        if (writer == null) {
            return;
        }
        if (now) {
            writer.shutdownNow();
        } else {
            writer.shutdown();
        }
    }

    /** Waits for the store writer to finish the commit in flight and takes note of it; false when stopping first. */
    boolean awaitCommitInFlight() throws InterruptedException {
        Generation g = state.committing;
        while (true) {
            try {
                g.written.get(200, TimeUnit.MILLISECONDS);
                break;
            } catch (java.util.concurrent.TimeoutException e) {
                if (stopping) {
                    return false;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                break; // not completed exceptionally: the outcome is in the generation
            }
        }
        finishCommit(g);
        return true;
    }
}
