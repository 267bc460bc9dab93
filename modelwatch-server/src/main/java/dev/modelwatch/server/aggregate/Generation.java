package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.store.PendingRows;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.EarlyLabel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Everything changed since a commit began: what the next commit writes. */
final class Generation {
    final Map<ProfileKey, WindowProfile> deltas = new HashMap<>();
    /**
     * Counts the changes to {@link #deltas} other than the addition of a new profile (profiles
     * moved out, replaced or dropped), so that a cached profile of this generation is known to be
     * still the one in the map when the count is unchanged.
     */
    int deltasReplaced;
    /** The pending predictions, per model, encoded. */
    final Map<String, PendingRows> predictions = new HashMap<>();
    final Map<String, Map<String, EarlyLabel>> earlyLabels = new HashMap<>();
    final Map<String, Set<String>> joined = new HashMap<>();
    final List<MetricEvent> metrics = new ArrayList<>();
    final Set<String> dirtyModels = new HashSet<>();
    /** Models whose admitted values grew (see {@link ModelAdmissions}). */
    final Set<String> admittedModels = new HashSet<>();
    /** The estimated heap of what this generation holds. */
    final BufferedBytes buffered = new BufferedBytes();
    long lsn;
    /** The number of the commit that writes this generation. */
    long number;
    /** Completed by the store writer when the commit of this generation has finished (either way). */
    final CompletableFuture<Void> written = new CompletableFuture<>();
    /** Set by the store writer before {@link #written} completes. */
    int committedProfiles;
    long commitNanos;
    IsolatingCommit.Result commitResult;
    /** Whether the aggregation thread has taken note of the finished commit. */
    boolean finished;

    boolean isEmpty() {
        return deltas.isEmpty() && predictions.isEmpty() && earlyLabels.isEmpty() && joined.isEmpty()
                && metrics.isEmpty() && dirtyModels.isEmpty() && admittedModels.isEmpty();
    }

    /** Moves the changes of {@code ms} out of this generation into a new one (same number and position). */
    Generation extract(Set<String> ms) {
        Generation out = new Generation();
        out.lsn = lsn;
        out.number = number;
        deltasReplaced++;
        deltas.entrySet().removeIf(e -> {
            if (ms.contains(e.getKey().model())) {
                out.deltas.put(e.getKey(), e.getValue());
                return true;
            }
            return false;
        });
        for (String m : ms) {
            moveEntry(predictions, out.predictions, m);
            moveEntry(earlyLabels, out.earlyLabels, m);
            moveEntry(joined, out.joined, m);
            if (dirtyModels.remove(m)) {
                out.dirtyModels.add(m);
            }
            if (admittedModels.remove(m)) {
                out.admittedModels.add(m);
            }
        }
        metrics.removeIf(x -> ms.contains(ModelParts.modelOf(x)) && out.metrics.add(x));
        return out;
    }

    private static <V> void moveEntry(Map<String, V> from, Map<String, V> to, String key) {
        V v = from.remove(key);
        if (v != null) {
            to.put(key, v);
        }
    }

    /**
     * Lets go of this generation's changes once its commit has been taken note of: the task that
     * reports the commit may still be queued behind a long apply (which waited for the commit
     * itself), and must not keep the generation's profiles alive until then.
     */
    void release() {
        deltasReplaced++;
        deltas.clear();
        predictions.clear();
        earlyLabels.clear();
        joined.clear();
        metrics.clear();
        buffered.clear();
    }

    /** Puts an older generation's changes back under this one's (this one's are newer and win). */
    void absorbOlder(Generation older) {
        deltasReplaced++;
        older.deltas.forEach((k, v) -> deltas.merge(k, v, (mine, old) -> {
            old.merge(mine);
            return old;
        }));
        long olderRows = older.buffered.rowBytes();
        for (Map.Entry<String, PendingRows> e : older.predictions.entrySet()) {
            // copied: the older generation's rows stay as its commit saw them
            olderRows += predictions.computeIfAbsent(e.getKey(), PendingRows::new).putAbsent(e.getValue())
                    - e.getValue().heapBytes();
        }
        older.earlyLabels.forEach((m, ids) -> {
            Map<String, EarlyLabel> mine = earlyLabels.computeIfAbsent(m, x -> new HashMap<>());
            Set<String> nowJoined = joined.getOrDefault(m, Set.of());
            ids.forEach((id, l) -> {
                if (!nowJoined.contains(id)) {
                    mine.putIfAbsent(id, l);
                }
            });
        });
        older.joined.forEach((m, ids) -> joined.computeIfAbsent(m, x -> new HashSet<>()).addAll(ids));
        metrics.addAll(0, older.metrics);
        dirtyModels.addAll(older.dirtyModels);
        admittedModels.addAll(older.admittedModels);
        buffered.recount(deltas, olderRows);
    }
}
