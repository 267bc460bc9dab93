package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.store.AdmittedValues;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one model has been admitted under the {@link Limits}: its segment keys and their values,
 * its class names and its feature names, each in the order first seen, and the folding of what
 * lies past them into {@link Limits#OTHER}. The sets only grow; they are committed with the
 * profiles ({@link AdmittedValues}) and restored at the next start, and the aggregation runtime
 * applies events in log order, so a replay of the log folds exactly what the running server folded.
 *
 * <p>Owned by the aggregation thread.
 */
final class ModelAdmissions {
    /** The segment every key past the limit is counted under. */
    static final String OTHER_SEGMENT_KEY = Limits.OTHER;

    private final String model;
    private final Limits limits;
    private final LimitObserver observer;
    private final LinkedHashSet<String> features;
    private final LinkedHashMap<String, LinkedHashSet<String>> segments = new LinkedHashMap<>();
    private final LinkedHashSet<String> classes;
    private String[] lastFeatureNames;
    /** Shared segment map instances (see {@link SharedValues}) known to be admitted whole, recently seen. */
    private final Map<?, ?>[] admittedWhole = new Map<?, ?>[16];
    private int nextAdmittedWhole;
    private boolean changed;

    ModelAdmissions(String model, Limits limits, LimitObserver observer, AdmittedValues stored) {
        this.model = model;
        this.limits = limits;
        this.observer = observer;
        this.features = new LinkedHashSet<>(stored == null ? Set.of() : stored.features());
        this.classes = new LinkedHashSet<>(stored == null ? Set.of() : stored.classes());
        if (stored != null) {
            stored.segments().forEach((k, v) -> segments.put(k, new LinkedHashSet<>(v)));
        }
    }

    /**
     * The segments an event is counted under: itself when every key and value is admitted (or is
     * admitted now), else a copy where a value past {@code max_segment_values_per_key} reads
     * {@code key:__other__} and the keys past {@code max_segment_keys_per_model} are replaced by the
     * one segment {@code __other__:__other__}.
     */
    Map<String, String> foldSegments(Map<String, String> eventSegments) {
        if (eventSegments.isEmpty()) {
            return eventSegments;
        }
        Map<String, String> folded = null;
        boolean otherKey = false;
        for (Map.Entry<String, String> s : eventSegments.entrySet()) {
            String key = s.getKey();
            LinkedHashSet<String> values = segments.get(key);
            if (values == null) {
                if (segments.size() >= limits.maxSegmentKeysPerModel() || key.equals(OTHER_SEGMENT_KEY)) {
                    folded = folded != null ? folded : copyUpTo(eventSegments, key);
                    otherKey = true;
                    observer.onFolded("segment_keys", model);
                    continue;
                }
                values = new LinkedHashSet<>();
                segments.put(key, values);
                changed = true;
            }
            String value = s.getValue();
            if (!values.contains(value)) {
                if (values.size() >= limits.maxSegmentValuesPerKey()) {
                    folded = folded != null ? folded : copyUpTo(eventSegments, key);
                    folded.put(key, Limits.OTHER);
                    observer.onFolded("segment_values", model);
                    continue;
                }
                values.add(value);
                changed = true;
            }
            if (folded != null) {
                folded.put(key, value);
            }
        }
        if (folded == null) {
            return eventSegments;
        }
        if (otherKey) {
            folded.put(OTHER_SEGMENT_KEY, Limits.OTHER);
        }
        return Map.copyOf(folded);
    }

    /**
     * Whether {@code shared} is one of the recently seen shared segment maps that {@link #foldSegments}
     * returned unchanged: it is again (admitted values are never taken back), with no side effect.
     */
    boolean admittedWhole(Map<String, String> shared) {
        for (Map<?, ?> m : admittedWhole) {
            if (m == shared) {
                return true;
            }
        }
        return false;
    }

    /** Remembers that {@code shared}, a shared segment map, was admitted whole. */
    void noteAdmittedWhole(Map<String, String> shared) {
        admittedWhole[nextAdmittedWhole] = shared;
        nextAdmittedWhole = (nextAdmittedWhole + 1) % admittedWhole.length;
    }

    /** The entries of {@code m} before {@code stop}, in a new map. */
    private static Map<String, String> copyUpTo(Map<String, String> m, String stop) {
        Map<String, String> copy = new HashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (e.getKey().equals(stop)) {
                break;
            }
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    /** A class name as counted: itself when admitted (or admitted now), else {@code __other__}. */
    String foldClass(String name) {
        if (name == null || classes.contains(name)) {
            return name;
        }
        if (classes.size() >= limits.maxClassesPerModel()) {
            observer.onFolded("classes", model);
            return Limits.OTHER;
        }
        classes.add(name);
        changed = true;
        return name;
    }

    /**
     * Class probabilities as counted: the map itself when every class is admitted (or is admitted
     * now), else a copy where the probabilities of the classes past the limit are summed under
     * {@code __other__} (so that they still sum to one).
     */
    Map<String, Double> foldScores(Map<String, Double> scores) {
        if (scores == null) {
            return null;
        }
        Map<String, Double> folded = null;
        for (Map.Entry<String, Double> s : scores.entrySet()) {
            String name = foldClassQuietly(s.getKey());
            if (name == s.getKey() && folded == null) {
                continue;
            }
            if (folded == null) {
                folded = new LinkedHashMap<>();
                for (Map.Entry<String, Double> before : scores.entrySet()) {
                    if (before.getKey().equals(s.getKey())) {
                        break;
                    }
                    folded.put(before.getKey(), before.getValue());
                }
            }
            folded.merge(name, s.getValue(), Double::sum);
        }
        if (folded == null) {
            return scores;
        }
        observer.onFolded("classes", model);
        return folded;
    }

    /** {@link #foldClass} without counting (a scores map is counted once per event). */
    private String foldClassQuietly(String name) {
        if (classes.contains(name)) {
            return name;
        }
        if (classes.size() >= limits.maxClassesPerModel()) {
            return Limits.OTHER;
        }
        classes.add(name);
        changed = true;
        return name;
    }

    /**
     * Records the feature names of an event, admitted at ingest (up to {@code max_features_per_model};
     * more only arrive from a log written under a higher limit, and are not recorded). Consecutive
     * events name the same features with the same (canonical) strings: then this is an identity check.
     */
    void noteFeatures(Map<String, Object> eventFeatures) {
        if (eventFeatures instanceof FeatureVector v) {
            String[] last = lastFeatureNames;
            int n = v.size();
            boolean same = last != null && last.length == n;
            for (int i = 0; same && i < n; i++) {
                same = last[i] == v.name(i);
            }
            if (same) {
                return;
            }
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = v.name(i);
                noteFeature(names[i]);
            }
            lastFeatureNames = names;
        } else {
            eventFeatures.keySet().forEach(this::noteFeature);
        }
    }

    private void noteFeature(String name) {
        if (features.size() < limits.maxFeaturesPerModel() && features.add(name)) {
            changed = true;
        }
    }

    /** The feature names admitted so far. */
    Set<String> features() {
        return java.util.Collections.unmodifiableSet(features);
    }

    /** The segment keys admitted so far, each with its admitted values (a copy). */
    Map<String, Set<String>> segments() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        segments.forEach((k, v) -> out.put(k, Set.copyOf(v)));
        return out;
    }

    /** Whether the sets grew since the last {@link #snapshot()}. */
    boolean changed() {
        return changed;
    }

    /** The sets as they are now, for a commit; clears {@link #changed()}. */
    AdmittedValues snapshot() {
        changed = false;
        return new AdmittedValues(model, features, new LinkedHashMap<>(segments), classes);
    }

    /** Marks the sets as not yet committed (a commit that carried them failed). */
    void markChanged() {
        changed = true;
    }
}
