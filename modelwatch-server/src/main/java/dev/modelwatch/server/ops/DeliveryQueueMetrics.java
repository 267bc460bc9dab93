package dev.modelwatch.server.ops;

import dev.modelwatch.server.alert.delivery.DeliveryQueue;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.Supplier;

/**
 * Each alert delivery queue (one per receiver integration) at {@code /metrics}, labelled
 * {@code receiver} and {@code integration}: queue depth, oldest pending age, attempts and outcomes.
 */
public final class DeliveryQueueMetrics implements MultiCollector {
    private final Supplier<List<DeliveryQueue>> queues;

    public DeliveryQueueMetrics(Supplier<List<DeliveryQueue>> queues) {
        this.queues = queues;
    }

    @Override
    public MetricSnapshots collect() {
        GaugeSnapshot.Builder depth = GaugeSnapshot.builder().name("modelwatch_notification_queue_depth")
                .help("Notifications waiting to be delivered (due or retrying), per receiver integration");
        GaugeSnapshot.Builder oldest = GaugeSnapshot.builder().name("modelwatch_notification_oldest_pending_seconds")
                .help("How long the oldest waiting notification has waited, per receiver integration");
        CounterSnapshot.Builder attempts = CounterSnapshot.builder().name("modelwatch_notification_attempts")
                .help("Delivery attempts (a time-out is one), per receiver integration");
        CounterSnapshot.Builder outcomes = CounterSnapshot.builder().name("modelwatch_notification_outcomes")
                .help("Notifications settled, per receiver integration and outcome (delivered, failed, superseded)");
        for (DeliveryQueue q : queues.get()) {
            Labels labels = Labels.of("receiver", q.receiver(), "integration", q.integrationName());
            depth.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(q.depth()).build());
            oldest.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                    .value(q.oldestPendingAgeSeconds()).build());
            attempts.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(q.attempts()).build());
            outcomes.dataPoint(counter(labels, "delivered", q.delivered()));
            outcomes.dataPoint(counter(labels, "failed", q.failed()));
            outcomes.dataPoint(counter(labels, "superseded", q.superseded()));
        }
        return MetricSnapshots.of(depth.build(), oldest.build(), attempts.build(), outcomes.build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot counter(Labels labels, String outcome, long value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels.add("outcome", outcome)).value(value)
                .build();
    }
}
