package dev.modelwatch.server.ingest;

/**
 * The bounds on everything that makes the server's memory grow with what clients send (the
 * {@code limits:} section, documented with the memory budget they give in
 * {@code docs/configuration.md}). Past a limit the server keeps working: a new model or a new
 * feature is rejected at ingest with the limit's name, a new segment key or value, version or class
 * is folded into {@link #OTHER}. Each decision is counted in {@code /metrics} and taken again the
 * same way when the ingest log is replayed.
 *
 * @param maxModels                models the server tracks; an event of another model is rejected
 * @param maxVersionsPerModel      versions per model; later ones are counted as version {@code __other__}
 * @param maxSegmentKeysPerModel   segment keys per model; another key is counted as the segment
 *                                 {@code __other__:__other__}
 * @param maxSegmentValuesPerKey   values per segment key of a model; later ones are counted as {@code key:__other__}
 * @param maxFeaturesPerModel      feature names per model; an event bringing another one is rejected
 * @param maxClassesPerModel       class names per classifier (predicted, labelled or scored); later ones
 *                                 are counted as class {@code __other__}
 * @param maxBufferedProfileBytes  estimated heap of the profiles, pending predictions and early labels the
 *                                 aggregation runtime holds before a commit; past it, it commits at once (and
 *                                 waits for a commit in flight), so memory does not follow the rate of
 *                                 distinct windows and segments
 * @param maxQueuedEventBytes      estimated heap of the acknowledged events waiting for aggregation; past it
 *                                 ingest requests wait and then get a 429, as past {@code ingest.max_queued_events}
 *                                 (which counts events, whatever their size)
 * @param maxCachedReferenceBytes  estimated heap of the drift references (uploaded or baselines) kept in memory
 *                                 between queries; the least recently used are dropped past it (and read or
 *                                 built again when needed)
 */
public record Limits(int maxModels, int maxVersionsPerModel, int maxSegmentKeysPerModel, int maxSegmentValuesPerKey,
                     int maxFeaturesPerModel, int maxClassesPerModel, long maxBufferedProfileBytes,
                     long maxQueuedEventBytes, long maxCachedReferenceBytes) {
    /** The name everything folded past a limit is counted under. */
    public static final String OTHER = "__other__";

    public static final Limits DEFAULT = new Limits(1_000, 50, 5, 100, 500, 100, 32L << 20, 64L << 20,
            64L << 20);

    public Limits {
        requireAtLeast("max_models", maxModels, 1);
        requireAtLeast("max_versions_per_model", maxVersionsPerModel, 1);
        requireAtLeast("max_segment_keys_per_model", maxSegmentKeysPerModel, 1);
        requireAtLeast("max_segment_values_per_key", maxSegmentValuesPerKey, 1);
        requireAtLeast("max_features_per_model", maxFeaturesPerModel, 1);
        requireAtLeast("max_classes_per_model", maxClassesPerModel, 2);
        if (maxBufferedProfileBytes < (1L << 20)) {
            throw new IllegalArgumentException("max_buffered_profile_bytes must be at least 1048576, was "
                    + maxBufferedProfileBytes);
        }
        if (maxCachedReferenceBytes < 0) {
            throw new IllegalArgumentException("max_cached_reference_bytes must be at least 0, was "
                    + maxCachedReferenceBytes);
        }
        if (maxQueuedEventBytes < (1L << 20)) {
            throw new IllegalArgumentException("max_queued_event_bytes must be at least 1048576, was "
                    + maxQueuedEventBytes);
        }
    }

    private static void requireAtLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", was " + value);
        }
    }
}
