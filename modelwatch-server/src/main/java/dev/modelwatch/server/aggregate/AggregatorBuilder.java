package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What an {@link Aggregator} is made of; see {@link Aggregator#builder}. The flush interval, the
 * join horizon and the retention are required; the rest has defaults made for tests (the system
 * clock and sleep, default sketches and limits, no declared models, no observer).
 */
public final class AggregatorBuilder {
    final Store store;
    final PendingStore pending;
    Clock clock = Clock.systemUTC();
    LongSupplier nanoTime = System::nanoTime;
    Sleeper sleeper = Sleeper.SYSTEM;
    WorkerThreads replayThreads = WorkerThreads.PLAIN;
    SketchSettings sketches = SketchSettings.DEFAULT;
    Map<String, ModelSpec> declared = Map.of();
    Duration flushInterval;
    Duration joinHorizon;
    Map<Long, Duration> retention;
    ModelRegistry registry = new ModelRegistry();
    Aggregator.AggregatorObserver observer;
    long idFilterCapacity = 1_000_000;
    Limits limits = Limits.DEFAULT;
    LimitObserver limitObserver = LimitObserver.NONE;
    int profileThreads = 2;
    int profileChunkUpdates = ProfileUpdates.DEFAULT_CHUNK_UPDATES;

    AggregatorBuilder(Store store, PendingStore pending) {
        this.store = Objects.requireNonNull(store, "store");
        this.pending = Objects.requireNonNull(pending, "pending");
    }

    /** The clock of event windows, commits, expiry and readiness. */
    public AggregatorBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** The monotonic nanosecond counter that times commits, loads and the shutdown grace. */
    public AggregatorBuilder nanoTime(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        return this;
    }

    /** How the runtime waits between retries of a storage step. */
    public AggregatorBuilder sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Makes the store writer's thread and the profile helpers of a replay before {@link Aggregator#start}
     * (which is given its own).
     */
    public AggregatorBuilder replayThreads(WorkerThreads threads) {
        this.replayThreads = Objects.requireNonNull(threads, "replayThreads");
        return this;
    }

    public AggregatorBuilder sketches(SketchSettings sketches) {
        this.sketches = Objects.requireNonNull(sketches, "sketches");
        return this;
    }

    /** The models declared in the configuration. */
    public AggregatorBuilder models(Map<String, ModelSpec> declared) {
        this.declared = Map.copyOf(declared);
        return this;
    }

    /** How often the changes since the last commit are committed (required). */
    public AggregatorBuilder flushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
        return this;
    }

    /** How long a prediction waits for its label (required). */
    public AggregatorBuilder joinHorizon(Duration joinHorizon) {
        this.joinHorizon = joinHorizon;
        return this;
    }

    /** How long the windows of each resolution are kept, {@code 0} for the models' own windows (required). */
    public AggregatorBuilder retention(Map<Long, Duration> retention) {
        this.retention = Map.copyOf(retention);
        return this;
    }

    /** Where the models' records are published for queries. */
    public AggregatorBuilder registry(ModelRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /** Receives the runtime's own measurements; null for none. */
    public AggregatorBuilder observer(Aggregator.AggregatorObserver observer) {
        this.observer = observer;
        return this;
    }

    /** How many pending ids the in-memory filter of known ids is sized for. */
    public AggregatorBuilder idFilterCapacity(long idFilterCapacity) {
        this.idFilterCapacity = idFilterCapacity;
        return this;
    }

    /**
     * @param limits        what each model may grow to (segments, versions, classes) and how much the
     *                      runtime buffers before it commits
     * @param limitObserver counts what is folded past a limit
     */
    public AggregatorBuilder limits(Limits limits, LimitObserver limitObserver) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.limitObserver = Objects.requireNonNull(limitObserver, "limitObserver");
        return this;
    }

    /**
     * The threads that add events to window profiles once started, the aggregation thread included
     * (default 2: it and one helper); 1 makes every update on the aggregation thread. Each profile
     * is still written by one thread at a time (see {@link ProfileUpdates}); a replay before
     * {@link Aggregator#start} has its helpers made by {@link #replayThreads}.
     */
    public AggregatorBuilder profileThreads(int threads) {
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("profileThreads must be within 1..64, not " + threads);
        }
        this.profileThreads = threads;
        return this;
    }

    /** How many profile updates are recorded before they are applied together (tests make it small). */
    AggregatorBuilder profileChunkUpdates(int updates) {
        this.profileChunkUpdates = updates;
        return this;
    }

    /** A runtime recovered from what {@code store} and {@code pending} hold; replay it, then {@link Aggregator#start}. */
    public Aggregator build() {
        require(flushInterval, "flushInterval");
        require(joinHorizon, "joinHorizon");
        require(retention, "retention");
        return new Aggregator(this);
    }

    private static void require(Object value, String name) {
        if (value == null) {
            throw new IllegalStateException(name + " is required: set it with AggregatorBuilder." + name + "(...)");
        }
    }
}
