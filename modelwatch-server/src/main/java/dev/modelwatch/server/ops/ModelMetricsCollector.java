package dev.modelwatch.server.ops;

import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.store.ModelRecord;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every model's latest metrics as gauges, e.g. {@code modelwatch_model_accuracy{model="fraud",version="v3"}},
 * over the trailing {@code metrics.exposition_window}.
 *
 * <p>A scrape computes only the models whose answer can have changed since the last one; the others'
 * values are kept (0.6–1.2 KiB a model with data in the range: the values, their gauges' shared names
 * and the labels). A model's answer depends on its data (its {@link ModelRegistry#change} sequence,
 * which moves with every applied event, late label, spec or reference) and on which of its windows lie
 * in the trailing range: its data lie between the windows of its first and last events, so the range
 * clipped to those windows is the key. An idle model whose data all left the range costs no query; a
 * model with data in the range is computed again when its data change or a window with its data leaves
 * the range.
 */
public final class ModelMetricsCollector implements MultiCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ModelMetricsCollector.class);
    private static final String PREFIX = "modelwatch_model_";

    private final ModelRegistry models;
    private final ProfileQuery query;
    private final Clock clock;
    private final Duration window;
    /** By model: its values and what they were computed from. */
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    /** The gauge of each metric name, shared by every model's kept values. */
    private final Map<String, String> gaugeNames = new ConcurrentHashMap<>();

    /** A model's values per version, valid while its change sequence and clipped range are these. */
    private record Kept(long sequence, long fromMs, long toMs, List<VersionValues> versions) {
    }

    /** One version's values: {@code values[i]} is gauge {@code gauges[i]}'s. */
    private record VersionValues(Labels labels, String[] gauges, double[] values) {
    }

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
        List<ModelRecord> all = models.all();
        for (ModelRecord m : all) {
            Kept k = current(m, now);
            if (k == null) {
                continue;
            }
            for (VersionValues v : k.versions()) {
                for (int i = 0; i < v.gauges().length; i++) {
                    gauges.computeIfAbsent(v.gauges()[i], n -> GaugeSnapshot.builder().name(n)
                                    .help("Model metric " + n.substring(PREFIX.length()) + " over the trailing "
                                            + window.toMinutes() + " minutes"))
                            .dataPoint(GaugeDataPointSnapshot.builder().labels(v.labels()).value(v.values()[i]).build());
                }
            }
        }
        if (kept.size() > all.size()) {
            Set<String> names = new HashSet<>();
            all.forEach(m -> names.add(m.name()));
            kept.keySet().retainAll(names);
        }
        List<MetricSnapshot> out = new ArrayList<>();
        gauges.values().forEach(b -> out.add(b.build()));
        return new MetricSnapshots(out);
    }

    /** The model's values now: those kept when their key still holds, else computed (null: none). */
    private Kept current(ModelRecord m, long now) {
        // the sequence before the query: a change while it runs leaves a key that the next scrape finds stale
        long sequence = models.change(m.name()).sequence();
        long w = m.spec().windowMs();
        long from = now - window.toMillis();
        // the windows the query reads (those overlapping [from, now)) that can hold the model's data
        long clippedFrom = Math.max(Math.floorDiv(from, w) * w, Math.floorDiv(m.firstEventMs(), w) * w);
        long clippedTo = Math.min(-Math.floorDiv(-now, w) * w, Math.floorDiv(m.lastEventMs(), w) * w + w);
        if (m.predictionCount() == 0 || clippedFrom >= clippedTo) {
            kept.remove(m.name());
            return null;
        }
        Kept k = kept.get(m.name());
        if (k != null && k.sequence() == sequence && k.fromMs() == clippedFrom && k.toMs() == clippedTo) {
            return k;
        }
        List<VersionValues> versions = new ArrayList<>();
        boolean complete = true;
        for (String version : m.versions()) {
            WindowProfile p;
            try {
                p = query.range(m.spec(), version, ProfileKey.ALL, from, now);
            } catch (RuntimeException e) {
                LOG.warn("cannot compute metrics of model {} for /metrics: {}", m.name(), e.getMessage());
                complete = false;
                continue;
            }
            if (p.isEmpty()) {
                continue;
            }
            List<MetricCatalog.MetricValue> vs = MetricCatalog.values(p, m.spec(), window.toMillis(),
                    MetricCatalog.MODEL_METRICS);
            String[] names = new String[vs.size()];
            double[] values = new double[vs.size()];
            for (int i = 0; i < vs.size(); i++) {
                names[i] = gaugeNames.computeIfAbsent(vs.get(i).name(), n -> PREFIX + n);
                values[i] = vs.get(i).value();
            }
            versions.add(new VersionValues(Labels.of("model", m.name(), "version", version), names, values));
        }
        k = new Kept(sequence, clippedFrom, clippedTo, List.copyOf(versions));
        if (complete) {
            kept.put(m.name(), k);
        } else {
            // a version left out: the next scrape tries again
            kept.remove(m.name());
        }
        return k;
    }
}
