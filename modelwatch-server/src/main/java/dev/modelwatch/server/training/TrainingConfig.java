package dev.modelwatch.server.training;

import dev.modelwatch.core.training.DetectorSettings;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code training:} section of {@code modelwatch.yml}: when a run counts as stalled and the
 * detectors' thresholds, for every model and per model (docs/configuration.md, docs/training.md).
 *
 * @param defaults what every model's runs get
 * @param models   model name → its own settings (keys it does not set are taken from {@code defaults})
 */
public record TrainingConfig(Settings defaults, Map<String, Settings> models) {
    /** The documented defaults: stalled after 10 minutes without an event, {@link DetectorSettings#DEFAULT}. */
    public static final TrainingConfig DEFAULT = new TrainingConfig(
            new Settings(Duration.ofMinutes(10), DetectorSettings.DEFAULT), Map.of());

    /**
     * @param stallAfter a running run with no event for this long is stalled
     * @param detectors  the detectors' thresholds
     */
    public record Settings(Duration stallAfter, DetectorSettings detectors) {
        public Settings {
            if (stallAfter == null || stallAfter.isZero() || stallAfter.isNegative()) {
                throw new IllegalArgumentException("stall_after: must be positive, got " + stallAfter);
            }
            if (detectors == null) {
                throw new IllegalArgumentException("detectors: required");
            }
        }
    }

    public TrainingConfig {
        models = Map.copyOf(models);
    }

    /** The settings of {@code model}'s runs. */
    public Settings forModel(String model) {
        return models.getOrDefault(model, defaults);
    }

    /** These settings with every model's stall time set to {@code d}. */
    public TrainingConfig withStallAfter(Duration d) {
        Map<String, Settings> m = new java.util.HashMap<>();
        models.forEach((name, s) -> m.put(name, new Settings(d, s.detectors())));
        return new TrainingConfig(new Settings(d, defaults.detectors()), m);
    }
}
