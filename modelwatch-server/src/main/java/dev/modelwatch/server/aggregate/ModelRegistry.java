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

    void publish(ModelRecord r) {
        models.put(r.name(), r);
    }
}
