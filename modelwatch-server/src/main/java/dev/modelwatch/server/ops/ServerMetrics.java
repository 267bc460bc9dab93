package dev.modelwatch.server.ops;

import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.server.ingest.DurableLog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * The server's own metrics (ingest, log, aggregation, storage) plus any extra collectors (the
 * models' latest metrics), exposed in the Prometheus text format at {@code /metrics}.
 *
 * <p>No metric keeps exemplars: the server attaches no trace context to them, and the client's
 * exemplar sampler, run on every observation, took ~11% of the log writer's samples (one fsync
 * histogram observation a group commit).
 */
public final class ServerMetrics implements DurableLog.Observer, Aggregator.AggregatorObserver, LimitObserver {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter events = Counter.builder().withoutExemplars().name("modelwatch_ingest_events_total")
            .help("Events received, by outcome (accepted, rejected)").labelNames("outcome").register(registry);
    private final Counter requests = Counter.builder().withoutExemplars().name("modelwatch_ingest_requests_total")
            .help("Ingest requests, by HTTP status").labelNames("status").register(registry);
    private final Histogram requestSeconds = Histogram.builder().withoutExemplars().name("modelwatch_ingest_request_duration_seconds")
            .help("Time to read, validate and durably log an ingest request").classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    private final Histogram fsyncSeconds = Histogram.builder().withoutExemplars().name("modelwatch_log_fsync_duration_seconds")
            .help("Duration of each group-commit fsync of the ingest log").classicOnly()
            .classicUpperBounds(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .register(registry);
    private final Counter logRecords = Counter.builder().withoutExemplars().name("modelwatch_log_records_total")
            .help("Records appended to the ingest log").register(registry);
    private final Counter logBytes = Counter.builder().withoutExemplars().name("modelwatch_log_bytes_total")
            .help("Bytes appended to the ingest log").register(registry);
    private final Counter applied = Counter.builder().withoutExemplars().name("modelwatch_aggregated_events_total")
            .help("Events applied to window profiles").register(registry);
    private final Counter duplicates = Counter.builder().withoutExemplars().name("modelwatch_duplicate_events_total")
            .help("Replayed predictions and labels recognised by (model, id) and not counted again").register(registry);
    private final Histogram flushSeconds = Histogram.builder().withoutExemplars().name("modelwatch_flush_duration_seconds")
            .help("Duration of each commit of window profiles to storage").classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    private final Counter flushFailures = Counter.builder().withoutExemplars().name("modelwatch_flush_failures_total")
            .help("Commits to storage that failed (retried at the next interval)").register(registry);

    private final Counter modelCommitFailures = Counter.builder().withoutExemplars().name("modelwatch_model_commit_failures_total")
            .help("Commits in which storage refused one model's changes while the others were committed, by model")
            .labelNames("model").register(registry);
    private final Counter parkedEvents = Counter.builder().withoutExemplars().name("modelwatch_dead_letter_events_total")
            .help("Events parked in the dead-letter directory because storage kept refusing their model, by model")
            .labelNames("model").register(registry);

    private final Histogram evaluationLag = Histogram.builder().withoutExemplars().name("modelwatch_alert_evaluation_lag_seconds")
            .help("From a model window's close to the first rule evaluation that saw it closed").classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60).register(registry);
    private final Histogram evaluationSeconds = Histogram.builder().withoutExemplars().name("modelwatch_alert_evaluation_duration_seconds")
            .help("Duration of one evaluation of every rule and the dispatch that follows").classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    private final Counter notifications = Counter.builder().withoutExemplars().name("modelwatch_notifications_total")
            .help("Notification delivery outcomes (delivered, retry, failed, superseded)").labelNames("outcome")
            .register(registry);

    private final Counter folded = Counter.builder().withoutExemplars().name("modelwatch_limit_folded_values_total")
            .help("Values counted under __other__ past a limit (limits: in modelwatch.yml): an event's version, "
                    + "segment key, segment value, predicted or true class, or class probabilities; by limit and model").labelNames("limit", "model").register(registry);
    private final Counter limitRejected = Counter.builder().withoutExemplars().name("modelwatch_limit_rejected_events_total")
            .help("Events rejected at ingest past a limit (limits: in modelwatch.yml), by limit and model (empty for "
                    + "the models limit: a rejected model's name is not kept)").labelNames("limit", "model")
            .register(registry);

    @Override
    public void onFolded(String limit, String model) {
        folded.labelValues(limit, model).inc();
    }

    @Override
    public void onRejected(String limit, String model) {
        limitRejected.labelValues(limit, model == null ? "" : model).inc();
    }

    /** A window closed {@code seconds} before the evaluation that first saw it. */
    public void onEvaluationLag(double seconds) {
        evaluationLag.observe(seconds);
    }

    public void onEvaluation(long nanos) {
        evaluationSeconds.observe(nanos / 1e9);
    }

    public void onDelivery(String outcome) {
        notifications.labelValues(outcome).inc();
    }

    public void gauge(String name, String help, LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    /** A counter read from {@code value} at each scrape ({@code name} without the {@code _total} suffix). */
    public void counter(String name, String help, LongSupplier value) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    public void register(MultiCollector collector) {
        registry.register(collector);
    }

    public void onRequest(int status, long nanos, int accepted, int rejected) {
        requests.labelValues(Integer.toString(status)).inc();
        requestSeconds.observe(nanos / 1e9);
        if (accepted > 0) {
            events.labelValues("accepted").inc(accepted);
        }
        if (rejected > 0) {
            events.labelValues("rejected").inc(rejected);
        }
    }

    @Override
    public void onGroupCommit(int records, long bytes, long fsyncNanos) {
        logRecords.inc(records);
        logBytes.inc(bytes);
        fsyncSeconds.observe(fsyncNanos / 1e9);
    }

    @Override
    public void onApplied(int n, int dups) {
        applied.inc(n - dups);
        if (dups > 0) {
            duplicates.inc(dups);
        }
    }

    /** {@code modelwatch_aggregated_events_total}: events applied to window profiles, duplicates not counted. */
    public long aggregatedEvents() {
        return (long) applied.get();
    }

    @Override
    public void onFlush(int profiles, long nanos, boolean ok) {
        flushSeconds.observe(nanos / 1e9);
        if (!ok) {
            flushFailures.inc();
        }
    }

    @Override
    public void onModelCommitFailure(String model) {
        modelCommitFailures.labelValues(model).inc();
    }

    @Override
    public void onModelParked(String model, long events) {
        parkedEvents.labelValues(model).inc(events);
    }

    /** The whole exposition in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
