package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.store.AdmittedValues;
import dev.modelwatch.store.EarlyLabel;
import dev.modelwatch.store.Flush;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
import dev.modelwatch.server.health.HealthProblem;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.store.ModelCheckpoint;
import java.util.random.RandomGenerator;
import dev.modelwatch.server.health.WorkerThreads;
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
 */
public final class Aggregator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
    static final long HOUR = 3_600_000L;
    static final long DAY = 86_400_000L;
    private static final int MAX_EVENTS_PER_APPLY = 50_000;
    private static final long EXPIRE_EVERY_MS = 600_000L;
    /** The estimated heap of a buffered training or metric event. */
    private static final long EVENT_ROW_BYTES = 512;

    private sealed interface Item permits EventBatch, Task {
    }

    /** The acknowledged events of one log record, which lies at {@code [lsnStart, lsnEnd)}. */
    private record EventBatch(List<Event> events, long lsnStart, long lsnEnd, long bytes) implements Item {
        /**
         * The log position after the first {@code applied} events: the record's start before any,
         * its end after all, and in between a position inside the record (a record is longer in
         * bytes than it has events), from which a replay skips those events. A record whose start
         * is not known is only ever taken whole: its position is its end.
         */
        long positionAfter(int applied) {
            return applied >= events.size() || lsnStart < 0 ? lsnEnd : lsnStart + applied;
        }
    }

    private record Task(Runnable run) implements Item {
    }

    /**
     * An uncommitted profile change copied for a query. Storage holds it once its checkpoint has
     * reached {@code commitLsn} (see {@link dev.modelwatch.store.ProfileRead#includesCommitAt}).
     */
    public record Delta(ProfileKey key, WindowProfile profile, long commitLsn) {
    }

    /** Everything changed since a commit began: what the next commit writes. */
    private static final class Generation {
        final Map<ProfileKey, WindowProfile> deltas = new HashMap<>();
        final Map<String, Map<String, PendingPrediction>> predictions = new HashMap<>();
        final Map<String, Map<String, EarlyLabel>> earlyLabels = new HashMap<>();
        final Map<String, Set<String>> joined = new HashMap<>();
        final List<TrainingEvent> training = new ArrayList<>();
        final List<MetricEvent> metrics = new ArrayList<>();
        final Set<String> dirtyModels = new HashSet<>();
        /** Models whose admitted values grew (see {@link ModelAdmissions}). */
        final Set<String> admittedModels = new HashSet<>();
        /** The estimated heap of what this generation holds. */
        final BufferedBytes buffered = new BufferedBytes();
        long lsn;
        /** The number of the commit that writes this generation. */
        long number;
        /** Completed by the store writer when the commit of this generation has finished (either way). */
        final CompletableFuture<Void> written = new CompletableFuture<>();
        /** Set by the store writer before {@link #written} completes. */
        int committedProfiles;
        long commitNanos;
        IsolatingCommit.Result commitResult;
        /** Whether the aggregation thread has taken note of the finished commit. */
        boolean finished;

        boolean isEmpty() {
            return deltas.isEmpty() && predictions.isEmpty() && earlyLabels.isEmpty() && joined.isEmpty()
                    && training.isEmpty() && metrics.isEmpty() && dirtyModels.isEmpty() && admittedModels.isEmpty();
        }

        /** Moves the changes of {@code ms} out of this generation into a new one (same number and position). */
        Generation extract(Set<String> ms) {
            Generation out = new Generation();
            out.lsn = lsn;
            out.number = number;
            deltas.entrySet().removeIf(e -> {
                if (ms.contains(e.getKey().model())) {
                    out.deltas.put(e.getKey(), e.getValue());
                    return true;
                }
                return false;
            });
            for (String m : ms) {
                moveEntry(predictions, out.predictions, m);
                moveEntry(earlyLabels, out.earlyLabels, m);
                moveEntry(joined, out.joined, m);
                if (dirtyModels.remove(m)) {
                    out.dirtyModels.add(m);
                }
                if (admittedModels.remove(m)) {
                    out.admittedModels.add(m);
                }
            }
            training.removeIf(t -> ms.contains(t.model()) && out.training.add(t));
            metrics.removeIf(x -> ms.contains(ModelParts.modelOf(x)) && out.metrics.add(x));
            return out;
        }

        private static <V> void moveEntry(Map<String, V> from, Map<String, V> to, String key) {
            V v = from.remove(key);
            if (v != null) {
                to.put(key, v);
            }
        }

        /**
         * Lets go of this generation's changes once its commit has been taken note of: the task that
         * reports the commit may still be queued behind a long apply (which waited for the commit
         * itself), and must not keep the generation's profiles alive until then.
         */
        void release() {
            deltas.clear();
            predictions.clear();
            earlyLabels.clear();
            joined.clear();
            training.clear();
            metrics.clear();
            buffered.clear();
        }

        /** Puts an older generation's changes back under this one's (this one's are newer and win). */
        void absorbOlder(Generation older) {
            older.deltas.forEach((k, v) -> deltas.merge(k, v, (mine, old) -> {
                old.merge(mine);
                return old;
            }));
            older.predictions.forEach((m, ids) -> {
                Map<String, PendingPrediction> mine = predictions.computeIfAbsent(m, x -> new HashMap<>());
                ids.forEach(mine::putIfAbsent);
            });
            older.earlyLabels.forEach((m, ids) -> {
                Map<String, EarlyLabel> mine = earlyLabels.computeIfAbsent(m, x -> new HashMap<>());
                Set<String> nowJoined = joined.getOrDefault(m, Set.of());
                ids.forEach((id, l) -> {
                    if (!nowJoined.contains(id)) {
                        mine.putIfAbsent(id, l);
                    }
                });
            });
            older.joined.forEach((m, ids) -> joined.computeIfAbsent(m, x -> new HashSet<>()).addAll(ids));
            training.addAll(0, older.training);
            metrics.addAll(0, older.metrics);
            dirtyModels.addAll(older.dirtyModels);
            admittedModels.addAll(older.admittedModels);
            buffered.recount(deltas, older.buffered.rowBytes());
        }
    }

    private final Store store;
    private final PendingStore pending;
    private final Clock clock;
    private final SketchSettings sketches;
    private final SketchSettings segmentSketches;
    private final Map<String, ModelSpec> declared;
    private final Duration flushInterval;
    private final Duration joinHorizon;
    private final Map<Long, Duration> retention;
    private final ModelRegistry registry;
    private final Limits limits;
    private final LimitObserver limitObserver;
    private final Map<String, AdmittedValues> storedAdmissions;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    /** The events durable but not yet aggregated (the ingest backpressure signal). */
    private final Backlog backlog = new Backlog();
    private final AggregatorObserver observer;

    // ---- owned by the aggregation thread ----
    /** Changes since the last commit was started. */
    private Generation active = new Generation();
    /** Changes being committed by the store writer, or null; still consulted by lookups and queries. */
    private Generation committing;
    private final Map<String, ModelState> models = new HashMap<>();
    private final Map<String, ModelAdmissions> admissions = new HashMap<>();
    /** Whether the last commit failed (the next one waits before trying again when memory is short). */
    private boolean lastCommitFailed;
    private final KnownIds knownIds;
    private final SharedValues strings = new SharedValues();
    private Map<String, Map<String, PendingPrediction>> storedPredictions = Map.of();
    private Map<String, Map<String, EarlyLabel>> storedEarlyLabels = Map.of();
    private long appliedLsn;
    private long committedLsn;
    /** Where both stores' checkpoints were at start: replay skips the events before it. */
    private final long replayStart;
    /** The store's checkpoint at start: replayed events up to it only rebuild pending rows. */
    private final long profilesCommittedAtStart;
    /** The per-model checkpoints at start: they override {@link #profilesCommittedAtStart} for their models. */
    private final Map<String, ModelCheckpoint> checkpointsAtStart;
    /** The per-model checkpoints storage holds now (holds, and models committed ahead). */
    private Map<String, ModelCheckpoint> modelCheckpoints;
    /** Models whose writes storage refuses: their changes stay in memory, retried with backoff. */
    private final Map<String, Hold> holds = new HashMap<>();
    /** {@link #holds} as readiness reads it, from any thread. */
    private volatile List<HoldView> holdViews = List.of();
    private RetryPolicy holdRetry;
    private Duration parkAfter = Duration.ofDays(36_500);
    private ModelParking parking = ModelParking.NONE;
    private RandomGenerator random = new java.util.SplittableRandom(1);
    /** Set while a replayed batch is applied to the pending rows only. */
    private boolean pendingOnly;
    private long lastFlushMs;
    private long lastExpireMs;
    private boolean flushRequested;
    private final List<Map.Entry<Long, CompletableFuture<Void>>> flushWaiters = new ArrayList<>();
    private LongConsumer onCommitted = lsn -> { };
    /** The store writer: commits, pending-row writes and expiry, one at a time. */
    private ExecutorService writer;

    /** Commits started and commits finished (committed or failed). */
    private volatile long commitsStarted;
    private volatile long commitsFinished;
    /** Commits started because the buffered state reached limits.max_buffered_profile_bytes. */
    private volatile long budgetCommits;
    private volatile boolean running;
    private volatile boolean stopping;
    private Thread thread;
    /** When a commit last succeeded, or found nothing to commit (for readiness). */
    private volatile long lastCommitOkMs;
    /** Why the last commit failed, while commits fail; null once one succeeds. */
    private volatile String commitProblem;
    /** Set when the store writer died in a commit, which then never finishes. */
    private volatile boolean commitLost;
    /** Why pending rows cannot be written, while they cannot; null once a write succeeds. */
    private volatile String pendingProblem;

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
        this.limitObserver = limitObserver;
        this.storedAdmissions = new HashMap<>(store.admittedValues());
        this.store = store;
        this.pending = pending;
        this.clock = clock;
        this.sketches = sketches;
        this.segmentSketches = sketches.forSegments();
        this.declared = Map.copyOf(declared);
        this.flushInterval = flushInterval;
        this.joinHorizon = joinHorizon;
        this.retention = Map.copyOf(retention);
        this.registry = registry;
        this.observer = observer;
        this.profilesCommittedAtStart = store.checkpointLsn();
        this.checkpointsAtStart = Map.copyOf(store.modelCheckpoints());
        this.modelCheckpoints = checkpointsAtStart;
        this.holdRetry = new RetryPolicy(Math.max(1, flushInterval.toMillis()), 2.0,
                Math.max(60_000, flushInterval.toMillis()), Integer.MAX_VALUE, Long.MAX_VALUE);
        long pendingLsn = pending.checkpointLsn();
        if (pendingLsn > profilesCommittedAtStart) {
            LOG.warn("the pending rows reflect log position {} but the store only {}: the store was replaced or "
                    + "restored; predictions replayed from the log that the pending rows already hold count as "
                    + "replays", pendingLsn, profilesCommittedAtStart);
        }
        long replayFrom = Math.min(profilesCommittedAtStart, pendingLsn);
        for (ModelCheckpoint c : checkpointsAtStart.values()) {
            replayFrom = Math.min(replayFrom, c.lsn());
            if (c.held()) {
                holds.put(c.model(), new Hold(c.heldSinceMs(), c.lastError()));
                LOG.warn("model {}: storage refused its writes before this start ({}); its events after log position {} "
                        + "are replayed and retried", IsolatingCommit.display(c.model()), c.lastError(), c.lsn());
            }
        }
        this.committedLsn = replayFrom;
        publishHolds();
        this.replayStart = replayFrom;
        this.knownIds = new KnownIds(idFilterCapacity);
        long t0 = System.nanoTime();
        pending.scanIds(knownIds::add);
        if (knownIds.added() > 0) {
            LOG.info("loaded {} pending ids into the known-id filter in {} ms", knownIds.added(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        this.appliedLsn = committedLsn;
        for (ModelRecord r : store.models()) {
            ModelSpec spec = declared.getOrDefault(r.name(), r.spec());
            if (spec.windowMs() != r.spec().windowMs()) {
                LOG.warn("model {}: the configured window {} ms differs from the stored {} ms; keeping the stored one",
                        r.name(), spec.windowMs(), r.spec().windowMs());
                spec = new ModelSpec(spec.name(), spec.task(), spec.positiveClass(), r.spec().windowMs(), true);
            }
            ModelState s = new ModelState(spec, r.firstEventMs(), r.lastEventMs(), r.predictionCount(),
                    new TreeSet<>(r.versions()));
            models.put(r.name(), s);
            if (!spec.equals(r.spec())) {
                active.dirtyModels.add(r.name());
            }
            registry.publish(s.record());
        }
        for (ModelSpec spec : declared.values()) {
            if (!models.containsKey(spec.name())) {
                ModelState s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
                models.put(spec.name(), s);
                active.dirtyModels.add(spec.name());
                registry.publish(s.record());
            }
        }
    }

    /** The log position from which events must be replayed into this runtime. */
    public long replayFrom() {
        return replayStart;
    }

    /** Called after each commit with the committed log position (the log may delete what lies before). */
    public void onCommitted(LongConsumer consumer) {
        this.onCommitted = consumer;
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
            apply(List.of(new EventBatch(events, lsnStart, lsnEnd, 0)), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying the ingest log", e);
        }
    }

    /** {@link #replay(List, long, long)} of a record whose start is not known (it is applied whole). */
    public void replay(List<Event> events, long lsnEnd) {
        replay(events, -1, lsnEnd);
    }

    /** Whether storage holds the profiles of a replayed event of {@code model} (its pending rows need rebuilding only). */
    private boolean storedAtStart(String model, long lsnEnd) {
        ModelCheckpoint c = checkpointsAtStart.get(model);
        return lsnEnd <= (c != null ? c.lsn() : profilesCommittedAtStart);
    }

    /**
     * How storage failures of single models are handled: retried with backoff ({@link RetryPolicy},
     * from the flush interval up to a minute, full jitter), and parked through {@code parking}
     * once a model's writes have failed for {@code parkAfter}. Called before {@link #start}.
     */
    public void isolateFailingModels(Duration parkAfter, ModelParking parking, RandomGenerator random) {
        this.parkAfter = parkAfter;
        this.parking = parking;
        this.random = random;
    }

    public void start() {
        start(WorkerThreads.PLAIN);
    }

    /** Starts the aggregation thread and the store writer, both made by {@code threads}. */
    public void start(WorkerThreads threads) {
        if (writer != null) {
            // the replay committed as it went: its last commit finishes before the running store writer takes over
            if (committing != null) {
                try {
                    awaitCommitInFlight();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while finishing the replay's last commit", e);
                }
            }
            writer.shutdown();
        }
        pending.expire(clock.millis() - joinHorizon.toMillis());
        writer = Executors.newSingleThreadExecutor(threads.factory("modelwatch-store-writer"));
        running = true;
        lastFlushMs = clock.millis();
        lastExpireMs = clock.millis();
        lastCommitOkMs = clock.millis();
        thread = threads.newThread("modelwatch-aggregator", this::loop);
        thread.start();
    }

    /**
     * What keeps the runtime from committing: storage refusing commits, pending rows that cannot
     * be written, or no commit for longer than {@code stallAfter} while there is work to commit.
     */
    public List<HealthProblem> healthProblems(Duration stallAfter) {
        List<HealthProblem> out = new ArrayList<>();
        long age = clock.millis() - lastCommitOkMs;
        String commit = commitProblem;
        String pend = pendingProblem;
        if (pend != null) {
            out.add(HealthProblem.blocking("pending-row store", "not writable: " + pend));
        }
        if (age > stallAfter.toMillis()) {
            out.add(HealthProblem.blocking("storage", "no commit for " + age / 1000 + " s (flush interval "
                    + flushInterval.toMillis() + " ms)" + (commit != null ? ": " + commit : "")
                    + "; the events stay in the ingest log"));
        } else if (commit != null) {
            out.add(HealthProblem.degraded("storage", "the last commit failed (retried): " + commit));
        }
        return out;
    }

    /** Hands the events of a durable log record at {@code [lsnStart, lsnEnd)} to the runtime; called by the log writer, in log order. */
    public void submit(List<Event> events, long lsnStart, long lsnEnd) {
        long bytes = BufferedBytes.eventBytes(events);
        backlog.add(events.size(), bytes);
        queue.add(new EventBatch(events, lsnStart, lsnEnd, bytes));
    }

    /** {@link #submit(List, long, long)} of a record whose start is not known (it is committed whole). */
    public void submit(List<Event> events, long lsnEnd) {
        submit(events, -1, lsnEnd);
    }

    /** Events durable but not yet aggregated (the ingest backpressure signal). */
    public long queuedEvents() {
        return backlog.events();
    }

    /** The estimated heap of the events durable but not yet aggregated (limits.max_queued_event_bytes). */
    public long queuedEventBytes() {
        return backlog.bytes();
    }

    /** The events durable but not yet aggregated, to wait on until they are few enough. */
    public Backlog backlog() {
        return backlog;
    }

    /** Runs {@code f} on the aggregation thread after everything submitted before it. */
    public <T> CompletableFuture<T> ask(Function<Aggregator, T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!running || (thread != null && !thread.isAlive())) {
            result.completeExceptionally(new IllegalStateException("the aggregation runtime is stopped"));
            return result;
        }
        queue.add(new Task(() -> {
            try {
                result.complete(f.apply(this));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }));
        return result;
    }

    /**
     * Commits everything applied so far; completes when it is in storage, or fails when storage
     * refused it (the events then stay in the ingest log and in memory for the next try).
     */
    public CompletableFuture<Void> flushNow() {
        return ask(Aggregator::requestFlush).thenCompose(f -> f);
    }

    private CompletableFuture<Void> requestFlush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (committing == null && active.isEmpty() && appliedLsn == committedLsn) {
            lastCommitOkMs = clock.millis();
            done.complete(null);
            return done;
        }
        if (committing == null) {
            flushWaiters.add(Map.entry(commitsStarted + 1, done));
            startCommit();
        } else {
            flushWaiters.add(Map.entry(commitsStarted + 1, done));
            flushRequested = true;
        }
        return done;
    }

    private void loop() {
        List<EventBatch> combined = new ArrayList<>();
        while (running || !queue.isEmpty() || committing != null) {
            try {
                long wait = Math.max(1, lastFlushMs + flushInterval.toMillis() - clock.millis());
                Item item = queue.poll(Math.min(wait, 200), TimeUnit.MILLISECONDS);
                if (item instanceof Task t) {
                    t.run().run();
                } else if (item instanceof EventBatch b) {
                    combined.clear();
                    combined.add(b);
                    int events = b.events().size();
                    long bytes = b.bytes();
                    while (events < MAX_EVENTS_PER_APPLY && queue.peek() instanceof EventBatch) {
                        EventBatch next = (EventBatch) queue.poll();
                        combined.add(next);
                        events += next.events().size();
                        bytes += next.bytes();
                    }
                    applyWithRetry(combined);
                    backlog.remove(events, bytes);
                }
                long now = clock.millis();
                if (now - lastFlushMs >= flushInterval.toMillis() && committing == null) {
                    startCommit();
                    lastFlushMs = now;
                }
                if (now - lastExpireMs >= EXPIRE_EVERY_MS) {
                    long horizonStart = now - joinHorizon.toMillis();
                    Map<Long, Long> cutoffs = cutoffs(now);
                    writer.execute(() -> expire(horizonStart, cutoffs));
                    lastExpireMs = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("aggregation runtime error", e);
            }
        }
    }

    private void applyWithRetry(List<EventBatch> batches) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                apply(batches, false);
                return;
            } catch (dev.modelwatch.store.StoreException e) {
                LOG.warn("storage unavailable while joining events ({}); retrying in {} ms", e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    // ---- applying events ----

    /**
     * Applies records in log order. Throws a StoreException only before it applied anything (the
     * lookup of stored rows comes first), so that the caller may retry the whole list.
     *
     * @param replaying whether these are records replayed at start (see {@link #replay(List, long, long)})
     */
    private void apply(List<EventBatch> batches, boolean replaying) throws InterruptedException {
        List<Event> all = new ArrayList<>();
        batches.forEach(b -> all.addAll(b.events()));
        lookUpStored(all);
        int duplicates = 0;
        int count = 0;
        int done = 0;
        Set<String> touched = new HashSet<>();
        Set<String> labelled = new HashSet<>();
        for (EventBatch b : batches) {
            int first = replaying ? alreadyCommitted(b) : 0;
            done += first;
            for (int i = first; i < b.events().size(); i++) {
                Event e = b.events().get(i);
                if (replaying) {
                    pendingOnly = storedAtStart(modelOf(e), b.positionAfter(i + 1));
                }
                if (!applyOne(e, touched, labelled)) {
                    duplicates++;
                }
                count++;
                done++;
                if (active.buffered.total() > limits.maxBufferedProfileBytes()
                        && (b.lsnStart() >= 0 || i == b.events().size() - 1)) {
                    // commit part-way through the record, from a position a replay resumes at
                    appliedLsn = Math.max(appliedLsn, b.positionAfter(i + 1));
                    if (commitForMemory()) {
                        lookUpStoredAgain(all.subList(done, all.size()));
                    }
                }
            }
            appliedLsn = Math.max(appliedLsn, b.lsnEnd());
        }
        pendingOnly = false;
        storedPredictions = Map.of();
        storedEarlyLabels = Map.of();
        for (String m : touched) {
            ModelState s = models.get(m);
            if (s != null) {
                registry.publish(s.record());
            }
        }
        // queries read the applied events at once (read-your-writes): their models' series changed now
        long appliedAt = clock.millis();
        touched.forEach(m -> registry.markChanged(m, appliedAt));
        labelled.forEach(m -> registry.markChanged(m, appliedAt));
        if (observer != null) {
            observer.onApplied(count, duplicates);
        }
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

    /** How many of a replayed record's events both stores held at start (a replay skips them). */
    private int alreadyCommitted(EventBatch b) {
        if (b.lsnStart() < 0) {
            return b.lsnEnd() <= replayStart ? b.events().size() : 0;
        }
        int n = 0;
        while (n < b.events().size() && b.positionAfter(n + 1) <= replayStart) {
            n++;
        }
        return n;
    }

    /** The stored-row lookup for the rest of a list after a commit part-way through it; retried until storage answers. */
    private void lookUpStoredAgain(List<Event> rest) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                lookUpStored(rest);
                return;
            } catch (dev.modelwatch.store.StoreException e) {
                LOG.warn("storage unavailable while joining events ({}); retrying in {} ms", e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /**
     * The buffered state is over {@code limits.max_buffered_profile_bytes}: commits it now, after
     * the commit in flight, if any, has finished (waiting for it holds new events in the queue, so
     * ingest slows down and, at {@code ingest.max_queued_events}, answers 429). While storage
     * refuses commits it takes no more events: it retries the generation it holds, with a growing
     * pause, until a commit succeeds, so an outage does not let memory grow.
     *
     * @return whether a commit finished meanwhile (rows it held are now only in the pending store)
     */
    private boolean commitForMemory() throws InterruptedException {
        boolean finishedOne = false;
        long backoff = 100;
        while (!stopping) {
            if (committing != null) {
                if (!awaitCommitInFlight()) {
                    return finishedOne;
                }
                finishedOne = true;
                continue;
            }
            if (active.buffered.total() <= limits.maxBufferedProfileBytes()) {
                return finishedOne;
            }
            if (lastCommitFailed) {
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
            budgetCommits++;
            startCommit();
            lastFlushMs = clock.millis();
            if (!lastCommitFailed) {
                return finishedOne; // events go on into a new generation while this one commits
            }
        }
        return finishedOne;
    }

    /** Waits for the store writer to finish the commit in flight and takes note of it; false when stopping first. */
    private boolean awaitCommitInFlight() throws InterruptedException {
        Generation g = committing;
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

    /** Whether a commit is in flight (for tests in this package, through {@link #ask}). */
    boolean commitInFlight() {
        return committing != null;
    }

    /** Commits started because the buffered state reached its budget (for tests and metrics). */
    public long budgetCommits() {
        return budgetCommits;
    }

    /** Applies one event; false when it was a replay of one already counted. */
    private boolean applyOne(Event e, Set<String> touched, Set<String> labelled) {
        if (e instanceof PredictionEvent p) {
            touched.add(p.model());
            return applyPrediction(p);
        }
        if (e instanceof LabelEvent l) {
            labelled.add(l.model());
            return applyLabel(l);
        }
        if (!pendingOnly) {
            if (e instanceof TrainingEvent t) {
                active.training.add(t);
            } else {
                active.metrics.add((MetricEvent) e);
            }
            active.buffered.rowAdded(EVENT_ROW_BYTES);
        }
        return true;
    }

    private boolean inMemory(String model, String id) {
        return active.predictions.getOrDefault(model, Map.of()).containsKey(id)
                || (committing != null && committing.predictions.getOrDefault(model, Map.of()).containsKey(id));
    }

    /** One batched storage lookup per model for the ids this batch needs and memory lacks. */
    private void lookUpStored(List<Event> events) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (Event e : events) {
            if (e instanceof PredictionEvent p && p.id() != null) {
                if (knownIds.mightContain(p.model(), p.id()) && !inMemory(p.model(), p.id())) {
                    ids.computeIfAbsent(p.model(), k -> new LinkedHashSet<>()).add(p.id());
                }
            } else if (e instanceof LabelEvent l && knownIds.mightContain(l.model(), l.id())
                    && !inMemory(l.model(), l.id())) {
                ids.computeIfAbsent(l.model(), k -> new LinkedHashSet<>()).add(l.id());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        Map<String, Map<String, PendingPrediction>> foundPredictions = new HashMap<>();
        Map<String, Map<String, EarlyLabel>> foundLabels = new HashMap<>();
        ids.forEach((model, set) -> {
            foundPredictions.put(model, pending.findPredictions(model, set));
            foundLabels.put(model, pending.findEarlyLabels(model, set));
        });
        storedPredictions = foundPredictions;
        storedEarlyLabels = foundLabels;
    }

    private PendingPrediction findPrediction(String model, String id) {
        PendingPrediction p = active.predictions.getOrDefault(model, Map.of()).get(id);
        if (p == null && committing != null) {
            p = committing.predictions.getOrDefault(model, Map.of()).get(id);
        }
        return p != null ? p : storedPredictions.getOrDefault(model, Map.of()).get(id);
    }

    private EarlyLabel findEarlyLabel(String model, String id) {
        if (active.joined.getOrDefault(model, Set.of()).contains(id)
                || (committing != null && committing.joined.getOrDefault(model, Set.of()).contains(id))) {
            return null;
        }
        EarlyLabel l = active.earlyLabels.getOrDefault(model, Map.of()).get(id);
        if (l == null && committing != null) {
            l = committing.earlyLabels.getOrDefault(model, Map.of()).get(id);
        }
        return l != null ? l : storedEarlyLabels.getOrDefault(model, Map.of()).get(id);
    }

    private boolean applyPrediction(PredictionEvent e) {
        // every id in memory or in the pending store is in the filter: a new id, nearly every
        // one, needs none of the lookups in the generations' maps
        boolean maybeKnown = e.id() != null && knownIds.mightContain(e.model(), e.id());
        if (maybeKnown && findPrediction(e.model(), e.id()) != null) {
            return false;
        }
        ModelState model = models.get(e.model());
        if (model == null) {
            ModelSpec spec = ModelSpec.infer(e.model(), e.scores() != null, e.score() != null, e.prediction());
            model = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
            models.put(e.model(), model);
        }
        e = withinLimits(e, model);
        long windowMs = model.spec.windowMs();
        long windowStart = Math.floorDiv(e.timestampMs(), windowMs) * windowMs;
        String version = strings.intern(e.version());
        if (!pendingOnly) {
            model.seen(e.timestampMs(), version);
            active.dirtyModels.add(e.model());
            String positiveClass = model.spec.task() == ModelTask.BINARY_CLASSIFICATION
                    ? model.spec.positiveClass() : null;
            for (ProfileKey key : keys(e.model(), e.version(), e.segments(), windowMs, windowStart)) {
                WindowProfile profile = active.deltas.computeIfAbsent(key, this::newProfile);
                profile.addPrediction(e, positiveClass);
                active.buffered.profileUpdated(key, profile);
            }
        }
        if (e.id() == null) {
            return true;
        }
        active.buffered.rowAdded(BufferedBytes.rowBytes(e.id()));
        // a pending prediction lives until its commit (seconds, through young collections): it shares
        // the model name, version, segment map and class name with every other prediction that has them
        PendingPrediction pending = new PendingPrediction(model.spec.name(), e.id(), version,
                e.timestampMs(), windowStart, windowMs, strings.intern(e.segments()),
                strings.intern(e.predictedClass()), e.prediction() instanceof Double d ? d : Double.NaN,
                e.score(), e.scores(), false);
        EarlyLabel early = maybeKnown ? findEarlyLabel(e.model(), e.id()) : null;
        if (early != null) {
            addOutcome(pending, early.label(), model.spec);
            pending = pending.asLabeled();
            Map<String, EarlyLabel> activeEarly = active.earlyLabels.get(e.model());
            if (activeEarly != null) {
                activeEarly.remove(e.id());
            }
            active.joined.computeIfAbsent(e.model(), k -> new HashSet<>()).add(e.id());
            active.buffered.rowAdded(BufferedBytes.rowBytes(e.id()));
        }
        active.predictions.computeIfAbsent(e.model(), k -> new HashMap<>()).put(e.id(), pending);
        if (!maybeKnown) {
            knownIds.add(e.model(), e.id());
        }
        return true;
    }

    /**
     * The event as counted under the limits: its version, segments and (for a classifier) class
     * names folded into {@code __other__} past them; the event itself when nothing was folded.
     * Its feature names are recorded as the model's (they were admitted at ingest).
     */
    private PredictionEvent withinLimits(PredictionEvent e, ModelState model) {
        ModelAdmissions admitted = admissionsOf(e.model());
        admitted.noteFeatures(e.features());
        String version = model.admitVersion(strings.intern(e.version()), limits.maxVersionsPerModel());
        if (version != e.version() && !version.equals(e.version())) {
            limitObserver.onFolded("versions", e.model());
        }
        Map<String, String> segments = admitted.foldSegments(e.segments());
        Object prediction = e.prediction();
        Map<String, Double> scores = e.scores();
        if (model.spec.task().isClassification()) {
            String predicted = e.predictedClass();
            String folded = admitted.foldClass(predicted);
            if (folded != predicted) {
                prediction = folded;
            }
            scores = admitted.foldScores(scores);
        }
        if (admitted.changed()) {
            active.admittedModels.add(e.model());
        }
        if (version.equals(e.version()) && segments == e.segments() && prediction == e.prediction()
                && scores == e.scores()) {
            return e;
        }
        return new PredictionEvent(e.model(), e.id(), version, e.timestampMs(), e.features(), prediction, e.score(),
                scores, e.latencyMs(), e.error(), segments);
    }

    private ModelAdmissions admissionsOf(String model) {
        ModelAdmissions a = admissions.get(model);
        if (a == null) {
            a = new ModelAdmissions(model, limits, limitObserver, storedAdmissions.remove(model));
            admissions.put(model, a);
        }
        return a;
    }

    /**
     * The feature names each tracked model has been admitted, for the ingest check of
     * {@code limits.max_features_per_model}; call before {@link #start()} (after the replay).
     */
    public Map<String, Set<String>> admittedFeatures() {
        Map<String, Set<String>> out = new HashMap<>();
        for (String m : models.keySet()) {
            out.put(m, Set.copyOf(admissionsOf(m).features()));
        }
        return out;
    }

    private boolean applyLabel(LabelEvent l) {
        boolean maybeKnown = knownIds.mightContain(l.model(), l.id());
        PendingPrediction p = maybeKnown ? findPrediction(l.model(), l.id()) : null;
        if (p != null) {
            if (p.labeled()) {
                return false;
            }
            ModelState model = models.get(l.model());
            ModelSpec spec = model != null ? model.spec
                    : ModelSpec.infer(l.model(), p.scores() != null, p.score() != null, p.predictedClass());
            addOutcome(p, l.label(), spec);
            active.predictions.computeIfAbsent(l.model(), k -> new HashMap<>()).put(l.id(), p.asLabeled());
            active.buffered.rowAdded(BufferedBytes.rowBytes(l.id()));
            return true;
        }
        if (maybeKnown && findEarlyLabel(l.model(), l.id()) != null) {
            return false;
        }
        active.earlyLabels.computeIfAbsent(l.model(), k -> new HashMap<>())
                .put(l.id(), new EarlyLabel(l.model(), l.id(), l.label(), l.timestampMs()));
        active.buffered.rowAdded(BufferedBytes.rowBytes(l.id()));
        knownIds.add(l.model(), l.id());
        return true;
    }

    private void addOutcome(PendingPrediction p, Object label, ModelSpec spec) {
        if (pendingOnly) {
            return; // the store holds this outcome already
        }
        if (spec.task().isClassification()) {
            ModelAdmissions admitted = admissionsOf(p.model());
            String name = label instanceof Double d ? dev.modelwatch.core.event.ClassNames.of(d) : (String) label;
            String folded = admitted.foldClass(name);
            if (folded != name) {
                label = folded;
            }
            if (admitted.changed()) {
                active.admittedModels.add(p.model());
            }
        }
        for (ProfileKey key : keys(p.model(), p.version(), p.segments(), p.windowMs(), p.windowStartMs())) {
            WindowProfile profile = active.deltas.computeIfAbsent(key, this::newProfile);
            profile.addOutcome(p, label, spec.positiveClass(), spec.task().isClassification());
            active.buffered.profileUpdated(key, profile);
        }
    }

    /** A new profile for a key: a segment's keeps smaller sketches (see {@link SketchSettings#forSegments()}). */
    private WindowProfile newProfile(ProfileKey key) {
        return new WindowProfile(key.segment().equals(ProfileKey.ALL) ? sketches : segmentSketches);
    }

    private static List<ProfileKey> keys(String model, String version, Map<String, String> segments, long windowMs,
                                         long windowStart) {
        List<ProfileKey> keys = new ArrayList<>(1 + segments.size());
        keys.add(new ProfileKey(model, version, ProfileKey.ALL, windowMs, windowStart));
        for (Map.Entry<String, String> s : segments.entrySet()) {
            keys.add(new ProfileKey(model, version, ProfileKey.segment(s.getKey(), s.getValue()), windowMs, windowStart));
        }
        return keys;
    }

    // ---- committing ----

    /**
     * Hands the changes since the last commit to the store writer; aggregation goes on meanwhile
     * into a new generation. At most one commit is in flight.
     */
    private void startCommit() {
        if (committing != null) {
            return;
        }
        if (active.isEmpty() && appliedLsn == committedLsn) {
            lastCommitOkMs = clock.millis();
            resolveWaiters(Long.MAX_VALUE, null); // nothing in memory: everything is committed
            return;
        }
        long now = clock.millis();
        Generation g = active;
        // held models not yet due for their next try stay in memory, out of this commit
        Set<String> deferred = new HashSet<>();
        holds.forEach((m, h) -> {
            if (h.nextAttemptMs > now) {
                deferred.add(m);
            }
        });
        Generation kept = deferred.isEmpty() ? new Generation() : g.extract(deferred);
        if (g.isEmpty() && appliedLsn == committedLsn) {
            active = kept;
            resolveWaiters(Long.MAX_VALUE, null);
            return;
        }
        g.lsn = appliedLsn;
        g.number = commitsStarted + 1;
        active = kept;
        committing = g;
        ModelParts parts = new ModelParts();
        for (Map.Entry<ProfileKey, WindowProfile> d : g.deltas.entrySet()) {
            ProfileKey base = d.getKey();
            Map<ProfileKey, WindowProfile> expanded = parts.part(base.model()).deltas;
            expanded.put(base, d.getValue().copy());
            for (long res : new long[] {HOUR, DAY}) {
                if (res <= base.resolutionMs()) {
                    continue;
                }
                WindowProfile rolled = expanded.computeIfAbsent(base.atResolution(res), this::newProfile);
                rolled.merge(d.getValue());
            }
        }
        g.predictions.forEach((m, rows) -> parts.part(m).predictions.addAll(rows.values()));
        g.earlyLabels.forEach((m, rows) -> parts.part(m).earlyLabels.addAll(rows.values()));
        g.joined.forEach((m, ids) -> parts.part(m).joined.addAll(ids));
        for (String m : g.dirtyModels) {
            parts.part(m).records.add(models.get(m).record());
        }
        g.training.forEach(t -> parts.part(t.model()).training.add(t));
        g.metrics.forEach(x -> parts.part(ModelParts.modelOf(x)).metrics.add(x));
        int profiles = parts.profiles();
        long lsn = g.lsn;
        long globalBefore = committedLsn;
        Map<String, ModelCheckpoint> checkpoints = modelCheckpoints;
        Duration park = parkAfter;
        ModelParking parker = parking;
        for (String m : g.admittedModels) {
            parts.part(m).admitted.add(admissions.get(m).snapshot());
        }
        commitsStarted++;
        if (writer == null) {
            // a replay before start() commits when its buffered state reaches the budget
            writer = Executors.newSingleThreadExecutor(WorkerThreads.PLAIN.factory("modelwatch-replay-store-writer"));
        }
        writer.execute(() -> {
            long t0 = System.nanoTime();
            IsolatingCommit.Result r;
            try {
                r = IsolatingCommit.run(store, parts, lsn, globalBefore, checkpoints, clock.millis(), park, parker);
            } catch (Error e) {
                commitLost = true; // this commit never finishes: closing must not wait for it
                throw e;
            }
            try {
                if (!r.committed().isEmpty()) {
                    PendingStore.PendingWrite w = parts.pendingWrite(r.committed(),
                            r.globalCommitted() ? lsn : Math.min(lsn, pending.checkpointLsn()));
                    if (!writePending(w)) {
                        return; // stopping: the log keeps these events, and the next start rebuilds the pending rows
                    }
                } else if (r.globalCommitted() && !writePending(parts.pendingWrite(Set.of(), lsn))) {
                    return;
                }
            } catch (Error e) {
                commitLost = true;
                throw e;
            }
            g.committedProfiles = profiles;
            g.commitNanos = System.nanoTime() - t0;
            g.commitResult = r;
            g.written.complete(null);
            queue.add(new Task(() -> finishCommit(g)));
        });
    }

    /** Takes note of the finished commit of {@code g}, once (the aggregation thread may have waited for it). */
    private void finishCommit(Generation g) {
        if (g.finished || committing != g) {
            return;
        }
        g.finished = true;
        IsolatingCommit.Result r = g.commitResult;
        lastCommitFailed = !r.globalCommitted();
        // the admitted sets of models storage did not take are written again with their next commit
        g.admittedModels.stream().filter(m -> !r.committed().contains(m)).forEach(m -> admissions.get(m).markChanged());
        commitFinished(g, g.committedProfiles, g.commitNanos, r);
        g.release();
    }

    /**
     * Writes the pending rows of a generation whose profiles the store has just committed; retries
     * until it succeeds, since the commit cannot be undone (false only when the runtime stops
     * first). Until then the generation stays in flight and the log is not truncated.
     */
    private boolean writePending(PendingStore.PendingWrite w) {
        long backoff = 100;
        while (true) {
            try {
                pending.write(w);
                if (pendingProblem != null) {
                    LOG.info("pending rows are writable again");
                    pendingProblem = null;
                }
                return true;
            } catch (RuntimeException e) {
                pendingProblem = e.getMessage();
                if (stopping) {
                    LOG.error("the pending rows up to log position {} could not be written before stopping ({}); "
                            + "the next start rebuilds them from the ingest log", w.lsn(), e.getMessage());
                    return false;
                }
                LOG.warn("writing pending rows failed ({}); retrying in {} ms", e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void commitFinished(Generation g, int profiles, long nanos, IsolatingCommit.Result r) {
        committing = null;
        commitsFinished++;
        modelCheckpoints = Map.copyOf(r.checkpoints());
        if (observer != null) {
            observer.onFlush(profiles, nanos, r.failure() == null);
        }
        if (r.outage()) {
            RuntimeException failure = r.failure();
            commitProblem = failure.getMessage();
            LOG.warn("commit to storage failed; keeping its changes in memory and the ingest log: {}", failure.getMessage());
            active.absorbOlder(g);
            flushRequested = false;
            resolveWaiters(-1, failure);
            return;
        }
        long now = clock.millis();
        if (!r.failed().isEmpty()) {
            active.absorbOlder(g.extract(r.failed().keySet()));
        }
        r.failed().forEach((m, why) -> {
            Hold h = holds.get(m);
            if (h == null) {
                h = new Hold(now, why);
                holds.put(m, h);
                LOG.error("model {}: storage refuses its writes ({}); the other models go on, its changes are kept in "
                        + "memory and the ingest log, retried with backoff, and parked in the dead-letter directory "
                        + "after {} s", IsolatingCommit.display(m), why, parkAfter.toSeconds());
            }
            h.attempts++;
            h.lastError = why;
            h.nextAttemptMs = holdRetry.nextAttemptAtMs(h.attempts, now, random);
            if (observer != null) {
                observer.onModelCommitFailure(m);
            }
        });
        for (String m : r.committed()) {
            if (holds.remove(m) != null) {
                LOG.info("model {}: storage takes its writes again", IsolatingCommit.display(m));
            }
        }
        r.parked().forEach((m, p) -> {
            holds.remove(m);
            ModelState s = models.get(m);
            if (s != null) {
                // the stored record follows with the model's next change; replaying the entry counts them again
                s.predictionCount = Math.max(0, s.predictionCount - p.predictions());
                registry.publish(s.record());
                registry.markChanged(m, clock.millis());
            }
            if (p.id() == null) {
                LOG.error("model {}: storage refused its changes for over {} s; they held no events to park (a model "
                        + "record only) and are dropped", IsolatingCommit.display(m), parkAfter.toSeconds());
            } else {
                LOG.error("model {}: storage refused its writes for over {} s; parked its {} events in dead-letter "
                        + "entry {} (list them with `modelwatch dead-letter list`, replay them once the cause is fixed)",
                        IsolatingCommit.display(m), parkAfter.toSeconds(), p.events(), p.id());
            }
            if (observer != null) {
                observer.onModelParked(m, p.events());
            }
        });
        publishHolds();
        if (!r.globalCommitted()) {
            commitProblem = r.failure().getMessage();
            resolveWaiters(-1, r.failure());
            flushRequested = false;
            return;
        }
        committedLsn = g.lsn;
        lastCommitOkMs = now;
        if (commitProblem != null) {
            LOG.info("commits to storage succeed again");
            commitProblem = null;
        }
        long keepFrom = committedLsn;
        for (ModelCheckpoint c : modelCheckpoints.values()) {
            if (c.held()) {
                keepFrom = Math.min(keepFrom, c.lsn());
            }
        }
        onCommitted.accept(keepFrom);
        resolveWaiters(g.number, null);
        if (flushRequested) {
            flushRequested = false;
            startCommit();
        }
    }

    /** A model whose writes storage refuses, owned by the aggregation thread. */
    private static final class Hold {
        final long sinceMs;
        String lastError;
        int attempts;
        long nextAttemptMs;

        Hold(long sinceMs, String lastError) {
            this.sinceMs = sinceMs;
            this.lastError = lastError;
        }
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

    private void publishHolds() {
        List<HoldView> views = new ArrayList<>();
        holds.forEach((m, h) -> views.add(new HoldView(m, h.sinceMs, h.lastError)));
        holdViews = List.copyOf(views);
    }

    /** The models whose writes storage refuses now. */
    public List<HoldView> heldModels() {
        return holdViews;
    }

    /** Completes the flush waiters whose commit (by number) has succeeded, or fails them all. */
    private void resolveWaiters(long number, RuntimeException failure) {
        flushWaiters.removeIf(w -> {
            if (failure != null) {
                w.getValue().completeExceptionally(new IllegalStateException(
                        "storage is unavailable (" + failure.getMessage() + "); the events stay in the ingest log", failure));
                return true;
            }
            if (w.getKey() <= number) {
                w.getValue().complete(null);
                return true;
            }
            return false;
        });
    }

    private Map<Long, Long> cutoffs(long now) {
        Map<Long, Long> cutoffs = new HashMap<>();
        Duration base = retention.get(0L);
        if (base != null) {
            for (ModelState s : models.values()) {
                cutoffs.put(s.spec.windowMs(), now - base.toMillis());
            }
        }
        retention.forEach((res, d) -> {
            if (res > 0) {
                cutoffs.put(res, now - d.toMillis());
            }
        });
        return cutoffs;
    }

    /** Runs on the store writer, serialized with commits. */
    private void expire(long joinHorizonStartMs, Map<Long, Long> cutoffs) {
        try {
            pending.expire(joinHorizonStartMs);
            long n = store.expire(cutoffs);
            if (n > 0) {
                LOG.info("expired {} rows past their retention", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry failed: {}", e.getMessage());
        }
    }

    // ---- tasks run through ask() ----

    /**
     * Copies of the uncommitted profiles of one model and segment, for a query: those of the commit
     * in flight, if any, and those changed since. Each is tagged with the checkpoint from which
     * storage holds it, so a query that reads storage after this never counts a change twice nor
     * misses one, however many commits land in between.
     */
    public List<Delta> snapshot(String model, String version, String segment, long fromMs, long toMs) {
        List<Delta> out = new ArrayList<>();
        long activeFrom;
        if (committing != null) {
            copyDeltas(committing, committing.lsn, model, version, segment, fromMs, toMs, out);
            activeFrom = committing.lsn + 1;
        } else {
            activeFrom = committedLsn + 1;
        }
        if (holds.containsKey(model)) {
            activeFrom = Long.MAX_VALUE; // storage does not hold them, whatever its checkpoint says
        }
        copyDeltas(active, activeFrom, model, version, segment, fromMs, toMs, out);
        return out;
    }

    private static void copyDeltas(Generation g, long commitLsn, String model, String version, String segment,
                                   long fromMs, long toMs, List<Delta> out) {
        for (Map.Entry<ProfileKey, WindowProfile> d : g.deltas.entrySet()) {
            ProfileKey k = d.getKey();
            if (k.model().equals(model) && k.segment().equals(segment)
                    && (version == null || k.version().equals(version))
                    && k.windowStartMs() >= fromMs && k.windowStartMs() < toMs) {
                out.add(new Delta(k, d.getValue().copy(), commitLsn));
            }
        }
    }

    /**
     * Declares or re-declares a model. A model's window cannot change once it has data (its
     * stored windows would no longer line up).
     */
    public ModelRecord declare(ModelSpec spec) {
        ModelState s = models.get(spec.name());
        if (s == null) {
            s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
            models.put(spec.name(), s);
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
        active.dirtyModels.add(spec.name());
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
        if (!running) {
            stopping = true;
            if (writer != null) {
                writer.shutdown();
            }
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        if (!thread.isAlive() || commitLost) {
            LOG.warn("shutdown: the aggregator or the store writer died; the events after log position {} stay in the "
                    + "ingest log", committedLsn);
            stopping = true;
            running = false;
            writer.shutdownNow();
            return;
        }
        try {
            flushNow().get(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("shutdown: the last commit did not complete within the grace period ({}); the events after log "
                    + "position {} stay in the ingest log and are replayed at the next start", e.toString(), committedLsn);
        }
        stopping = true;
        running = false;
        try {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("shutdown: the aggregator did not stop within the grace period (a commit still runs); left undone: "
                    + "the events after log position {}, which stay in the ingest log", committedLsn);
            thread.interrupt();
        }
        writer.shutdownNow();
    }

    /** Mutable model bookkeeping, owned by the aggregation thread. */
    private static final class ModelState {
        ModelSpec spec;
        long first;
        long last;
        long predictionCount;
        final TreeSet<String> versions;
        private String lastVersion;

        ModelState(ModelSpec spec, long first, long last, long count, TreeSet<String> versions) {
            this.spec = spec;
            this.first = first;
            this.last = last;
            this.predictionCount = count;
            this.versions = versions;
        }

        /**
         * The version an event is counted under: itself when known or when there is room for it
         * ({@code max} versions), else {@code __other__}.
         */
        String admitVersion(String version, int max) {
            if (version == lastVersion || versions.size() < max || versions.contains(version)) {
                return version;
            }
            return Limits.OTHER;
        }

        void seen(long ts, String version) {
            first = Math.min(first, ts);
            last = Math.max(last, ts);
            predictionCount++;
            // versions arrive as shared instances (SharedValues): most events repeat the last one
            if (version != lastVersion) {
                versions.add(version);
                lastVersion = version;
            }
        }

        ModelRecord record() {
            return new ModelRecord(spec, first, last, predictionCount, versions);
        }
    }
}
