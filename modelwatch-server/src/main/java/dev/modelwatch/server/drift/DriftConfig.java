package dev.modelwatch.server.drift;

import dev.modelwatch.core.drift.DriftPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Drift settings: how long a version's first traffic serves as its baseline reference when none
 * was uploaded, and per model the decision policy (method and threshold overrides) and feature
 * importances. From the {@code drift:} section and each model's {@code drift:} entry of the
 * configuration file.
 *
 * @param baseline the default baseline length
 * @param models   per model settings; models without an entry use the defaults
 */
public record DriftConfig(Duration baseline, Map<String, ModelDrift> models) {
    public static final Duration DEFAULT_BASELINE = Duration.ofHours(1);
    public static final DriftConfig DEFAULT = new DriftConfig(DEFAULT_BASELINE, Map.of());

    public DriftConfig {
        Objects.requireNonNull(baseline, "baseline");
        if (baseline.isNegative() || baseline.isZero()) {
            throw new IllegalArgumentException("baseline must be positive, was " + baseline);
        }
        models = Map.copyOf(models);
    }

    /**
     * A model's drift settings.
     *
     * @param baseline    its baseline length, or null for the default
     * @param policy      its decision policy
     * @param importances feature importances (non-negative weights); empty for none
     */
    public record ModelDrift(Duration baseline, DriftPolicy policy, Map<String, Double> importances) {
        public ModelDrift {
            Objects.requireNonNull(policy, "policy");
            importances = Map.copyOf(importances);
        }
    }

    public Duration baselineFor(String model) {
        ModelDrift m = models.get(model);
        return m != null && m.baseline() != null ? m.baseline() : baseline;
    }

    public DriftPolicy policyFor(String model) {
        ModelDrift m = models.get(model);
        return m != null ? m.policy() : DriftPolicy.DEFAULT;
    }

    public Map<String, Double> importancesFor(String model) {
        ModelDrift m = models.get(model);
        return m != null ? m.importances() : Map.of();
    }
}
