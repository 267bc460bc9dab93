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
    /** Set while a replayed batch is applied to the pending rows only. */
    private boolean pendingOnly;
    private long lastFlushMs;
    private long lastExpireMs;
    private boolean flushRequested;
    private final List<Map.Entry<Long, CompletableFuture<Void>>> flushWaiters = new ArrayList<>();
    private LongConsumer onCommitted = lsn -> { };
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "modelwatch-store-writer");
        t.setDaemon(true);
        return t;
    });

    /** Commits started and commits finished (committed or failed). */
    private volatile long commitsStarted;
    private volatile long commitsFinished;
    private volatile boolean running;
    private Thread thread;

    /** Receives the runtime's own measurements. */
    public interface AggregatorObserver {
        void onApplied(int events, int duplicates);

        void onFlush(int profiles, long nanos, boolean ok);
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
        long pendingLsn = pending.checkpointLsn();
        if (pendingLsn > profilesCommittedAtStart) {
            LOG.warn("the pending rows reflect log position {} but the store only {}: the store was replaced or "
                    + "restored; predictions replayed from the log that the pending rows already hold count as "
                    + "replays", pendingLsn, profilesCommittedAtStart);
        }
        this.committedLsn = Math.min(profilesCommittedAtStart, pendingLsn);
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
        pendingOnly = lsnEnd <= profilesCommittedAtStart;
        try {
            apply(events, lsnEnd);
        } finally {
            pendingOnly = false;
        }
    }

    public void start() {
        pending.expire(clock.millis() - joinHorizon.toMillis());
        running = true;
        lastFlushMs = clock.millis();
        lastExpireMs = clock.millis();
        thread = new Thread(this::loop, "modelwatch-aggregator");
        thread.setDaemon(true);
        thread.start();
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
        if (!running) {
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
        for (Event e : events) {
            boolean applied;
            if (e instanceof PredictionEvent p) {
                applied = applyPrediction(p);
                touched.add(p.model());
            } else if (e instanceof LabelEvent l) {
                applied = applyLabel(l);
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
        if (observer != null) {
            observer.onApplied(events.size(), duplicates);
        }
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
            resolveWaiters(Long.MAX_VALUE, null); // nothing in memory: everything is committed
            return;
        }
        Generation g = active;
        g.lsn = appliedLsn;
        g.number = commitsStarted + 1;
        active = new Generation();
        committing = g;
        Map<ProfileKey, WindowProfile> expanded = new HashMap<>();
        for (Map.Entry<ProfileKey, WindowProfile> d : g.deltas.entrySet()) {
            ProfileKey base = d.getKey();
            expanded.put(base, d.getValue().copy());
            for (long res : new long[] {HOUR, DAY}) {
                if (res <= base.resolutionMs()) {
                    continue;
                }
                WindowProfile rolled = expanded.computeIfAbsent(base.atResolution(res), this::newProfile);
                rolled.merge(d.getValue());
            }
        }
        List<PendingPrediction> predictions = new ArrayList<>();
        g.predictions.values().forEach(m -> predictions.addAll(m.values()));
        List<EarlyLabel> early = new ArrayList<>();
        g.earlyLabels.values().forEach(m -> early.addAll(m.values()));
        Map<String, List<String>> joined = new HashMap<>();
        g.joined.forEach((m, ids) -> joined.put(m, new ArrayList<>(ids)));
        List<ModelRecord> modelRecords = new ArrayList<>();
        for (String m : g.dirtyModels) {
            modelRecords.add(models.get(m).record());
        }
        Flush flush = new Flush(g.lsn, expanded, modelRecords, g.training, g.metrics);
        PendingStore.PendingWrite pendingWrite = new PendingStore.PendingWrite(g.lsn, predictions, early, joined);
        commitsStarted++;
        writer.execute(() -> {
            long t0 = System.nanoTime();
            RuntimeException failure = null;
            try {
                store.commit(flush);
            } catch (RuntimeException e) {
                failure = e;
            }
            if (failure == null && !writePending(pendingWrite)) {
                return; // stopping: the log keeps these events, and the next start rebuilds the pending rows
            }
            long nanos = System.nanoTime() - t0;
            RuntimeException f = failure;
            queue.add(new Task(() -> commitFinished(g, expanded.size(), nanos, f)));
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
                return true;
            } catch (RuntimeException e) {
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

    private void commitFinished(Generation g, int profiles, long nanos, RuntimeException failure) {
        committing = null;
        commitsFinished++;
        if (observer != null) {
            observer.onFlush(profiles, nanos, failure == null);
        }
        if (failure != null) {
            LOG.warn("commit to storage failed; keeping its changes in memory and the ingest log: {}", failure.getMessage());
            active.absorbOlder(g);
            flushRequested = false;
            resolveWaiters(-1, failure);
            return;
        }
        committedLsn = g.lsn;
        onCommitted.accept(committedLsn);
        resolveWaiters(g.number, null);
        if (flushRequested) {
            flushRequested = false;
            startCommit();
        }
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
        return r;
    }

    /** Commits what was applied, waits for it, and stops. */
    @Override
    public void close() {
        if (!running) {
            writer.shutdown();
            return;
        }
        try {
            flushNow().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("the last commit did not complete ({}); the ingest log keeps the events", e.toString());
        }
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdown();
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
