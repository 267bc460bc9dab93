package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.health.HealthProblem;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregation runtime: the single writer of all window profiles. Durable event batches arrive
 * in log order; each prediction is added to the profiles of its model, version and segments in
 * its event-time window; each label joins its prediction (in either order) and adds the outcome
 * to the prediction's window. Every {@code flushInterval} the changes since the last flush —
 * profile deltas (merged into the base, hour and day windows), pending predictions, early labels
 * — are committed to the {@link Store} in one transaction together with the log position they
 * reflect; the log before that position can then be deleted.
 *
 * <p>Queries and model declarations run as tasks on the same thread, between batches, so they
 * see every event acknowledged before them (read-your-writes) without locks.
 *
 * <p>This class is the runtime's face; the work is done by its parts: {@link AggregationLoop} runs
 * the thread, {@link LabelJoin} applies events (their profile updates spread over threads by
 * {@link ProfileUpdates}), {@link CommitPipeline} and {@link CommitOutcome}
 * commit them, {@link ModelHolds} keeps the models storage refuses, {@link ModelBook} the models'
 * records, {@link QuerySnapshots} copies what queries read, {@link Retention} expires old rows,
 * {@link Retries} paces every retry, and {@link StartPositions} says where a start resumes the log.
 * Time, pauses and threads come from {@link AggregatorBuilder} and {@link #start(WorkerThreads)}.
 */
public final class Aggregator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
    static final long HOUR = 3_600_000L;
    static final long DAY = 86_400_000L;

    /**
     * An uncommitted profile change copied for a query. Storage holds it once its checkpoint has
     * reached {@code commitLsn} (see {@link dev.modelwatch.store.ProfileRead#includesCommitAt}).
     */
    public record Delta(ProfileKey key, WindowProfile profile, long commitLsn) {
    }

    /**
     * A model whose writes storage refuses, as readiness reports it.
     *
     * @param model   the model ({@code ""}: metric events without one)
     * @param sinceMs when storage began to refuse them
     * @param error   the last refusal
     */
    public record HoldView(String model, long sinceMs, String error) {
    }

    /** Receives the runtime's own measurements. */
    public interface AggregatorObserver {
        void onApplied(int events, int duplicates);

        void onFlush(int profiles, long nanos, boolean ok);

        /** Storage refused one model's changes (the others were committed). */
        default void onModelCommitFailure(String model) {
        }

        /** A model's events were parked in the dead-letter directory. */
        default void onModelParked(String model, long events) {
        }
    }

    private final PendingStore pending;
    private final Clock clock;
    private final Duration flushInterval;
    private final WorkQueue queue = new WorkQueue();
    private final RuntimeState state = new RuntimeState();
    private final StartPositions positions;
    private final ModelHolds holds;
    private final LimitFolding folding;
    private final LabelJoin join;
    private final CommitOutcome outcome;
    private final CommitPipeline commits;
    private final QuerySnapshots snapshots;
    private final Retention retention;
    private final AggregationLoop loop;
    private final ModelBook models;
    private final ProfileUpdates updates;
    private final WorkerThreads replayThreads;

    /** A builder of a runtime over {@code store} and {@code pending}; see {@link AggregatorBuilder}. */
    public static AggregatorBuilder builder(Store store, PendingStore pending) {
        return new AggregatorBuilder(store, pending);
    }

    Aggregator(AggregatorBuilder b) {
        Store store = b.store;
        this.pending = b.pending;
        this.clock = b.clock;
        LongSupplier nanoTime = b.nanoTime;
        this.flushInterval = b.flushInterval;
        SharedValues strings = new SharedValues();
        this.folding = new LimitFolding(b.limits, b.limitObserver, strings, store.admittedValues());
        this.retention = new Retention(store, pending, b.joinHorizon, b.retention);
        Retries retries = new Retries(flushInterval, b.sleeper);
        RuntimeSettings settings = new RuntimeSettings(store, pending, clock, nanoTime, flushInterval, b.limits,
                b.registry, b.observer, retries, b.replayThreads);
        this.positions = new StartPositions(store.checkpointLsn(), store.modelCheckpoints(), pending.checkpointLsn());
        this.holds = new ModelHolds(retries, positions.checkpoints());
        state.committedLsn = positions.replayStart();
        KnownIds knownIds = new KnownIds(b.idFilterCapacity);
        long t0 = nanoTime.getAsLong();
        pending.scanIds(knownIds::add);
        if (knownIds.added() > 0) {
            LOG.info("loaded {} pending ids into the known-id filter in {} ms", knownIds.added(),
                    (nanoTime.getAsLong() - t0) / 1_000_000);
        }
        state.appliedLsn = state.committedLsn;
        this.updates = new ProfileUpdates(state, b.profileThreads, b.profileChunkUpdates);
        this.replayThreads = b.replayThreads;
        this.join = new LabelJoin(state, pending, knownIds, folding, strings, b.sketches, updates);
        this.outcome = new CommitOutcome(settings, state, holds, positions.checkpoints());
        this.commits = new CommitPipeline(settings, state, folding, join::newProfile, queue, outcome);
        this.snapshots = new QuerySnapshots(state, holds);
        this.loop = new AggregationLoop(settings, queue, state, join, updates, commits, retention, positions);
        this.models = new ModelBook(state, b.registry, clock);
        models.load(store.models(), b.declared);
    }

    /** The log position from which events must be replayed into this runtime. */
    public long replayFrom() {
        return positions.replayStart();
    }

    /** Called after each commit with the committed log position (the log may delete what lies before). */
    public void onCommitted(LongConsumer consumer) {
        outcome.onCommitted(consumer);
    }

    /**
     * Applies the replayed events of a log record at {@code [lsnStart, lsnEnd)} synchronously; only
     * before {@link #start()}. Events before the checkpoint (part of a record, when a commit was
     * taken part-way through it) are skipped; events the store already holds (a crash came between
     * its commit and the pending rows' write) rebuild the pending rows only. Replay commits as the
     * running server did when the buffered state reaches its budget, so it never needs more memory.
     */
    public void replay(List<Event> events, long lsnStart, long lsnEnd) {
        if (!updates.started()) {
            // the start replaces them with the running runtime's helpers
            updates.start(replayThreads, "modelwatch-replay-profile-helper");
        }
        try {
            loop.apply(List.of(new WorkQueue.EventBatch(events, lsnStart, lsnEnd, 0)), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying the ingest log", e);
        }
    }

    /** {@link #replay(List, long, long)} of a record whose start is not known (it is applied whole). */
    public void replay(List<Event> events, long lsnEnd) {
        replay(events, -1, lsnEnd);
    }

    /**
     * How storage failures of single models are handled: retried with backoff
     * ({@link dev.modelwatch.server.alert.notify.RetryPolicy}, from the flush interval up to a
     * minute, full jitter), and parked through {@code parking} once a model's writes have failed for
     * {@code parkAfter}. Called before {@link #start}.
     */
    public void isolateFailingModels(Duration parkAfter, ModelParking parking, RandomGenerator random) {
        holds.configure(parkAfter, parking, random);
    }

    public void start() {
        start(WorkerThreads.PLAIN);
    }

    /**
     * Starts the aggregation thread, the store writer and the profile helpers (see
     * {@link AggregatorBuilder#profileThreads}), all made by {@code threads}.
     */
    public void start(WorkerThreads threads) {
        commits.startWriter(threads);
        pending.expire(retention.horizonStart(clock.millis()));
        state.lastFlushMs = clock.millis();
        retention.started(clock.millis());
        commits.health.lastCommitOkMs = clock.millis();
        loop.start(threads);
    }

    /**
     * What keeps the runtime from committing: storage refusing commits, pending rows that cannot
     * be written, or no commit for longer than {@code stallAfter} while there is work to commit.
     */
    public List<HealthProblem> healthProblems(Duration stallAfter) {
        return commits.health.problems(clock.millis(), stallAfter, flushInterval);
    }

    /** Hands the events of a durable log record at {@code [lsnStart, lsnEnd)} to the runtime; called by the log writer, in log order. */
    public void submit(List<Event> events, long lsnStart, long lsnEnd) {
        queue.submit(events, lsnStart, lsnEnd);
    }

    /** {@link #submit(List, long, long)} of a record whose start is not known (it is committed whole). */
    public void submit(List<Event> events, long lsnEnd) {
        submit(events, -1, lsnEnd);
    }

    /** Events durable but not yet aggregated (the ingest backpressure signal). */
    public long queuedEvents() {
        return queue.queuedEvents();
    }

    /** The estimated heap of the events durable but not yet aggregated (limits.max_queued_event_bytes). */
    public long queuedEventBytes() {
        return queue.queuedBytes();
    }

    /** The events durable but not yet aggregated, to wait on until they are few enough. */
    public Backlog backlog() {
        return queue.backlog();
    }

    /** Runs {@code f} on the aggregation thread after everything submitted before it. */
    public <T> CompletableFuture<T> ask(Function<Aggregator, T> f) {
        return loop.ask(() -> f.apply(this));
    }

    /**
     * Commits everything applied so far; completes when it is in storage, or fails when storage
     * refused it (the events then stay in the ingest log and in memory for the next try).
     */
    public CompletableFuture<Void> flushNow() {
        return loop.flushNow();
    }

    /** The model an event belongs to; {@code ""} for a metric event that names none. */
    public static String modelOf(Event e) {
        if (e instanceof PredictionEvent p) {
            return p.model();
        }
        if (e instanceof LabelEvent l) {
            return l.model();
        }
        if (e instanceof TrainingEvent t) {
            return t.model();
        }
        return ModelParts.modelOf((MetricEvent) e);
    }

    /** Whether a commit is in flight (for tests in this package, through {@link #ask}). */
    boolean commitInFlight() {
        return state.committing != null;
    }

    /** Commits started because the buffered state reached its budget (for tests and metrics). */
    public long budgetCommits() {
        return commits.budgetCommits;
    }

    /**
     * The feature names each tracked model has been admitted, for the ingest check of
     * {@code limits.max_features_per_model}; call before {@link #start()} (after the replay).
     */
    public Map<String, Set<String>> admittedFeatures() {
        return folding.admittedFeatures(state.models.keySet());
    }

    /**
     * The segment keys a model's events were counted under, each with its values (as admitted under
     * {@code limits}); call through {@link #ask} like every read of the runtime's state.
     */
    public Map<String, Set<String>> admittedSegments(String model) {
        return folding.admittedSegments(model);
    }

    /** The models whose writes storage refuses now. */
    public List<HoldView> heldModels() {
        return holds.views();
    }

    // ---- tasks run through ask() ----

    /**
     * Copies of the uncommitted profiles of one model and segment, for a query: those of the commit
     * in flight, if any, and those changed since. Each is tagged with the checkpoint from which
     * storage holds it, so a query that reads storage after this never counts a change twice nor
     * misses one, however many commits land in between.
     */
    public List<Delta> snapshot(String model, String version, String segment, long fromMs, long toMs) {
        return snapshots.snapshot(model, version, segment, fromMs, toMs);
    }

    /**
     * Declares or re-declares a model. A model's window cannot change once it has data (its
     * stored windows would no longer line up).
     */
    public ModelRecord declare(ModelSpec spec) {
        return models.declare(spec);
    }

    /** Commits what was applied, waits for it (at most 90 s), and stops. */
    @Override
    public void close() {
        close(Duration.ofSeconds(90));
    }

    /**
     * Commits what was applied and stops, all within {@code grace}: what is not committed by then
     * is left undone, logged, and replayed from the ingest log at the next start.
     */
    public void close(Duration grace) {
        loop.stop(grace);
    }
}
