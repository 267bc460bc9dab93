package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.config.Limits;
import dev.modelwatch.server.health.HealthProblem;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
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
 * <p>This class is the runtime's face and its loop; the work is done by its parts: {@link LabelJoin}
 * applies events, {@link CommitPipeline} and {@link CommitOutcome} commit them, {@link ModelHolds}
 * keeps the models storage refuses, {@link QuerySnapshots} copies what queries read, {@link Retention}
 * expires old rows, and {@link StartPositions} says where a start resumes the log.
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
    private final ModelRegistry registry;
    private final Limits limits;
    private final AggregatorObserver observer;
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

    private Thread thread;

    public Aggregator(Store store, PendingStore pending, Clock clock, SketchSettings sketches,
                      Map<String, ModelSpec> declared, Duration flushInterval, Duration joinHorizon,
                      Map<Long, Duration> retention, ModelRegistry registry, AggregatorObserver observer) {
        this(store, pending, clock, sketches, declared, flushInterval, joinHorizon, retention, registry, observer,
                1_000_000);
    }

    /**
     * @param idFilterCapacity how many pending ids the in-memory filter of known ids is sized for
     */
    public Aggregator(Store store, PendingStore pending, Clock clock, SketchSettings sketches,
                      Map<String, ModelSpec> declared, Duration flushInterval, Duration joinHorizon,
                      Map<Long, Duration> retention, ModelRegistry registry, AggregatorObserver observer,
                      long idFilterCapacity) {
        this(store, pending, clock, sketches, declared, flushInterval, joinHorizon, retention, registry, observer,
                idFilterCapacity, Limits.DEFAULT, LimitObserver.NONE);
    }

    /**
     * @param limits        what each model may grow to (segments, versions, classes) and how much the
     *                      runtime buffers before it commits
     * @param limitObserver counts what is folded past a limit
     */
    public Aggregator(Store store, PendingStore pending, Clock clock, SketchSettings sketches,
                      Map<String, ModelSpec> declared, Duration flushInterval, Duration joinHorizon,
                      Map<Long, Duration> retention, ModelRegistry registry, AggregatorObserver observer,
                      long idFilterCapacity, Limits limits, LimitObserver limitObserver) {
        this.limits = limits;
        SharedValues strings = new SharedValues();
        this.folding = new LimitFolding(limits, limitObserver, strings, store.admittedValues());
        this.pending = pending;
        this.clock = clock;
        Map<String, ModelSpec> declaredModels = Map.copyOf(declared);
        this.flushInterval = flushInterval;
        this.retention = new Retention(store, pending, joinHorizon, retention);
        this.registry = registry;
        this.observer = observer;
        this.positions = new StartPositions(store.checkpointLsn(), store.modelCheckpoints(), pending.checkpointLsn());
        Retries retries = new Retries(flushInterval, Sleeper.SYSTEM);
        this.holds = new ModelHolds(retries, positions.checkpoints());
        state.committedLsn = positions.replayStart();
        KnownIds knownIds = new KnownIds(idFilterCapacity);
        long t0 = System.nanoTime();
        pending.scanIds(knownIds::add);
        if (knownIds.added() > 0) {
            LOG.info("loaded {} pending ids into the known-id filter in {} ms", knownIds.added(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        state.appliedLsn = state.committedLsn;
        this.join = new LabelJoin(state, pending, knownIds, folding, strings, sketches);
        this.outcome = new CommitOutcome(state, clock, holds, registry, observer, positions.checkpoints());
        this.commits = new CommitPipeline(state, store, pending, clock, holds, folding, join::newProfile, queue, outcome,
                retries);
        this.snapshots = new QuerySnapshots(state, holds);
        this.loop = new AggregationLoop(queue, state, join, commits, this.retention, positions, limits, registry, clock,
                observer, flushInterval, retries);
        loadModels(store.models(), declaredModels);
    }

    /** The stored models, with the declared ones' specs (a stored window is kept), and the declared ones not stored yet. */
    private void loadModels(List<ModelRecord> stored, Map<String, ModelSpec> declared) {
        for (ModelRecord r : stored) {
            ModelSpec spec = declared.getOrDefault(r.name(), r.spec());
            if (spec.windowMs() != r.spec().windowMs()) {
                LOG.warn("model {}: the configured window {} ms differs from the stored {} ms; keeping the stored one",
                        r.name(), spec.windowMs(), r.spec().windowMs());
                spec = new ModelSpec(spec.name(), spec.task(), spec.positiveClass(), r.spec().windowMs(), true);
            }
            ModelState s = new ModelState(spec, r.firstEventMs(), r.lastEventMs(), r.predictionCount(),
                    new TreeSet<>(r.versions()));
            state.models.put(r.name(), s);
            if (!spec.equals(r.spec())) {
                state.active.dirtyModels.add(r.name());
            }
            registry.publish(s.record());
        }
        for (ModelSpec spec : declared.values()) {
            if (!state.models.containsKey(spec.name())) {
                ModelState s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
                state.models.put(spec.name(), s);
                state.active.dirtyModels.add(spec.name());
                registry.publish(s.record());
            }
        }
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

    /** Starts the aggregation thread and the store writer, both made by {@code threads}. */
    public void start(WorkerThreads threads) {
        commits.startWriter(threads);
        pending.expire(retention.horizonStart(clock.millis()));
        loop.running = true;
        state.lastFlushMs = clock.millis();
        retention.started(clock.millis());
        commits.health.lastCommitOkMs = clock.millis();
        thread = threads.newThread("modelwatch-aggregator", loop::run);
        thread.start();
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

    /** Runs {@code f} on the aggregation thread after everything submitted before it. */
    public <T> CompletableFuture<T> ask(Function<Aggregator, T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!loop.running || (thread != null && !thread.isAlive())) {
            result.completeExceptionally(new IllegalStateException("the aggregation runtime is stopped"));
            return result;
        }
        queue.run(() -> {
            try {
                result.complete(f.apply(this));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Commits everything applied so far; completes when it is in storage, or fails when storage
     * refused it (the events then stay in the ingest log and in memory for the next try).
     */
    public CompletableFuture<Void> flushNow() {
        return ask(a -> a.commits.requestFlush()).thenCompose(f -> f);
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
        ModelState s = state.models.get(spec.name());
        if (s == null) {
            s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
            state.models.put(spec.name(), s);
        } else {
            if (s.predictionCount > 0 && s.spec.windowMs() != spec.windowMs()) {
                throw new IllegalStateException("window cannot change once the model has data (it is "
                        + s.spec.windowMs() / 1000 + "s)");
            }
            if (s.predictionCount > 0 && s.spec.task() != spec.task()) {
                throw new IllegalStateException("task cannot change once the model has data: '" + spec.name() + "' is "
                        + s.spec.task().wireName() + " with " + s.predictionCount + " predictions, its metrics and"
                        + " references are of that task; declare a new model name for " + spec.task().wireName());
            }
            s.spec = spec;
        }
        state.active.dirtyModels.add(spec.name());
        ModelRecord r = s.record();
        registry.publish(r);
        registry.markChanged(spec.name(), clock.millis());
        return r;
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
        if (!loop.running) {
            commits.stopping = true;
            commits.stopWriter(false);
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        if (!thread.isAlive() || commits.health.commitLost) {
            LOG.warn("shutdown: the aggregator or the store writer died; the events after log position {} stay in the "
                    + "ingest log", state.committedLsn);
            commits.stopping = true;
            loop.running = false;
            commits.stopWriter(true);
            return;
        }
        try {
            flushNow().get(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("shutdown: the last commit did not complete within the grace period ({}); the events after log "
                    + "position {} stay in the ingest log and are replayed at the next start", e.toString(),
                    state.committedLsn);
        }
        commits.stopping = true;
        loop.running = false;
        try {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("shutdown: the aggregator did not stop within the grace period (a commit still runs); left undone: "
                    + "the events after log position {}, which stay in the ingest log", state.committedLsn);
            thread.interrupt();
        }
        commits.stopWriter(true);
    }
}
