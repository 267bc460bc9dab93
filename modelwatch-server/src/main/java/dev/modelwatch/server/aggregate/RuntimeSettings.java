package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What the parts of one runtime are given alike: the stores, time, how often to commit, the limits,
 * where models are published and measured, how to retry, and the threads of a replay's store writer.
 */
record RuntimeSettings(Store store, PendingStore pending, Clock clock, LongSupplier nanoTime, Duration flushInterval,
                       Limits limits, ModelRegistry registry, Aggregator.AggregatorObserver observer, Retries retries,
                       WorkerThreads replayThreads) {
}
