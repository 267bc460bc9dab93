package dev.modelwatch.store;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.List;
import java.util.Map;

/**
 * Everything the aggregation runtime hands to storage at once, committed atomically with the
 * position of the ingest log it reflects: after a crash, the log is replayed from {@code lsn} and
 * nothing is counted twice. (Pending predictions go to the {@link PendingStore}.)
 *
 * @param lsn              log position up to which (exclusive) all events are reflected
 * @param deltas           profiles to merge into the stored ones (at every resolution they name)
 * @param models           model records to insert or replace
 * @param training         training events to append
 * @param metrics          metric events to append
 * @param admitted         the admitted values of the models whose sets grew, replacing the stored ones
 */
public record Flush(long lsn, Map<ProfileKey, WindowProfile> deltas, List<ModelRecord> models,
                    List<TrainingEvent> training, List<MetricEvent> metrics, List<AdmittedValues> admitted) {
    public Flush {
        deltas = Map.copyOf(deltas);
        models = List.copyOf(models);
        training = List.copyOf(training);
        metrics = List.copyOf(metrics);
        admitted = List.copyOf(admitted);
    }

    /** A flush that admits nothing new. */
    public Flush(long lsn, Map<ProfileKey, WindowProfile> deltas, List<ModelRecord> models,
                 List<TrainingEvent> training, List<MetricEvent> metrics) {
        this(lsn, deltas, models, training, metrics, List.of());
    }

    public static Flush checkpointOnly(long lsn) {
        return new Flush(lsn, Map.of(), List.of(), List.of(), List.of());
    }
}
