package dev.modelwatch.store;

import java.util.List;

/**
 * The stored training runs (table {@code training_runs}, migration V11), one row per (model, run).
 *
 * <pre>{@code
 * store.trainingRuns().save(List.of(new StoredRun("fraud", "r-42", json, lsn, clock.millis())));
 * List<StoredRun> all = store.trainingRuns().all();
 * }</pre>
 */
public interface TrainingRunStore {
    /** Writes the runs (replacing the stored ones of the same model and run) in one transaction. */
    void save(List<StoredRun> runs);

    /** Every stored run, ordered by model and run. */
    List<StoredRun> all();
}
