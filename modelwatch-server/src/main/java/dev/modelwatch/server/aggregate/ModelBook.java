package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.store.ModelRecord;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models the runtime tracks: loaded from storage and the configuration at start, declared
 * through the API, each change published to the registry and written with the next commit.
 */
final class ModelBook {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    private final RuntimeState state;
    private final ModelRegistry registry;
    private final Clock clock;

    ModelBook(RuntimeState state, ModelRegistry registry, Clock clock) {
        this.state = state;
        this.registry = registry;
        this.clock = clock;
    }

    /** The stored models, with the declared ones' specs (a stored window is kept), and the declared ones not stored yet. */
    void load(List<ModelRecord> stored, Map<String, ModelSpec> declared) {
        for (ModelRecord r : stored) {
            ModelSpec spec = declared.getOrDefault(r.name(), r.spec());
            if (spec.windowMs() != r.spec().windowMs()) {
                LOG.warn("model {}: the configured window {} ms differs from the stored {} ms; keeping the stored one",
                        r.name(), spec.windowMs(), r.spec().windowMs());
                spec = new ModelSpec(spec.name(), spec.task(), spec.positiveClass(), r.spec().windowMs(), true);
            }
            ModelState s = new ModelState(spec, r.firstEventMs(), r.lastEventMs(), r.predictionCount(),
                    new TreeSet<>(r.versions()));
            state.models.put(r.name(), s);
            if (!spec.equals(r.spec())) {
                state.active.dirtyModels.add(r.name());
            }
            registry.publish(s.record());
        }
        for (ModelSpec spec : declared.values()) {
            if (!state.models.containsKey(spec.name())) {
                ModelState s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
                state.models.put(spec.name(), s);
                state.active.dirtyModels.add(spec.name());
                registry.publish(s.record());
            }
        }
    }

    /**
     * Declares or re-declares a model. A model's window cannot change once it has data (its
     * stored windows would no longer line up).
     */
    ModelRecord declare(ModelSpec spec) {
        ModelState s = state.models.get(spec.name());
        if (s == null) {
            s = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
            state.models.put(spec.name(), s);
        } else {
            if (s.predictionCount > 0 && s.spec.windowMs() != spec.windowMs()) {
                throw new IllegalStateException("window cannot change once the model has data (it is "
                        + s.spec.windowMs() / 1000 + "s)");
            }
            if (s.predictionCount > 0 && s.spec.task() != spec.task()) {
                throw new IllegalStateException("task cannot change once the model has data: '" + spec.name() + "' is "
                        + s.spec.task().wireName() + " with " + s.predictionCount + " predictions, its metrics and"
                        + " references are of that task; declare a new model name for " + spec.task().wireName());
            }
            s.spec = spec;
        }
        state.active.dirtyModels.add(spec.name());
        ModelRecord r = s.record();
        registry.publish(r);
        registry.markChanged(spec.name(), clock.millis());
        return r;
    }
}
