package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.EarlyLabel;
import dev.modelwatch.store.Flush;
import dev.modelwatch.store.ModelRecord;
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

    /** Profiles not yet committed, copied for a query, and the flush count they belong to. */
    public record DeltaSnapshot(List<Map.Entry<ProfileKey, WindowProfile>> deltas, long flushCount) {
    }

    private final Store store;
    private final Clock clock;
    private final SketchSettings sketches;
    private final Map<String, ModelSpec> declared;
    private final Duration flushInterval;
    private final Duration joinHorizon;
    private final Map<Long, Duration> retention;
    private final ModelRegistry registry;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedEvents = new AtomicLong();
    private final AggregatorObserver observer;

    // ---- owned by the aggregation thread ----
    private final Map<ProfileKey, WindowProfile> deltas = new HashMap<>();
    private final Map<String, Map<String, PendingPrediction>> recentPredictions = new HashMap<>();
    private final Map<String, Map<String, EarlyLabel>> recentEarlyLabels = new HashMap<>();
    private final Map<String, Set<String>> joinedEarlyLabels = new HashMap<>();
    private final List<TrainingEvent> training = new ArrayList<>();
    private final List<MetricEvent> metrics = new ArrayList<>();
    private final Map<String, ModelState> models = new HashMap<>();
    private final Set<String> dirtyModels = new HashSet<>();
    private Map<String, Map<String, PendingPrediction>> storedPredictions = Map.of();
    private Map<String, Map<String, EarlyLabel>> storedEarlyLabels = Map.of();
    private long appliedLsn;
    private long committedLsn;
    private long lastFlushMs;
    private long lastExpireMs;
    private LongConsumer onCommitted = lsn -> { };

    private volatile long flushCount;
    private volatile boolean running;
    private Thread thread;

    /** Receives the runtime's own measurements. */
    public interface AggregatorObserver {
        void onApplied(int events, int duplicates);

        void onFlush(int profiles, long nanos, boolean ok);
    }

    public Aggregator(Store store, Clock clock, SketchSettings sketches, Map<String, ModelSpec> declared,
                      Duration flushInterval, Duration joinHorizon, Map<Long, Duration> retention,
                      ModelRegistry registry, AggregatorObserver observer) {
        this.store = store;
        this.clock = clock;
        this.sketches = sketches;
        this.declared = Map.copyOf(declared);
        this.flushInterval = flushInterval;
        this.joinHorizon = joinHorizon;
        this.retention = Map.copyOf(retention);
        this.registry = registry;
        this.observer = observer;
        this.committedLsn = store.checkpointLsn();
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
                dirtyModels.add(r.name());
            }
            registry.publish(s.record());
        }
        for (ModelSpec spec : declared.values()) {
            if (!models.containsKey(spec.name())) {
                ModelState s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
                models.put(spec.name(), s);
                dirtyModels.add(spec.name());
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

    /** Applies replayed events synchronously; only before {@link #start()}. */
    public void replay(List<Event> events, long lsnEnd) {
        apply(events, lsnEnd);
    }

    public void start() {
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

    /** Commits everything applied so far; completes when it is in storage. */
    public CompletableFuture<Void> flushNow() {
        return ask(a -> {
            if (!a.flush()) {
                throw new IllegalStateException("storage is unavailable; the events stay in the ingest log");
            }
            return null;
        });
    }

    /** How many flushes have started; queries use it to detect a commit racing with their read. */
    public long flushCount() {
        return flushCount;
    }

    private void loop() {
        List<Event> combined = new ArrayList<>();
        while (running || !queue.isEmpty()) {
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
                if (now - lastFlushMs >= flushInterval.toMillis()) {
                    flush();
                    lastFlushMs = now;
                }
                if (now - lastExpireMs >= EXPIRE_EVERY_MS) {
                    expire();
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
                training.add(t);
                applied = true;
            } else {
                metrics.add((MetricEvent) e);
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

    /** One batched storage lookup per model for the ids this batch needs and memory lacks. */
    private void lookUpStored(List<Event> events) {
        Map<String, Set<String>> predictionIds = new HashMap<>();
        Map<String, Set<String>> labelIds = new HashMap<>();
        for (Event e : events) {
            if (e instanceof PredictionEvent p && p.id() != null) {
                if (!recentPredictions.getOrDefault(p.model(), Map.of()).containsKey(p.id())) {
                    predictionIds.computeIfAbsent(p.model(), k -> new LinkedHashSet<>()).add(p.id());
                }
            } else if (e instanceof LabelEvent l) {
                if (!recentPredictions.getOrDefault(l.model(), Map.of()).containsKey(l.id())) {
                    labelIds.computeIfAbsent(l.model(), k -> new LinkedHashSet<>()).add(l.id());
                }
            }
        }
        if (predictionIds.isEmpty() && labelIds.isEmpty()) {
            return;
        }
        Map<String, Map<String, PendingPrediction>> foundPredictions = new HashMap<>();
        Map<String, Map<String, EarlyLabel>> foundLabels = new HashMap<>();
        Set<String> modelNames = new HashSet<>(predictionIds.keySet());
        modelNames.addAll(labelIds.keySet());
        for (String model : modelNames) {
            Set<String> ids = new LinkedHashSet<>(predictionIds.getOrDefault(model, Set.of()));
            ids.addAll(labelIds.getOrDefault(model, Set.of()));
            foundPredictions.put(model, store.findPredictions(model, ids));
            foundLabels.put(model, store.findEarlyLabels(model, ids));
        }
        storedPredictions = foundPredictions;
        storedEarlyLabels = foundLabels;
    }

    private PendingPrediction findPrediction(String model, String id) {
        PendingPrediction p = recentPredictions.getOrDefault(model, Map.of()).get(id);
        return p != null ? p : storedPredictions.getOrDefault(model, Map.of()).get(id);
    }

    private EarlyLabel findEarlyLabel(String model, String id) {
        if (joinedEarlyLabels.getOrDefault(model, Set.of()).contains(id)) {
            return null;
        }
        EarlyLabel l = recentEarlyLabels.getOrDefault(model, Map.of()).get(id);
        return l != null ? l : storedEarlyLabels.getOrDefault(model, Map.of()).get(id);
    }

    private boolean applyPrediction(PredictionEvent e) {
        if (e.id() != null && findPrediction(e.model(), e.id()) != null) {
            return false;
        }
        ModelState model = models.get(e.model());
        if (model == null) {
            ModelSpec spec = ModelSpec.infer(e.model(), e.scores() != null, e.score() != null, e.prediction());
            model = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
            models.put(e.model(), model);
        }
        model.seen(e.timestampMs(), e.version());
        dirtyModels.add(e.model());
        long windowMs = model.spec.windowMs();
        long windowStart = Math.floorDiv(e.timestampMs(), windowMs) * windowMs;
        for (ProfileKey key : keys(e.model(), e.version(), e.segments(), windowMs, windowStart)) {
            deltas.computeIfAbsent(key, k -> new WindowProfile(sketches)).addPrediction(e);
        }
        if (e.id() == null) {
            return true;
        }
        PendingPrediction pending = new PendingPrediction(e.model(), e.id(), e.version(), e.timestampMs(), windowStart,
                windowMs, e.segments(), e.predictedClass(), e.prediction() instanceof Double d ? d : Double.NaN,
                e.score(), e.scores(), false);
        EarlyLabel early = findEarlyLabel(e.model(), e.id());
        if (early != null) {
            addOutcome(pending, early.label(), model.spec);
            pending = pending.asLabeled();
            recentEarlyLabels.getOrDefault(e.model(), new HashMap<>()).remove(e.id());
            joinedEarlyLabels.computeIfAbsent(e.model(), k -> new HashSet<>()).add(e.id());
        }
        recentPredictions.computeIfAbsent(e.model(), k -> new HashMap<>()).put(e.id(), pending);
        return true;
    }

    private boolean applyLabel(LabelEvent l) {
        PendingPrediction p = findPrediction(l.model(), l.id());
        if (p != null) {
            if (p.labeled()) {
                return false;
            }
            ModelState model = models.get(l.model());
            ModelSpec spec = model != null ? model.spec
                    : ModelSpec.infer(l.model(), p.scores() != null, p.score() != null, p.predictedClass());
            addOutcome(p, l.label(), spec);
            recentPredictions.computeIfAbsent(l.model(), k -> new HashMap<>()).put(l.id(), p.asLabeled());
            return true;
        }
        if (findEarlyLabel(l.model(), l.id()) != null) {
            return false;
        }
        recentEarlyLabels.computeIfAbsent(l.model(), k -> new HashMap<>())
                .put(l.id(), new EarlyLabel(l.model(), l.id(), l.label(), l.timestampMs()));
        return true;
    }

    private void addOutcome(PendingPrediction p, Object label, ModelSpec spec) {
        for (ProfileKey key : keys(p.model(), p.version(), p.segments(), p.windowMs(), p.windowStartMs())) {
            deltas.computeIfAbsent(key, k -> new WindowProfile(sketches))
                    .addOutcome(p, label, spec.positiveClass(), spec.task().isClassification());
        }
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

    // ---- flushing ----

    /** Commits the changes since the last flush; false when storage refused (state kept for the next try). */
    boolean flush() {
        boolean changed = !deltas.isEmpty() || !recentPredictions.isEmpty() || !recentEarlyLabels.isEmpty()
                || !joinedEarlyLabels.isEmpty() || !dirtyModels.isEmpty() || !training.isEmpty() || !metrics.isEmpty();
        if (!changed && appliedLsn == committedLsn) {
            return true;
        }
        long t0 = System.nanoTime();
        Map<ProfileKey, WindowProfile> expanded = new HashMap<>();
        for (Map.Entry<ProfileKey, WindowProfile> d : deltas.entrySet()) {
            ProfileKey base = d.getKey();
            expanded.merge(base, d.getValue(), (a, b) -> {
                a.merge(b);
                return a;
            });
            for (long res : new long[] {HOUR, DAY}) {
                if (res <= base.resolutionMs()) {
                    continue;
                }
                ProfileKey rolled = base.atResolution(res);
                WindowProfile existing = expanded.get(rolled);
                if (existing == null) {
                    expanded.put(rolled, d.getValue().copy());
                } else {
                    existing.merge(d.getValue());
                }
            }
        }
        List<PendingPrediction> predictions = new ArrayList<>();
        recentPredictions.values().forEach(m -> predictions.addAll(m.values()));
        List<EarlyLabel> early = new ArrayList<>();
        recentEarlyLabels.values().forEach(m -> early.addAll(m.values()));
        Map<String, List<String>> joined = new HashMap<>();
        joinedEarlyLabels.forEach((m, ids) -> joined.put(m, new ArrayList<>(ids)));
        List<ModelRecord> modelRecords = new ArrayList<>();
        for (String m : dirtyModels) {
            modelRecords.add(models.get(m).record());
        }
        flushCount++;
        try {
            store.commit(new Flush(appliedLsn, expanded, predictions, early, joined, modelRecords, training, metrics));
        } catch (RuntimeException e) {
            LOG.warn("flush to storage failed; keeping {} profiles in memory and the ingest log: {}", deltas.size(),
                    e.getMessage());
            if (observer != null) {
                observer.onFlush(expanded.size(), System.nanoTime() - t0, false);
            }
            return false;
        }
        deltas.clear();
        recentPredictions.clear();
        recentEarlyLabels.clear();
        joinedEarlyLabels.clear();
        dirtyModels.clear();
        training.clear();
        metrics.clear();
        committedLsn = appliedLsn;
        if (observer != null) {
            observer.onFlush(expanded.size(), System.nanoTime() - t0, true);
        }
        onCommitted.accept(committedLsn);
        return true;
    }

    private void expire() {
        long now = clock.millis();
        Map<Long, Long> cutoffs = new HashMap<>();
        for (ModelState s : models.values()) {
            Duration base = retention.get(0L);
            if (base != null) {
                cutoffs.put(s.spec.windowMs(), now - base.toMillis());
            }
        }
        retention.forEach((res, d) -> {
            if (res > 0) {
                cutoffs.put(res, now - d.toMillis());
            }
        });
        try {
            long n = store.expire(now - joinHorizon.toMillis(), cutoffs);
            if (n > 0) {
                LOG.info("expired {} rows past their retention", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry failed: {}", e.getMessage());
        }
    }

    // ---- tasks run through ask() ----

    /** Copies of the uncommitted profiles of one model and segment, for a query. */
    public DeltaSnapshot snapshot(String model, String version, String segment, long fromMs, long toMs) {
        List<Map.Entry<ProfileKey, WindowProfile>> out = new ArrayList<>();
        for (Map.Entry<ProfileKey, WindowProfile> d : deltas.entrySet()) {
            ProfileKey k = d.getKey();
            if (k.model().equals(model) && k.segment().equals(segment)
                    && (version == null || k.version().equals(version))
                    && k.windowStartMs() >= fromMs && k.windowStartMs() < toMs) {
                out.add(Map.entry(k, d.getValue().copy()));
            }
        }
        return new DeltaSnapshot(out, flushCount);
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
            s.spec = spec;
        }
        dirtyModels.add(spec.name());
        ModelRecord r = s.record();
        registry.publish(r);
        return r;
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        CompletableFuture<Void> last = ask(a -> {
            a.flush();
            return null;
        });
        running = false;
        try {
            last.get(30, TimeUnit.SECONDS);
            thread.join(30_000);
        } catch (Exception e) {
            LOG.warn("the aggregation runtime did not stop cleanly: {}", e.toString());
        }
    }

    /** Mutable model bookkeeping, owned by the aggregation thread. */
    private static final class ModelState {
        ModelSpec spec;
        long first;
        long last;
        long predictionCount;
        final TreeSet<String> versions;

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
            versions.add(version);
        }

        ModelRecord record() {
            return new ModelRecord(spec, first, last, predictionCount, versions);
        }
    }
}
