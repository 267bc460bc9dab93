package dev.modelwatch.server;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.api.ApiServer;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.ModelSeriesSource;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.ingest.IngestAdmission;
import dev.modelwatch.server.ingest.IngestLimits;
import dev.modelwatch.server.ingest.LogRecord;
import dev.modelwatch.server.ops.ModelMetricsCollector;
import dev.modelwatch.server.ops.ServerMetrics;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ModelWatch server: storage, the durable ingest log, the aggregation runtime and the
 * HTTP API, wired together. The only place that builds the pipeline with {@code new}.
 *
 * <pre>{@code
 * try (ModelWatchServer server = ModelWatchServer.start(ServerConfig.defaults().withPort(0), Clock.systemUTC())) {
 *     System.out.println("listening on " + server.port());
 * }
 * }</pre>
 */
public final class ModelWatchServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelWatchServer.class);

    private final Store store;
    private final PendingStore pending;
    private final DurableLog log;
    private final Aggregator aggregator;
    private final ApiServer api;
    private final AlertRuntime alerts;
    private final int port;
    private volatile boolean closed;

    private ModelWatchServer(Store store, PendingStore pending, DurableLog log, Aggregator aggregator, ApiServer api,
                             AlertRuntime alerts, int port) {
        this.alerts = alerts;
        this.store = store;
        this.pending = pending;
        this.log = log;
        this.aggregator = aggregator;
        this.api = api;
        this.port = port;
    }

    public static ModelWatchServer start(ServerConfig config, Clock clock) {
        long t0 = System.nanoTime();
        Store store = Stores.open(config.jdbcUrl(), config.sketches());
        PendingStore pending = RocksPendingStore.open(config.dataDir().resolve("pending"),
                (int) Math.min(Integer.MAX_VALUE, config.joinHorizon().toSeconds()));
        ServerMetrics metrics = new ServerMetrics();
        ModelRegistry registry = new ModelRegistry();
        Aggregator aggregator = new Aggregator(store, pending, clock, config.sketches(), config.models(), config.flushInterval(),
                config.joinHorizon(), Map.of(0L, config.retentionBase(), 3_600_000L, config.retentionHour(),
                86_400_000L, config.retentionDay()), registry, metrics, config.idFilterCapacity(), config.limits(), metrics);
        DurableLog log = DurableLog.open(config.dataDir().resolve("log"), config.logSegmentBytes(), config.fsync());
        AtomicLong replayed = new AtomicLong();
        // replay accepts at least what ingest accepted (the record names what was rejected)
        EventDecoder replayDecoder = new EventDecoder(new IngestLimits(Long.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Duration.ofDays(365L * 1000), Duration.ofDays(365L * 1000)), clock);
        log.replay(aggregator.replayFrom(), (byte[] payload, long lsnStart, long lsnEnd) -> {
            List<Event> events = LogRecord.decode(payload).events(replayDecoder);
            replayed.addAndGet(events.size());
            aggregator.replay(events, lsnStart, lsnEnd);
        });
        // the models and feature names tracked so far: what ingest checks the limits against
        IngestAdmission admission = new IngestAdmission(config.limits(), metrics);
        aggregator.admittedFeatures().forEach(admission::seed);
        if (admission.models() > config.limits().maxModels()) {
            LOG.warn("{} models are tracked, more than limits.max_models = {}: events of other models are rejected",
                    admission.models(), config.limits().maxModels());
        }
        aggregator.onCommitted(log::truncateBefore);
        aggregator.start();
        try {
            aggregator.flushNow().get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.warn("could not commit the replayed events yet ({}); they stay in the ingest log", e.getMessage());
        }
        @SuppressWarnings("unchecked")
        DurableLog.Listener listener = (start, end, attachment) -> aggregator.submit((List<Event>) attachment, start, end);
        log.start(listener, metrics);
        metrics.gauge("modelwatch_aggregator_queued_events", "Durable events waiting to be aggregated",
                aggregator::queuedEvents);
        metrics.gauge("modelwatch_log_retained_bytes", "Bytes of ingest log not yet truncated", log::retainedBytes);
        metrics.gauge("modelwatch_aggregator_queued_event_bytes", "Estimated heap of the events waiting to be "
                + "aggregated (limits.max_queued_event_bytes)", aggregator::queuedEventBytes);
        metrics.counter("modelwatch_aggregator_memory_commits", "Commits started because the buffered profiles "
                + "reached limits.max_buffered_profile_bytes", aggregator::budgetCommits);
        ProfileQuery query = new ProfileQuery(store, aggregator, config.sketches());
        metrics.register(new ModelMetricsCollector(registry, query, clock, config.expositionWindow()));
        EventDecoder decoder = new EventDecoder(new IngestLimits(config.maxBodyBytes(), config.maxEventsPerRequest(),
                config.maxFeatures(), config.maxEventAge(), config.maxFutureSkew()), clock);
        DriftService drift = new DriftService(store, query, config.drift(), clock,
                config.limits().maxCachedReferenceBytes());
        AlertRuntime alerts = new AlertRuntime(config.alerting(), store,
                new ModelSeriesSource(registry, query, drift, clock), clock,
                () -> registry.all().stream().map(m -> m.spec().windowMs()).collect(java.util.stream.Collectors.toSet()),
                new AlertRuntime.Observer() {
                    @Override
                    public void onEvaluationLag(double seconds) {
                        metrics.onEvaluationLag(seconds);
                    }

                    @Override
                    public void onEvaluation(long nanos) {
                        metrics.onEvaluation(nanos);
                    }

                    @Override
                    public void onDelivery(String outcome) {
                        metrics.onDelivery(outcome);
                    }
                });
        alerts.start();
        ApiServer api = new ApiServer(config, decoder, log, aggregator, registry, query, store, metrics, drift, alerts,
                clock, admission);
        int port = api.start();
        LOG.info("modelwatch listening on http://{}:{} (storage {}, data dir {}, replayed {} events, started in {} ms)",
                config.bind(), port, store.kind(), config.dataDir().toAbsolutePath(), replayed.get(),
                (System.nanoTime() - t0) / 1_000_000);
        return new ModelWatchServer(store, pending, log, aggregator, api, alerts, port);
    }

    public int port() {
        return port;
    }

    /** Stops accepting requests, aggregates what was acknowledged, commits it, and closes storage. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down: finishing requests, flushing open windows");
        api.stop();
        log.close();
        alerts.close();
        aggregator.close();
        pending.close();
        store.close();
        LOG.info("shut down cleanly");
    }

    /** The aggregation runtime, for tests in this package that must hold it still. */
    Aggregator aggregator() {
        return aggregator;
    }

    /** Waits until the aggregation runtime has applied every acknowledged event (for tests and the demo). */
    public void awaitAggregated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (aggregator.queuedEvents() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
