package dev.modelwatch.server.aggregate;

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
import java.util.concurrent.atomic.AtomicLong;
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

    private sealed interface Item permits EventBatch, Task {
    }

    private record EventBatch(List<Event> events, long lsnEnd) implements Item {
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
        long lsn;
        /** The number of the commit that writes this generation. */
        long number;

        boolean isEmpty() {
            return deltas.isEmpty() && predictions.isEmpty() && earlyLabels.isEmpty() && joined.isEmpty()
                    && training.isEmpty() && metrics.isEmpty() && dirtyModels.isEmpty();
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
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedEvents = new AtomicLong();
    private final AggregatorObserver observer;

    // ---- owned by the aggregation thread ----
    /** Changes since the last commit was started. */
    private Generation active = new Generation();
    /** Changes being committed by the store writer, or null; still consulted by lookups and queries. */
    private Generation committing;
    private final Map<String, ModelState> models = new HashMap<>();
    private final KnownIds knownIds;
    private final SharedValues strings = new SharedValues();
    private Map<String, Map<String, PendingPrediction>> storedPredictions = Map.of();
    private Map<String, Map<String, EarlyLabel>> storedEarlyLabels = Map.of();
    private long appliedLsn;
    private long committedLsn;
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
    /** Set while replaying: the log position of the batch being replayed. */
    private long replayingLsn = -1;
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
    private volatile boolean running;
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
        return committedLsn;
    }

    /** Called after each commit with the committed log position (the log may delete what lies before). */
    public void onCommitted(LongConsumer consumer) {
        this.onCommitted = consumer;
    }

    /**
     * Applies replayed events synchronously; only before {@link #start()}. Events the store
     * already holds (a crash came between its commit and the pending rows' write) rebuild the
     * pending rows only.
     */
    public void replay(List<Event> events, long lsnEnd) {
        replayingLsn = lsnEnd;
        try {
            apply(events, lsnEnd);
        } finally {
            replayingLsn = -1;
            pendingOnly = false;
        }
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

    /** Hands a durable batch to the runtime; called by the log writer, in log order. */
    public void submit(List<Event> events, long lsnEnd) {
        queuedEvents.addAndGet(events.size());
        queue.add(new EventBatch(events, lsnEnd));
    }

    /** Events durable but not yet aggregated (the ingest backpressure signal). */
    public long queuedEvents() {
        return queuedEvents.get();
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
        List<Event> combined = new ArrayList<>();
        while (running || !queue.isEmpty() || committing != null) {
            try {
                long wait = Math.max(1, lastFlushMs + flushInterval.toMillis() - clock.millis());
                Item item = queue.poll(Math.min(wait, 200), TimeUnit.MILLISECONDS);
                if (item instanceof Task t) {
                    t.run().run();
                } else if (item instanceof EventBatch b) {
                    combined.clear();
                    combined.addAll(b.events());
                    long lsn = b.lsnEnd();
                    while (combined.size() < MAX_EVENTS_PER_APPLY && queue.peek() instanceof EventBatch) {
                        EventBatch next = (EventBatch) queue.poll();
                        combined.addAll(next.events());
                        lsn = next.lsnEnd();
                    }
                    applyWithRetry(combined, lsn);
                    queuedEvents.addAndGet(-combined.size());
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

    private void applyWithRetry(List<Event> events, long lsn) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                apply(events, lsn);
                return;
            } catch (dev.modelwatch.store.StoreException e) {
                LOG.warn("storage unavailable while joining events ({}); retrying in {} ms", e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    // ---- applying events ----

    private void apply(List<Event> events, long lsnEnd) {
        lookUpStored(events);
        int duplicates = 0;
        Set<String> touched = new HashSet<>();
        Set<String> labelled = new HashSet<>();
        for (Event e : events) {
            if (replayingLsn >= 0) {
                pendingOnly = storedAtStart(modelOf(e), replayingLsn);
            }
            boolean applied;
            if (e instanceof PredictionEvent p) {
                applied = applyPrediction(p);
                touched.add(p.model());
            } else if (e instanceof LabelEvent l) {
                applied = applyLabel(l);
                labelled.add(l.model());
            } else if (e instanceof TrainingEvent t) {
                if (!pendingOnly) {
                    active.training.add(t);
                }
                applied = true;
            } else {
                if (!pendingOnly) {
                    active.metrics.add((MetricEvent) e);
                }
                applied = true;
            }
            if (!applied) {
                duplicates++;
            }
        }
        storedPredictions = Map.of();
        storedEarlyLabels = Map.of();
        appliedLsn = Math.max(appliedLsn, lsnEnd);
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
            observer.onApplied(events.size(), duplicates);
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
        long windowMs = model.spec.windowMs();
        long windowStart = Math.floorDiv(e.timestampMs(), windowMs) * windowMs;
        String version = strings.intern(e.version());
        if (!pendingOnly) {
            model.seen(e.timestampMs(), version);
            active.dirtyModels.add(e.model());
            String positiveClass = model.spec.task() == ModelTask.BINARY_CLASSIFICATION
                    ? model.spec.positiveClass() : null;
            for (ProfileKey key : keys(e.model(), e.version(), e.segments(), windowMs, windowStart)) {
                active.deltas.computeIfAbsent(key, this::newProfile).addPrediction(e, positiveClass);
            }
        }
        if (e.id() == null) {
            return true;
        }
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
        }
        active.predictions.computeIfAbsent(e.model(), k -> new HashMap<>()).put(e.id(), pending);
        if (!maybeKnown) {
            knownIds.add(e.model(), e.id());
        }
        return true;
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
            return true;
        }
        if (maybeKnown && findEarlyLabel(l.model(), l.id()) != null) {
            return false;
        }
        active.earlyLabels.computeIfAbsent(l.model(), k -> new HashMap<>())
                .put(l.id(), new EarlyLabel(l.model(), l.id(), l.label(), l.timestampMs()));
        knownIds.add(l.model(), l.id());
        return true;
    }

    private void addOutcome(PendingPrediction p, Object label, ModelSpec spec) {
        if (pendingOnly) {
            return; // the store holds this outcome already
        }
        for (ProfileKey key : keys(p.model(), p.version(), p.segments(), p.windowMs(), p.windowStartMs())) {
            active.deltas.computeIfAbsent(key, this::newProfile)
                    .addOutcome(p, label, spec.positiveClass(), spec.task().isClassification());
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
        commitsStarted++;
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
            long nanos = System.nanoTime() - t0;
            queue.add(new Task(() -> commitFinished(g, profiles, nanos, r)));
        });
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
                if (!running) {
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
            if (writer != null) {
                writer.shutdown();
            }
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        if (!thread.isAlive() || commitLost) {
            LOG.warn("shutdown: the aggregator or the store writer died; the events after log position {} stay in the "
                    + "ingest log", committedLsn);
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
