package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where predictions wait for their labels, and labels for their predictions, within the join
 * horizon: one row per event, keyed by {@code (model, id)}, written at the ingest rate in no key
 * order (ids are usually random) and read by id when a label or a replay arrives.
 *
 * <p>It keeps its own checkpoint: the log position its rows reflect. The aggregation runtime
 * writes it right after each {@link Store#commit} and only then truncates the ingest log, so this
 * checkpoint is never ahead of the store's. After a crash between the two writes the runtime
 * replays the log from this checkpoint and applies the events up to the store's checkpoint to the
 * pending rows only (their profiles are already stored).
 *
 * <pre>{@code
 * try (PendingStore pending = Stores.openPending(dataDir.resolve("pending"))) {
 *     pending.write(new PendingWrite(lsn, predictions, earlyLabels, joined));
 *     Map<String, PendingPrediction> found = pending.findPredictions("fraud", List.of("a1", "a2"));
 * }
 * }</pre>
 */
public interface PendingStore extends AutoCloseable {

    /** The log position of the last write; 0 before the first. */
    long checkpointLsn();

    /**
     * Writes the rows, then the checkpoint, durably: once the checkpoint reads {@code write.lsn()},
     * every row of the write is stored. A failure or a crash before may leave some of its rows
     * written and the checkpoint where it was; writing the same rows again (a retry, or a replay of
     * the log from the checkpoint) leaves the same contents.
     */
    void write(PendingWrite write);

    /** Pending predictions among {@code ids} of a model, by id. */
    Map<String, PendingPrediction> findPredictions(String model, Collection<String> ids);

    /** Early labels among {@code ids} of a model, by id. */
    Map<String, EarlyLabel> findEarlyLabels(String model, Collection<String> ids);

    /** Streams the {@code (model, id)} of every row, predictions and early labels (at startup). */
    void scanIds(BiConsumer<String, String> consumer);

    /**
     * Drops the rows whose event lies before {@code horizonStartMs}: from then on they are not
     * found, and their space is reclaimed.
     *
     * @return the rows dropped, where known
     */
    long expire(long horizonStartMs);

    @Override
    void close();

    /**
     * One write: its rows, then its checkpoint (see {@link #write}).
     *
     * @param lsn          the log position the pending rows reflect once it is written
     * @param predictions  rows to insert or replace
     * @param earlyLabels  early labels to insert or replace
     * @param joinedLabels early labels to delete ({@code model -> ids}): their predictions arrived
     * @param rows         more rows to insert or replace, already encoded (after {@code predictions})
     */
    record PendingWrite(long lsn, Collection<PendingPrediction> predictions, Collection<EarlyLabel> earlyLabels,
                        Map<String, List<String>> joinedLabels, List<PendingRows> rows) {
        public PendingWrite {
            rows = rows == null ? List.of() : rows;
        }

        public PendingWrite(long lsn, Collection<PendingPrediction> predictions, Collection<EarlyLabel> earlyLabels,
                            Map<String, List<String>> joinedLabels) {
            this(lsn, predictions, earlyLabels, joinedLabels, List.of());
        }

        /** The predictions written, objects and encoded rows. */
        public int predictionCount() {
            int n = predictions.size();
            for (PendingRows r : rows) {
                n += r.size();
            }
            return n;
        }

        public boolean isEmpty() {
            return predictionCount() == 0 && earlyLabels.isEmpty() && joinedLabels.isEmpty();
        }
    }
}
