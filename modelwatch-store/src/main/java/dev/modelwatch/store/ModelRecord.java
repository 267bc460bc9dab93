package dev.modelwatch.store;

import dev.modelwatch.core.metrics.ModelSpec;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model as stored: its spec and what has been seen of it.
 *
 * @param firstEventMs  earliest prediction event time, or {@code Long.MAX_VALUE} when none
 * @param lastEventMs   latest prediction event time, or {@code Long.MIN_VALUE} when none
 */
public record ModelRecord(ModelSpec spec, long firstEventMs, long lastEventMs, long predictionCount,
                          Set<String> versions) {
    public ModelRecord {
        Objects.requireNonNull(spec, "spec");
        versions = Set.copyOf(new TreeSet<>(versions == null ? Set.of() : versions));
    }

    public String name() {
        return spec.name();
    }
}
