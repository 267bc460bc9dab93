package dev.modelwatch.server.ops;

import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.store.ModelRecord;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every model's latest metrics as gauges, e.g. {@code modelwatch_model_accuracy{model="fraud",version="v3"}},
 * computed over the trailing {@code metrics.exposition_window} at scrape time.
 */
public final class ModelMetricsCollector implements MultiCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ModelMetricsCollector.class);

    private final ModelRegistry models;
    private final ProfileQuery query;
    private final Clock clock;
    private final Duration window;

    public ModelMetricsCollector(ModelRegistry models, ProfileQuery query, Clock clock, Duration window) {
        this.models = models;
        this.query = query;
        this.clock = clock;
        this.window = window;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        long now = clock.millis();
        for (ModelRecord m : models.all()) {
            for (String version : m.versions()) {
                WindowProfile p;
                try {
                    p = query.range(m.spec(), version, ProfileKey.ALL, now - window.toMillis(), now);
                } catch (RuntimeException e) {
                    LOG.warn("cannot compute metrics of model {} for /metrics: {}", m.name(), e.getMessage());
                    continue;
                }
                if (p.isEmpty()) {
                    continue;
                }
                for (MetricCatalog.MetricValue v : MetricCatalog.values(p, m.spec(), window.toMillis(),
                        MetricCatalog.MODEL_METRICS)) {
                    String name = "modelwatch_model_" + v.name();
                    gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n)
                            .help("Model metric " + v.name() + " over the trailing " + window.toMinutes() + " minutes"))
                            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                    .labels(Labels.of("model", m.name(), "version", version)).value(v.value()).build());
                }
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        gauges.values().forEach(b -> out.add(b.build()));
        return new MetricSnapshots(out);
    }
}
