package dev.modelwatch.server.ingest;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.server.ingest.Limits;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ingest check of the limits that reject: {@code limits.max_models} (an event of a model the
 * server does not track, once it tracks that many, is rejected; a prediction or a declaration makes
 * a model tracked) and {@code limits.max_features_per_model} (a prediction that would bring its
 * model past that many feature names is rejected whole). The rejected events are named in the
 * ingest log record, so a replay rejects them again without asking. Thread-safe: request threads
 * call it concurrently; it is seeded once from the aggregation runtime after the replay.
 */
public final class IngestAdmission {
    private final Limits limits;
    private final LimitObserver observer;
    private final Map<String, Set<String>> models = new ConcurrentHashMap<>();

    public IngestAdmission(Limits limits, LimitObserver observer) {
        this.limits = limits;
        this.observer = observer;
    }

    /** Records a tracked model and its admitted feature names (at start, from the aggregation runtime). */
    public void seed(String model, Collection<String> features) {
        models.computeIfAbsent(model, m -> ConcurrentHashMap.newKeySet()).addAll(features);
    }

    /** The number of tracked models. */
    public int models() {
        return models.size();
    }

    /**
     * Tracks a model declared through the API, or says why it may not be: null when it is (or was
     * already) tracked, else the reason.
     */
    public String admitModel(String model) {
        return admit(model) ? null : modelLimitReason(model);
    }

    /** The events of a decoded batch that pass the limits; the others join its errors with the reason. */
    public DecodedBatch admit(DecodedBatch batch) {
        List<DecodedBatch.EventError> rejected = null;
        List<Event> kept = null;
        int eventIndex = 0;
        int[] errorIndexes = batch.errors().stream().mapToInt(DecodedBatch.EventError::index).sorted().toArray();
        int nextError = 0;
        for (int index = 0; index < batch.total(); index++) {
            if (nextError < errorIndexes.length && errorIndexes[nextError] == index) {
                nextError++;
                continue;
            }
            Event e = batch.events().get(eventIndex++);
            String reason = check(e);
            if (reason != null) {
                if (rejected == null) {
                    rejected = new ArrayList<>(batch.errors());
                    kept = new ArrayList<>(batch.events().subList(0, eventIndex - 1));
                }
                rejected.add(new DecodedBatch.EventError(index, reason));
            } else if (kept != null) {
                kept.add(e);
            }
        }
        if (rejected == null) {
            return batch;
        }
        rejected.sort(java.util.Comparator.comparingInt(DecodedBatch.EventError::index));
        return new DecodedBatch(kept, rejected, batch.total());
    }

    /** Why an event is rejected under the limits, or null when it passes. */
    private String check(Event e) {
        String model = e.model();
        if (model == null) {
            return null; // a metric of no model
        }
        Set<String> features = models.get(model);
        if (features == null) {
            if (!(e instanceof PredictionEvent)) {
                if (models.size() >= limits.maxModels()) {
                    observer.onRejected("models", null);
                    return modelLimitReason(model);
                }
                return null; // a label, training or metric event does not make a model tracked
            }
            if (!admit(model)) {
                observer.onRejected("models", null);
                return modelLimitReason(model);
            }
            features = models.get(model);
        }
        if (e instanceof PredictionEvent p) {
            return checkFeatures(model, p.features(), features);
        }
        return null;
    }

    private boolean admit(String model) {
        if (models.containsKey(model)) {
            return true;
        }
        synchronized (models) {
            if (models.containsKey(model)) {
                return true;
            }
            if (models.size() >= limits.maxModels()) {
                return false;
            }
            models.put(model, ConcurrentHashMap.newKeySet());
            return true;
        }
    }

    private String modelLimitReason(String model) {
        return "model: '" + model + "' is not tracked and the server already tracks " + models.size()
                + " models, the most it may (limits.max_models = " + limits.maxModels() + ")";
    }

    /** Admits the event's new feature names all together, or rejects the event when they do not fit. */
    private String checkFeatures(String model, Map<String, Object> eventFeatures, Set<String> admitted) {
        List<String> fresh = null;
        if (eventFeatures instanceof FeatureVector v) {
            for (int i = 0; i < v.size(); i++) {
                if (!admitted.contains(v.name(i))) {
                    fresh = fresh == null ? new ArrayList<>() : fresh;
                    fresh.add(v.name(i));
                }
            }
        } else {
            for (String name : eventFeatures.keySet()) {
                if (!admitted.contains(name)) {
                    fresh = fresh == null ? new ArrayList<>() : fresh;
                    fresh.add(name);
                }
            }
        }
        if (fresh == null) {
            return null;
        }
        synchronized (admitted) {
            fresh.removeIf(admitted::contains);
            if (admitted.size() + fresh.size() > limits.maxFeaturesPerModel()) {
                observer.onRejected("features", model);
                return "features." + abbreviate(fresh.get(0)) + ": model '" + model + "' has " + admitted.size()
                        + " features and this event brings " + fresh.size() + " more, past the most a model may have"
                        + " (limits.max_features_per_model = " + limits.maxFeaturesPerModel() + ")";
            }
            admitted.addAll(fresh);
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
