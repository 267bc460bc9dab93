package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ingest.Limits;
import java.util.Set;

/** The {@code limits:} section: the bounds on models, versions, segments, features, classes and memory. */
final class LimitsSection {
    private LimitsSection() {
    }

    /** The {@code limits:} section; the declared models must fit in {@code max_models}. */
    static Limits read(ConfigReader r, JsonNode root, int declaredModels) {
        Limits d = Limits.DEFAULT;
        JsonNode l = r.section(root, "limits", Set.of("max_models", "max_versions_per_model",
                "max_segment_keys_per_model", "max_segment_values_per_key", "max_features_per_model",
                "max_classes_per_model", "max_buffered_profile_bytes", "max_queued_event_bytes",
                "max_cached_reference_bytes"));
        int models = r.intValue(l, "limits.max_models", "max_models", d.maxModels(), 1, 10_000_000);
        int versions = r.intValue(l, "limits.max_versions_per_model", "max_versions_per_model", d.maxVersionsPerModel(),
                1, 1_000_000);
        int keys = r.intValue(l, "limits.max_segment_keys_per_model", "max_segment_keys_per_model",
                d.maxSegmentKeysPerModel(), 1, 1_000);
        int values = r.intValue(l, "limits.max_segment_values_per_key", "max_segment_values_per_key",
                d.maxSegmentValuesPerKey(), 1, 1_000_000);
        int features = r.intValue(l, "limits.max_features_per_model", "max_features_per_model",
                d.maxFeaturesPerModel(), 1, 100_000);
        int classes = r.intValue(l, "limits.max_classes_per_model", "max_classes_per_model", d.maxClassesPerModel(),
                2, 100_000);
        long buffered = r.longValue(l, "limits.max_buffered_profile_bytes", "max_buffered_profile_bytes",
                d.maxBufferedProfileBytes(), 1L << 20, 1L << 40);
        long queued = r.longValue(l, "limits.max_queued_event_bytes", "max_queued_event_bytes",
                d.maxQueuedEventBytes(), 1L << 20, 1L << 40);
        long references = r.longValue(l, "limits.max_cached_reference_bytes", "max_cached_reference_bytes",
                d.maxCachedReferenceBytes(), 0, 1L << 40);
        if (declaredModels > models) {
            r.problems.add("limits.max_models: " + declaredModels + " models are declared under models:, more than "
                    + models);
        }
        try {
            return new Limits(models, versions, keys, values, features, classes, buffered, queued, references);
        } catch (IllegalArgumentException e) {
            r.problems.add("limits: " + e.getMessage());
            return d;
        }
    }
}
