package dev.modelwatch.store;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.List;
import java.util.Map;

/**
 * Everything the aggregation runtime hands to storage at once, committed atomically with the
 * position of the ingest log it reflects: after a crash, the log is replayed from {@code lsn} and
 * nothing is counted twice. (Pending predictions go to the {@link PendingStore}.)
 *
 * <p>While storage refuses one model's writes the others are committed without it: the model's
 * exception to the global checkpoint is kept in {@code modelCheckpoints} (a hold, see
 * {@link ModelCheckpoint}), so that a restart replays exactly the events storage lacks.
 *
 * @param lsn              log position up to which (exclusive) all events are reflected, or -1 to leave
 *                         the global checkpoint as it is (a model committed alone)
 * @param deltas           profiles to merge into the stored ones (at every resolution they name)
 * @param models           model records to insert or replace
 * @param metrics          metric events to append
 * @param modelCheckpoints per-model checkpoints to insert or replace
 * @param releasedModels   models whose per-model checkpoint is deleted (they follow the global one again)
 * @param admitted         the admitted values of the models whose sets grew, replacing the stored ones
 */
public record Flush(long lsn, Map<ProfileKey, WindowProfile> deltas, List<ModelRecord> models,
                    List<MetricEvent> metrics, List<ModelCheckpoint> modelCheckpoints,
                    java.util.Set<String> releasedModels, List<AdmittedValues> admitted) {
    public Flush {
        deltas = Map.copyOf(deltas);
        models = List.copyOf(models);
        metrics = List.copyOf(metrics);
        modelCheckpoints = List.copyOf(modelCheckpoints);
        releasedModels = java.util.Set.copyOf(releasedModels);
        admitted = List.copyOf(admitted);
    }

    /** A flush that moves no per-model checkpoint and admits nothing new. */
    public Flush(long lsn, Map<ProfileKey, WindowProfile> deltas, List<ModelRecord> models, List<MetricEvent> metrics) {
        this(lsn, deltas, models, metrics, List.of(), java.util.Set.of(), List.of());
    }

    public static Flush checkpointOnly(long lsn) {
        return new Flush(lsn, Map.of(), List.of(), List.of());
    }
}
