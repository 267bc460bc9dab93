package dev.modelwatch.core.profile;

import dev.modelwatch.core.event.FeatureVector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A window's input features, each with its {@link FeatureProfile}, in the order first seen: at most
 * {@link WindowProfile#MAX_FEATURES}, the values of the others counted as dropped. Part of a
 * {@link WindowProfile}; not thread-safe.
 */
final class FeatureProfiles {
    private final SketchSettings settings;
    private final Map<String, FeatureProfile> features = new LinkedHashMap<>();
    private long dropped;

    FeatureProfiles(SketchSettings featureSettings) {
        this.settings = featureSettings;
    }

    SketchSettings settings() {
        return settings;
    }

    /** Adds an event's features as the decoder built them: no boxing, no map entries. */
    void add(FeatureVector v) {
        for (int i = 0; i < v.size(); i++) {
            FeatureProfile fp = profileOf(v.name(i));
            if (fp == null) {
                continue;
            }
            switch (v.kind(i)) {
                case FeatureVector.NUMBER -> fp.add(v.number(i));
                case FeatureVector.STRING -> fp.add(v.string(i));
                default -> fp.addNull();
            }
        }
    }

    /** Adds an event's features given as a map of name to a Double, a String or null. */
    void add(Map<String, Object> values) {
        for (Map.Entry<String, Object> f : values.entrySet()) {
            FeatureProfile fp = profileOf(f.getKey());
            if (fp != null) {
                WindowProfile.addValue(fp, f.getValue());
            }
        }
    }

    void merge(FeatureProfiles o) {
        for (Map.Entry<String, FeatureProfile> f : o.features.entrySet()) {
            FeatureProfile mine = features.get(f.getKey());
            if (mine == null) {
                if (features.size() >= WindowProfile.MAX_FEATURES) {
                    dropped += f.getValue().present() + f.getValue().nulls();
                    continue;
                }
                mine = new FeatureProfile(settings);
                features.put(f.getKey(), mine);
            }
            mine.merge(f.getValue());
        }
        dropped += o.dropped;
    }

    /** The heap the profiles take (names counted at two bytes a character), in bytes. */
    long estimatedBytes() {
        long bytes = 0;
        for (Map.Entry<String, FeatureProfile> f : features.entrySet()) {
            bytes += 64 + 48 + 2L * f.getKey().length() + f.getValue().estimatedBytes();
        }
        return bytes;
    }

    /** Feature name to profile, in the order first seen; not modifiable. */
    Map<String, FeatureProfile> view() {
        return Collections.unmodifiableMap(features);
    }

    /** Values of features past {@link WindowProfile#MAX_FEATURES}, not profiled. */
    long dropped() {
        return dropped;
    }

    /** Sets what the codec read. */
    void put(String name, FeatureProfile profile) {
        features.put(name, profile);
    }

    void setDropped(long values) {
        dropped = values;
    }

    /** The profile of a feature, created on first sight; null (and counted) past the cap. */
    private FeatureProfile profileOf(String name) {
        FeatureProfile fp = features.get(name);
        if (fp == null) {
            if (features.size() >= WindowProfile.MAX_FEATURES) {
                dropped++;
                return null;
            }
            fp = new FeatureProfile(settings);
            features.put(name, fp);
        }
        return fp;
    }
}
