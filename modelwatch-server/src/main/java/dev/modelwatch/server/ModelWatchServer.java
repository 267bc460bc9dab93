package dev.modelwatch.server;

import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.api.DiagnosisRoutes;
import dev.modelwatch.server.diagnosis.ProfileDiagnoser;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.Sleeper;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.api.ApiServer;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.TlsContext;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import dev.modelwatch.server.config.ConfigException;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.deadletter.DeadLetters;
import dev.modelwatch.server.health.HealthProblem;
import dev.modelwatch.server.health.ProcessExit;
import dev.modelwatch.server.health.Readiness;
import dev.modelwatch.server.health.Workers;
import java.security.SecureRandom;
import dev.modelwatch.server.api.TrainingRoutes;
import dev.modelwatch.server.api.ResourceRoutes;
import dev.modelwatch.server.training.TrainingProblemSeries;
import dev.modelwatch.server.training.TrainingRuns;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.incident.ActionHooks;
import dev.modelwatch.server.api.IncidentRoutes;
import dev.modelwatch.server.incident.Incidents;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.alert.CombinedSeriesSource;
import dev.modelwatch.server.alert.ModelSeriesSource;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.ingest.IngestAdmission;
import dev.modelwatch.server.ingest.IngestLimits;
import dev.modelwatch.server.ingest.LogRecord;
import dev.modelwatch.server.ingest.LogTrimmer;
import dev.modelwatch.server.ops.ModelMetricsCollector;
import dev.modelwatch.server.ops.ServerMetrics;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
    private static final long TOKEN_RELOAD_MS = 30_000;

    private final Store store;
    private final PendingStore pending;
    private final DurableLog log;
    /** Drops the ingest log behind each commit. */
    private final LogTrimmer trimmer;
    private final Aggregator aggregator;
    private final ServerMetrics metrics;
    private final ApiServer api;
    private final AlertRuntime alerts;
    private final Workers workers;
    private final Duration shutdownGrace;
    private final int port;
    /** The incidents' and the dashboard's threads, stopped at close. */
    private final List<ExecutorService> executors;
    private volatile boolean closed;
    /** Threads of the incidents' diagnoses and action hooks (a command hook takes two while it runs). */
    static final int INCIDENT_THREADS = 8;

    private ModelWatchServer(Store store, PendingStore pending, DurableLog log, LogTrimmer trimmer,
                             Aggregator aggregator, ServerMetrics metrics, ApiServer api, AlertRuntime alerts, Workers workers,
                             Duration shutdownGrace, int port, List<ExecutorService> executors) {
        this.metrics = metrics;
        this.executors = executors;
        this.alerts = alerts;
        this.workers = workers;
        this.shutdownGrace = shutdownGrace;
        this.store = store;
        this.pending = pending;
        this.log = log;
        this.trimmer = trimmer;
        this.aggregator = aggregator;
        this.api = api;
        this.port = port;
    }

    /** Starts a server that ends the process when one of its workers dies. */
    /**
     * The configured receivers with their notifiers built, sharing one HTTP client; their messages link
     * to the dashboard at {@link #linkBase}.
     */
    public static AlertingConfig withNotifiers(ServerConfig config, Clock clock) {
        return withNotifiers(config, clock, IncidentLinks.NONE);
    }

    /**
     * The configured receivers with their notifiers built, sharing one HTTP client; their messages link
     * to the dashboard at {@link #linkBase} and to each alert's incident found by {@code links}.
     */
    public static AlertingConfig withNotifiers(ServerConfig config, Clock clock, IncidentLinks links) {
        AlertingConfig alerting = config.alerting();
        if (alerting.receiverConfigs().isEmpty()) {
            return alerting;
        }
        HttpClient http = dev.modelwatch.server.alert.notify.receiver.Notifiers.httpClient(java.time.Duration.ofSeconds(5));
        String base = linkBase(config);
        return alerting.withIntegrations(r -> dev.modelwatch.server.alert.notify.receiver.Notifiers.forReceiver(r, http,
                clock, base, links));
    }

    /**
     * The URL notifications link to: {@code server.external_url}, else the listening URL (a wildcard
     * address as {@code localhost}); "" (links from the server's root) when the port is chosen at start.
     */
    static String linkBase(ServerConfig config) {
        if (config.access().externalUrl() != null) {
            return config.access().externalUrl();
        }
        if (config.port() == 0) {
            return "";
        }
        String bind = config.bind();
        String host = "0.0.0.0".equals(bind) || "::".equals(bind) || bind.isEmpty() ? "localhost"
                : bind.contains(":") ? "[" + bind + "]" : bind;
        return config.access().scheme() + "://" + host + ":" + config.port();
    }

    public static ModelWatchServer start(ServerConfig config, Clock clock) {
        return start(config, clock, ProcessExit.system(config.shutdownGrace()));
    }

    /**
     * Starts a server.
     *
     * @param exit what ends the process when a worker dies (tests pass one that records the call)
     */
    public static ModelWatchServer start(ServerConfig config, Clock clock, ProcessExit exit) {
        return start(config, clock, exit, UnaryOperator.identity());
    }

    /**
     * Starts a server whose storage is seen through {@code storeView}: fault-injection tests wrap it
     * in a store that fails on purpose.
     */
    public static ModelWatchServer start(ServerConfig config, Clock clock, ProcessExit exit,
                                         UnaryOperator<Store> storeView) {
        return start(config, clock, exit, storeView, null);
    }

    /**
     * Starts a server whose incidents are explained by {@code scripted} (tests pass a scripted diagnoser;
     * null: the profile diagnoser, docs/diagnosis.md).
     */
    public static ModelWatchServer start(ServerConfig config, Clock clock, ProcessExit exit,
                                         UnaryOperator<Store> storeView, Diagnoser scripted) {
        long t0 = System.nanoTime();
        Workers workers = new Workers(exit);
        SslContextFactory.Server tls;
        try {
            tls = config.access().tls() == null ? null : TlsContext.of(config.access().tls(), System::getenv);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("refusing to start", List.of(e.getMessage()));
        }
        Store store = storeView.apply(Stores.open(config.jdbcUrl(), config.sketches(), clock));
        ApiTokens tokens;
        boolean tokensRequired = config.access().tokensRequired(config.bind());
        try {
            tokens = accessChecks(config, store, clock);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        PendingStore pending = RocksPendingStore.open(config.dataDir().resolve("pending"),
                (int) Math.min(Integer.MAX_VALUE, config.joinHorizon().toSeconds()));
        ServerMetrics metrics = new ServerMetrics();
        ModelRegistry registry = new ModelRegistry();
        Aggregator aggregator = Aggregator.builder(store, pending).clock(clock).nanoTime(System::nanoTime)
                .sleeper(Sleeper.SYSTEM).replayThreads(WorkerThreads.PLAIN).sketches(config.sketches())
                .models(config.models()).flushInterval(config.flushInterval()).joinHorizon(config.joinHorizon())
                .retention(Map.of(0L, config.retentionBase(), 3_600_000L, config.retentionHour(),
                        86_400_000L, config.retentionDay()))
                .registry(registry).observer(metrics).idFilterCapacity(config.idFilterCapacity())
                .profileThreads(config.profileThreads())
                .limits(config.limits(), metrics).build();
        DurableLog log = DurableLog.open(config.dataDir().resolve("log"), config.logSegmentBytes(), config.fsync(),
                clock);
        AtomicLong replayed = new AtomicLong();
        // replay accepts at least what ingest accepted (the record names what was rejected)
        EventDecoder replayDecoder = new EventDecoder(new IngestLimits(Long.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Duration.ofDays(365L * 1000), Duration.ofDays(365L * 1000)), clock);
        TrainingRuns runs = TrainingRuns.load(store.trainingRuns(), clock, config.training());
        log.replay(aggregator.replayFrom(), (byte[] payload, long lsnStart, long lsnEnd) -> {
            List<Event> events = LogRecord.decode(payload).events(replayDecoder);
            replayed.addAndGet(events.size());
            runs.accept(events, lsnStart, lsnEnd);
            aggregator.replay(events, lsnStart, lsnEnd);
        });
        // the models and feature names tracked so far: what ingest checks the limits against
        IngestAdmission admission = new IngestAdmission(config.limits(), metrics);
        aggregator.admittedFeatures().forEach(admission::seed);
        if (admission.models() > config.limits().maxModels()) {
            LOG.warn("{} models are tracked, more than limits.max_models = {}: events of other models are rejected",
                    admission.models(), config.limits().maxModels());
        }
        // the training runs are stored before the log they were built from is dropped; both off the
        // aggregation thread, which calls this after each commit (see LogTrimmer)
        LogTrimmer trimmer = new LogTrimmer(log, runs::persist, workers);
        aggregator.onCommitted(trimmer::committed);
        DeadLetters deadLetters = new DeadLetters(DeadLetters.in(config.dataDir()), log, replayDecoder, clock);
        aggregator.isolateFailingModels(config.parkAfter(), deadLetters, new java.util.SplittableRandom());
        aggregator.start(workers);
        try {
            aggregator.flushNow().get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.warn("could not commit the replayed events yet ({}); they stay in the ingest log", e.getMessage());
        }
        @SuppressWarnings("unchecked")
        DurableLog.Listener listener = (start, end, attachment) -> {
            runs.accept((List<Event>) attachment, start, end);
            aggregator.submit((List<Event>) attachment, start, end);
        };
        log.start(listener, metrics, workers);
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
        // the probable causes of a model's trouble, from what the server keeps (docs/diagnosis.md)
        Diagnoser diagnoser = scripted != null ? scripted : new ProfileDiagnoser(
                new ProfileDiagnoser.Sources(registry, aggregator, query, drift, config.drift(), store, runs), clock);
        // incidents: diagnoses and action hooks run on their own threads, never on the evaluation thread
        ExecutorService incidentWork = Executors.newFixedThreadPool(INCIDENT_THREADS, daemonThreads("incident-work-"));
        ScheduledExecutorService incidentRetries = Executors.newSingleThreadScheduledExecutor(
                daemonThreads("incident-retry-"));
        ActionHooks hooks = new ActionHooks(dev.modelwatch.server.alert.notify.receiver.Notifiers.httpClient(
                Duration.ofSeconds(5)), incidentRetries, incidentWork, clock, new java.util.SplittableRandom(),
                RetryPolicy.DEFAULT);
        String externalUrl = linkBase(config);
        Incidents incidents = Incidents.builder(store.incidents(), config.incidents()).clock(clock).diagnoser(diagnoser)
                .work(incidentWork).hooks(hooks).externalUrl(externalUrl).modelsOfRun(runs::modelsOf).build();
        AlertRuntime alerts = AlertRuntime.builder(withNotifiers(config, clock, incidents), store,
                        new CombinedSeriesSource(List.of(new ModelSeriesSource(registry, query, drift, clock),
                                new TrainingProblemSeries(runs))))
                .clock(clock)
                .listener(incidents)
                .random(new java.util.SplittableRandom())
                .windowLengths(() -> registry.all().stream().map(m -> m.spec().windowMs())
                        .collect(java.util.stream.Collectors.toSet()))
                .observer(new AlertRuntime.Observer() {
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
                })
                .build();
        metrics.register(new dev.modelwatch.server.ops.DeliveryQueueMetrics(alerts::deliveryQueues));
        // the alert delivery workers: one per receiver integration, plus the outbox's expiry
        alerts.start(workers, dev.modelwatch.server.alert.delivery.DeliveryQueues.newWorkerPool(workers));
        Duration stallAfter = config.flushInterval().multipliedBy(5).plusSeconds(10);
        Readiness readiness = new Readiness(workers, store::isReachable, aggregator::queuedEvents, List.of(
                () -> log.writeProblem().map(p -> List.of(HealthProblem.blocking("ingest log", p))).orElse(List.of()),
                () -> aggregator.healthProblems(stallAfter),
                () -> heldModelProblems(aggregator, config.parkAfter()),
                () -> deadLetterProblems(deadLetters)));
        ApiServer api = new ApiServer(config, new ApiServer.Ingest(decoder, log, admission, deadLetters),
                new ApiServer.Data(aggregator, registry, query, store, drift, alerts),
                new ApiServer.Security(tokens, tokensRequired, tls), new ApiServer.Operations(readiness, metrics), clock,
                System::nanoTime);
        dev.modelwatch.server.web.DashboardSessions sessions = new dev.modelwatch.server.web.DashboardSessions(tokens,
                new java.security.SecureRandom(), clock);
        ScheduledExecutorService dashboardWork = Executors.newSingleThreadScheduledExecutor(daemonThreads("dashboard-"));
        api.sessions(sessions)
                .add(new dev.modelwatch.server.web.Dashboard(new dev.modelwatch.server.web.DashboardSources(registry, query,
                        drift, alerts, clock, sessions, runs), dashboardWork))
                .add(new TrainingRoutes(runs))
                .add(new ResourceRoutes(store, runs, clock))
                .add(new DiagnosisRoutes(diagnoser, clock, () -> alerts.config().rules().stream()
                        .map(dev.modelwatch.server.alert.lifecycle.AlertRule::name)
                        .collect(java.util.stream.Collectors.toSet())))
                .add(new IncidentRoutes(incidents));
        int port = api.start();
        LOG.info("modelwatch listening on {}://{}:{} (storage {}, data dir {}, replayed {} events, started in {} ms)",
                config.access().scheme(), config.bind(), port, store.kind(), config.dataDir().toAbsolutePath(), replayed.get(),
                (System.nanoTime() - t0) / 1_000_000);
        return new ModelWatchServer(store, pending, log, trimmer, aggregator, metrics, api, alerts, workers,
                config.shutdownGrace(), port, List.of(incidentWork, incidentRetries, dashboardWork));
    }

    /** A factory of daemon threads named {@code prefix} and a number. */
    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The API tokens the server checks, or null with {@code server.insecure_no_auth}; refuses to start
     * a server bound beyond loopback when no valid token exists (it would be open to anyone).
     */
    private static ApiTokens accessChecks(ServerConfig config, Store store, Clock clock) {
        if (config.access().insecureNoAuth()) {
            LOG.warn("!!! INSECURE: token checks are off (--insecure-no-auth / server.insecure_no_auth). Anyone who"
                    + " reaches {}:{} can read every model, silence every alert, replace references and tokens. !!!",
                    config.bind(), config.port());
            return null;
        }
        ApiTokens tokens = new ApiTokens(store.tokens(), clock, new SecureRandom(), TOKEN_RELOAD_MS);
        boolean required = config.access().tokensRequired(config.bind());
        if (required && !tokens.anyValid()) {
            throw new ConfigException("refusing to start", List.of("the server would listen on " + config.bind()
                    + (AccessConfig.isLoopback(config.bind()) ? " with server.auth: required" : ", beyond loopback,")
                    + " and no API token exists, so nobody could use it and it would not be safe to open it."
                    + " Create one first: modelwatch token create --name admin --scope admin,read,ingest"
                    + " (with the same --config/--db/--data-dir), or start with --insecure-no-auth"
                    + " (server.insecure_no_auth: true) to run without tokens"));
        }
        LOG.info("API tokens: {} ({} valid)", required ? "required" : "optional on loopback",
                tokens.all().stream().filter(t -> !t.revoked()).count());
        return tokens;
    }

    public int port() {
        return port;
    }

    /**
     * Stops accepting requests, aggregates what was acknowledged, commits it, and closes storage,
     * all within {@code server.shutdown_grace}: whatever is not committed by then stays in the ingest
     * log (the log says so) and is replayed at the next start.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        LOG.info("shutting down within {} s: finishing requests, flushing open windows", shutdownGrace.toSeconds());
        workers.stopping();
        api.stop();
        log.close(left(deadline));
        alerts.close(left(deadline));
        executors.forEach(ExecutorService::shutdownNow);
        aggregator.close(left(deadline));
        trimmer.close(left(deadline)); // the last commit's trim, before the store the training runs go to closes
        pending.close();
        store.close();
        if (System.nanoTime() < deadline) {
            LOG.info("shut down cleanly");
        } else {
            LOG.warn("shut down after the grace period of {} s ran out; what was left undone is named above and stays "
                    + "in the ingest log", shutdownGrace.toSeconds());
        }
    }

    /** Each model whose writes storage refuses: the server works, that model's data does not reach storage. */
    private static List<HealthProblem> heldModelProblems(Aggregator aggregator, Duration parkAfter) {
        List<HealthProblem> out = new java.util.ArrayList<>();
        for (Aggregator.HoldView h : aggregator.heldModels()) {
            String name = h.model().isEmpty() ? "metrics without a model" : "model " + h.model();
            out.add(HealthProblem.degraded(name, "storage refuses its writes since "
                    + java.time.Instant.ofEpochMilli(h.sinceMs()) + " (" + h.error() + "); retried, and parked in the "
                    + "dead-letter directory " + parkAfter.toSeconds() + " s after the first refusal"));
        }
        return out;
    }

    /** Parked events waiting for an operator. */
    private static List<HealthProblem> deadLetterProblems(DeadLetters deadLetters) {
        List<HealthProblem> out = new java.util.ArrayList<>();
        for (dev.modelwatch.server.deadletter.DeadLetterEntry e : deadLetters.list(false)) {
            out.add(HealthProblem.degraded("dead letter " + e.id(), e.events() + " events of "
                    + (e.model().isEmpty() ? "metrics without a model" : "model " + e.model()) + " parked at "
                    + e.parkedAt() + " (" + e.reason() + "); replay them once the cause is fixed"));
        }
        return out;
    }

    /** What is left of the grace period, at least 1 ms. */
    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    /** The HTTP API, for tests that walk its route table. */
    public ApiServer api() {
        return api;
    }

    /** The aggregation runtime, for tests in this package that must hold it still. */
    Aggregator aggregator() {
        return aggregator;
    }

    /** The alert pipeline, for tests in this package that drive evaluations at chosen times. */
    AlertRuntime alerts() {
        return alerts;
    }

    /**
     * Evaluates every alerting rule at {@code nowMs} at once, as the evaluation loop would (for
     * benchmarks and replays that drive event time themselves, with a clock they set).
     */
    public void evaluateAlerts(long nowMs) {
        alerts.evaluateOnce(nowMs);
    }

    /**
     * Events applied to window profiles since the start, replayed ones included and duplicates not
     * ({@code modelwatch_aggregated_events_total}), read without waiting on the aggregator (for benchmarks
     * that count what was aggregated over an interval).
     */
    public long aggregatedEvents() {
        return metrics.aggregatedEvents();
    }

    /** Durable events not yet aggregated ({@code modelwatch_aggregator_queued_events}), without waiting. */
    public long queuedEvents() {
        return aggregator.queuedEvents();
    }

    /** Waits until the aggregation runtime has applied every acknowledged event (for tests and the demo). */
    public void awaitAggregated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (aggregator.queuedEvents() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
