package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.store.ModelRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models known to the server, readable from any thread. Only the aggregation runtime writes
 * (it publishes a new immutable {@link ModelRecord} after changing one), so readers never see a
 * half-updated model.
 */
public final class ModelRegistry {
    private final Map<String, ModelRecord> models = new ConcurrentHashMap<>();
    private final Map<String, DataChange> changes = new ConcurrentHashMap<>();

    /**
     * The last change of what queries read of a model (its stored windows, its spec, its reference).
     *
     * @param sequence increases with every change
     * @param atMs     when it changed
     */
    public record DataChange(long sequence, long atMs) {
        public static final DataChange NONE = new DataChange(0, Long.MIN_VALUE);
    }

    public Optional<ModelRecord> get(String name) {
        return Optional.ofNullable(models.get(name));
    }

    public Optional<ModelSpec> spec(String name) {
        return get(name).map(ModelRecord::spec);
    }

    public List<ModelRecord> all() {
        List<ModelRecord> list = new ArrayList<>(models.values());
        list.sort(Comparator.comparing(ModelRecord::name));
        return list;
    }

    /** The last change of a model's data, {@link DataChange#NONE} when none was recorded since the start. */
    public DataChange change(String name) {
        return changes.getOrDefault(name, DataChange.NONE);
    }

    /**
     * Records that what queries read of a model changed at {@code atMs}: windows committed to storage
     * (new, or closed ones that got late events or labels), its spec, its reference. Call it once the
     * change is visible to queries.
     */
    public void markChanged(String name, long atMs) {
        changes.compute(name, (k, c) -> new DataChange(c == null ? 1 : c.sequence() + 1, atMs));
    }

    void publish(ModelRecord r) {
        models.put(r.name(), r);
    }
}
