package dev.modelwatch.core.profile;

import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.event.PredictionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The score distributions of a window's predictions, for estimating performance without labels,
 * and whether windows with different class lists (or binary and multiclass scores) were merged,
 * when no estimate can be made. Part of a {@link WindowProfile}; not thread-safe.
 */
final class ConfidenceState {
    /** null until a scored prediction. */
    private ConfidenceProfile confidence;
    private boolean mixed;

    void add(PredictionEvent e, String positiveClass) {
        if (e.score() != null) {
            if (confidence == null) {
                confidence = ConfidenceProfile.binary(positiveClass == null ? "positive" : positiveClass);
            } else if (!confidence.isBinary()) {
                mixed = true;
                return;
            }
            double s = e.score();
            boolean positive = positiveClass == null || e.prediction() == null ? s >= 0.5
                    : positiveClass.equals(e.prediction() instanceof Double d ? ClassNames.of(d) : e.prediction());
            confidence.add(s, positive);
        } else if (e.scores() != null && !e.scores().isEmpty()) {
            Map<String, Double> scores = e.scores();
            if (confidence == null) {
                if (scores.size() > ConfidenceProfile.MAX_CLASSES) {
                    return;
                }
                confidence = ConfidenceProfile.multiclass(new ArrayList<>(new TreeSet<>(scores.keySet())));
            } else if (confidence.isBinary()) {
                mixed = true;
                return;
            }
            double sum = 0;
            String argmax = null;
            double best = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, Double> x : scores.entrySet()) {
                double v = x.getValue();
                sum += v;
                if (v > best) {
                    best = v;
                    argmax = x.getKey();
                }
            }
            if (sum > 0 && Double.isFinite(sum) && Math.abs(sum - 1) > 1e-6) {
                Map<String, Double> normalized = new HashMap<>();
                for (Map.Entry<String, Double> x : scores.entrySet()) {
                    normalized.put(x.getKey(), x.getValue() / sum);
                }
                scores = normalized;
            }
            String predicted = e.prediction() == null ? argmax
                    : e.prediction() instanceof Double d ? ClassNames.of(d) : (String) e.prediction();
            confidence.add(scores, predicted);
        }
    }

    void merge(ConfidenceState o) {
        mixed |= o.mixed;
        if (o.confidence != null) {
            if (confidence == null) {
                confidence = o.confidence.copy();
            } else {
                try {
                    confidence.merge(o.confidence);
                } catch (IllegalArgumentException e) {
                    mixed = true;
                }
            }
        }
    }

    /** The distributions, or null when there were none or windows with different class lists were merged. */
    ConfidenceProfile profile() {
        return mixed ? null : confidence;
    }

    boolean mixed() {
        return mixed;
    }

    long estimatedBytes() {
        return confidence == null ? 0 : confidence.estimatedBytes();
    }

    /** The distributions as kept, mixed or not (what the codec writes). */
    ConfidenceProfile kept() {
        return confidence;
    }

    /** Sets what the codec read. */
    void set(boolean mixed, ConfidenceProfile confidence) {
        this.mixed = mixed;
        this.confidence = confidence;
    }
}
