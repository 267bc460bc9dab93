package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.AdmittedValues;
import dev.modelwatch.store.EarlyLabel;
import dev.modelwatch.store.Flush;
import dev.modelwatch.store.ModelCheckpoint;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.PendingRows;
import dev.modelwatch.store.PendingStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A commit's changes split by model, so that the changes of a model storage refuses can be left
 * out and the others committed. Metric events that name no model are the part {@code ""}.
 */
final class ModelParts {
    /** One model's share of a commit. */
    static final class Part {
        final Map<ProfileKey, WindowProfile> deltas = new HashMap<>();
        final List<ModelRecord> records = new ArrayList<>();
        final List<MetricEvent> metrics = new ArrayList<>();
        /** The model's pending predictions, or null. */
        PendingRows predictions;
        final List<EarlyLabel> earlyLabels = new ArrayList<>();
        final List<String> joined = new ArrayList<>();
        final List<AdmittedValues> admitted = new ArrayList<>();
    }

    private final Map<String, Part> parts = new TreeMap<>();

    Part part(String model) {
        return parts.computeIfAbsent(model, m -> new Part());
    }

    /** The models with changes, in name order. */
    Set<String> models() {
        return parts.keySet();
    }

    int profiles() {
        return parts.values().stream().mapToInt(p -> p.deltas.size()).sum();
    }

    static String modelOf(MetricEvent m) {
        return m.model() == null ? "" : m.model();
    }

    /** One flush of the parts of {@code models}. */
    Flush flush(Collection<String> models, long lsn, List<ModelCheckpoint> checkpoints, Set<String> released) {
        Map<ProfileKey, WindowProfile> deltas = new HashMap<>();
        List<ModelRecord> records = new ArrayList<>();
        List<MetricEvent> metrics = new ArrayList<>();
        List<AdmittedValues> admitted = new ArrayList<>();
        for (String m : models) {
            Part p = parts.get(m);
            if (p != null) {
                deltas.putAll(p.deltas);
                records.addAll(p.records);
                metrics.addAll(p.metrics);
                admitted.addAll(p.admitted);
            }
        }
        return new Flush(lsn, deltas, records, metrics, checkpoints, released, admitted);
    }

    /** The pending rows of {@code models}, written with checkpoint {@code lsn}. */
    PendingStore.PendingWrite pendingWrite(Collection<String> models, long lsn) {
        List<PendingRows> predictions = new ArrayList<>();
        List<EarlyLabel> early = new ArrayList<>();
        Map<String, List<String>> joined = new HashMap<>();
        for (String m : models) {
            Part p = parts.get(m);
            if (p != null) {
                if (p.predictions != null) {
                    predictions.add(p.predictions);
                }
                early.addAll(p.earlyLabels);
                if (!p.joined.isEmpty()) {
                    joined.put(m, p.joined);
                }
            }
        }
        return new PendingStore.PendingWrite(lsn, List.of(), early, joined, predictions);
    }
}
