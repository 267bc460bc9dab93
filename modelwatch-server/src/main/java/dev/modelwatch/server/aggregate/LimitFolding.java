package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.store.AdmittedValues;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts each event under its model's limits: versions, segments and class names past them are
 * folded into {@code __other__}, and the values each model has been admitted are kept for storage.
 */
final class LimitFolding {
    private final Limits limits;
    private final LimitObserver limitObserver;
    private final SharedValues strings;
    /** The admitted values storage held at start, until each model's first event takes its own. */
    private final Map<String, AdmittedValues> storedAdmissions;
    private final Map<String, ModelAdmissions> admissions = new HashMap<>();

    LimitFolding(Limits limits, LimitObserver limitObserver, SharedValues strings,
                 Map<String, AdmittedValues> storedAdmissions) {
        this.limits = limits;
        this.limitObserver = limitObserver;
        this.strings = strings;
        this.storedAdmissions = new HashMap<>(storedAdmissions);
    }

    /**
     * An event as counted under the limits, with the shared instances (see {@link SharedValues}) of
     * the version and segments it is counted under.
     */
    record Counted(PredictionEvent event, String version, Map<String, String> segments) {
    }

    /**
     * The event as counted under the limits: its version, segments and (for a classifier) class
     * names folded into {@code __other__} past them; the event itself when nothing was folded.
     * Its feature names are recorded as the model's (they were admitted at ingest).
     *
     * @param admitted the model's admissions, {@link #admissionsOf(String)}
     */
    Counted withinLimits(PredictionEvent e, ModelState model, ModelAdmissions admitted, Generation active) {
        admitted.noteFeatures(e.features());
        // the model's last version is a shared instance: most events repeat it
        String last = model.lastVersion();
        String sharedVersion = e.version().equals(last) ? last : strings.intern(e.version());
        String version = model.admitVersion(sharedVersion, limits.maxVersionsPerModel());
        if (version != e.version() && !version.equals(e.version())) {
            limitObserver.onFolded("versions", e.model());
        }
        if (version != sharedVersion) {
            sharedVersion = strings.intern(version);
        }
        // a segment map admitted whole before is admitted now (the sets only grow): its shared
        // instance, when it has one, answers that without a lookup per segment
        Map<String, String> shared = strings.sharedOrNull(e.segments());
        Map<String, String> segments;
        if (shared != null && admitted.admittedWhole(shared)) {
            segments = e.segments();
        } else {
            segments = admitted.foldSegments(e.segments());
            shared = strings.intern(segments);
            if (segments == e.segments()) {
                admitted.noteAdmittedWhole(shared);
            }
        }
        Object prediction = e.prediction();
        Map<String, Double> scores = e.scores();
        if (model.spec.task().isClassification()) {
            String predicted = e.predictedClass();
            String folded = admitted.foldClass(predicted);
            if (folded != predicted) {
                prediction = folded;
            }
            scores = admitted.foldScores(scores);
        }
        if (admitted.changed()) {
            active.admittedModels.add(e.model());
        }
        if (version.equals(e.version()) && segments == e.segments() && prediction == e.prediction()
                && scores == e.scores()) {
            return new Counted(e, sharedVersion, shared);
        }
        return new Counted(new PredictionEvent(e.model(), e.id(), version, e.timestampMs(), e.features(), prediction,
                e.score(), scores, e.latencyMs(), e.error(), segments), sharedVersion, shared);
    }

    /** A classifier's label as counted under the limits: its class name, folded past them. */
    Object foldLabel(String model, Object label, Generation active) {
        ModelAdmissions admitted = of(model);
        String name = label instanceof Double d ? ClassNames.of(d) : (String) label;
        String folded = admitted.foldClass(name);
        if (folded != name) {
            label = folded;
        }
        if (admitted.changed()) {
            active.admittedModels.add(model);
        }
        return label;
    }

    /** The feature names each of {@code models} has been admitted. */
    Map<String, Set<String>> admittedFeatures(Set<String> models) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String m : models) {
            out.put(m, Set.copyOf(of(m).features()));
        }
        return out;
    }

    /** The segment keys and values {@code model} has been admitted; empty for a model never seen. */
    Map<String, Set<String>> admittedSegments(String model) {
        ModelAdmissions a = admissions.get(model);
        if (a != null) {
            return a.segments();
        }
        AdmittedValues stored = storedAdmissions.get(model);
        return stored == null ? Map.of() : stored.segments();
    }

    /** What a commit writes of the values {@code model} has been admitted. */
    AdmittedValues snapshot(String model) {
        return admissions.get(model).snapshot();
    }

    /** Has the admitted values of {@code model} written again with its next commit (storage did not take them). */
    void markChanged(String model) {
        admissions.get(model).markChanged();
    }

    /** What {@code model} has been admitted; the same instance for the runtime's life. */
    ModelAdmissions admissionsOf(String model) {
        return of(model);
    }

    private ModelAdmissions of(String model) {
        ModelAdmissions a = admissions.get(model);
        if (a == null) {
            a = new ModelAdmissions(model, limits, limitObserver, storedAdmissions.remove(model));
            admissions.put(model, a);
        }
        return a;
    }
}
