package dev.modelwatch.core.profile;

import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.PredictionEvent;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * Everything known about one model, version and segment in one time window, as a mergeable value:
 * merging the profiles of two sets of events gives the profile of their union. Counts and sums are
 * exact; quantiles, frequent values and distinct counts come from DataSketches.
 *
 * <p>Usage:
 * <pre>{@code
 * WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
 * p.addPrediction(event);
 * p.addOutcome(pendingPrediction, 1.0, "1", true);   // a label joined later
 * WindowProfile day = new WindowProfile(SketchSettings.DEFAULT);
 * day.merge(p);
 * byte[] stored = day.toBytes();
 * }</pre>
 * Not thread-safe: one writer (the aggregation shard) owns a live profile.
 */
public final class WindowProfile {
    /** Distinct features kept per profile; more are counted in {@link #droppedFeatureValues()}. */
    public static final int MAX_FEATURES = 2048;
    /** Distinct classes kept in the confusion matrix; more are counted in {@link #droppedOutcomes()}. */
    public static final int MAX_CLASSES = 512;

    private final SketchSettings settings;
    long count;
    long errors;
    long minTimestampMs = Long.MAX_VALUE;
    long maxTimestampMs = Long.MIN_VALUE;
    QuantileValues latency;
    final FeatureProfiles features;
    FeatureProfile output;
    FeatureProfile score;
    /** Co-moments of the numerical features, for multivariate drift. */
    final NumericRows numeric;
    /** The outcomes of predictions whose labels arrived. */
    OutcomeProfile outcomes;
    /** Score distributions for performance estimation without labels. */
    final ConfidenceState confidence = new ConfidenceState();
    public WindowProfile(SketchSettings settings) {
        this.settings = settings;
        this.features = new FeatureProfiles(settings.forFeatures());
        this.numeric = new NumericRows(settings.multivariateFeatures());
        this.outcomes = new OutcomeProfile(settings);
    }

    public SketchSettings settings() {
        return settings;
    }

    /** Adds one prediction's inputs, output, latency and error; a binary prediction is positive when its score is >= 0.5. */
    public void addPrediction(PredictionEvent e) {
        addPrediction(e, null);
    }

    /**
     * Adds one prediction's inputs, output, latency and error.
     *
     * @param positiveClass the positive class of a binary model: a prediction naming it is a positive
     *                      one (for performance estimation); null to decide by score >= 0.5
     */
    public void addPrediction(PredictionEvent e, String positiveClass) {
        confidence.add(e, positiveClass);
        count++;
        minTimestampMs = Math.min(minTimestampMs, e.timestampMs());
        maxTimestampMs = Math.max(maxTimestampMs, e.timestampMs());
        if (e.error() != null) {
            errors++;
        }
        if (!Double.isNaN(e.latencyMs())) {
            if (latency == null) {
                latency = new QuantileValues(settings.kllK());
            }
            latency.update(e.latencyMs());
        }
        if (e.features() instanceof FeatureVector v) {
            if (settings.multivariateFeatures() > 0) {
                numeric.add(v);
            }
            features.add(v);
        } else {
            if (!e.features().isEmpty() && settings.multivariateFeatures() > 0) {
                numeric.add(e.features());
            }
            features.add(e.features());
        }
        if (e.prediction() != null) {
            if (output == null) {
                output = new FeatureProfile(settings);
            }
            addValue(output, e.prediction());
        }
        if (e.score() != null) {
            if (score == null) {
                score = new FeatureProfile(settings);
            }
            score.add(e.score());
        }
    }

    /**
     * Score distributions for estimating performance without labels; null when no prediction had a
     * score, or when this profile merged windows with different class lists (see {@link #confidenceMixed()}).
     */
    public ConfidenceProfile confidence() {
        return confidence.profile();
    }

    /** Whether windows with different class lists (or binary and multiclass scores) were merged here. */
    public boolean confidenceMixed() {
        return confidence.mixed();
    }

    /** Co-moments of the numerical features, for multivariate drift; null when there were none. */
    public CoMoments numericCoMoments() {
        return numeric.coMoments();
    }

    static void addValue(FeatureProfile fp, Object v) {
        if (v == null) {
            fp.addNull();
        } else if (v instanceof Double d) {
            fp.add(d.doubleValue());
        } else {
            fp.add((String) v);
        }
    }

    /**
     * Adds the outcome of a prediction whose label arrived.
     *
     * @param label          the label: a Double or a String
     * @param positiveClass  the positive class of a binary classifier (used to derive a predicted
     *                       class from a score when the prediction sent none)
     * @param classification whether the model is a classifier (regression keeps no confusion matrix)
     */
    public void addOutcome(PendingPrediction p, Object label, String positiveClass, boolean classification) {
        outcomes.add(p, label, positiveClass, classification);
    }

    /** The class a binary model predicts when its score is below 0.5 and it sent no class. */
    public static String negativeClassOf(String positiveClass) {
        return switch (positiveClass) {
            case "1" -> "0";
            case "true" -> "false";
            case "yes" -> "no";
            default -> "not " + positiveClass;
        };
    }

    /** Merges {@code o} into this profile; afterwards this profile describes the union of both. */
    public void merge(WindowProfile o) {
        count += o.count;
        errors += o.errors;
        minTimestampMs = Math.min(minTimestampMs, o.minTimestampMs);
        maxTimestampMs = Math.max(maxTimestampMs, o.maxTimestampMs);
        if (o.latency != null && !o.latency.isEmpty()) {
            if (latency == null) {
                latency = new QuantileValues(Math.max(settings.kllK(), o.latency.k()));
            }
            latency.merge(o.latency);
        }
        features.merge(o.features);
        if (o.output != null) {
            if (output == null) {
                output = new FeatureProfile(settings);
            }
            output.merge(o.output);
        }
        if (o.score != null) {
            if (score == null) {
                score = new FeatureProfile(settings);
            }
            score.merge(o.score);
        }
        confidence.merge(o.confidence);
        numeric.merge(o.numeric);
        outcomes.merge(o.outcomes);
    }

    /**
     * An upper estimate of the heap this profile takes, in bytes: what its sketches, maps and
     * histograms hold now (feature names are counted at two bytes a character, though events of a
     * model usually share them). Linear in the features and classes it holds.
     */
    public long estimatedBytes() {
        long bytes = 480;
        bytes += features.estimatedBytes() + numeric.estimatedBytes() + outcomes.estimatedBytes();
        if (latency != null) {
            bytes += latency.estimatedBytes();
        }
        for (FeatureProfile f : new FeatureProfile[] {output, score}) {
            if (f != null) {
                bytes += f.estimatedBytes();
            }
        }
        bytes += confidence.estimatedBytes();
        return bytes;
    }

    public WindowProfile copy() {
        WindowProfile c = new WindowProfile(settings);
        c.merge(this);
        return c;
    }

    public boolean isEmpty() {
        return count == 0 && outcomes.labeled() == 0;
    }

    // ---- read access (package metrics reads these through the accessors) ----

    public long count() {
        return count;
    }

    public long errors() {
        return errors;
    }

    public long labeled() {
        return outcomes.labeled();
    }

    public long droppedFeatureValues() {
        return features.dropped();
    }

    public long droppedOutcomes() {
        return outcomes.droppedOutcomes();
    }

    public long minTimestampMs() {
        return minTimestampMs;
    }

    public long maxTimestampMs() {
        return maxTimestampMs;
    }

    /**
     * A read-only snapshot of the latency sketch, or null without latencies: it cannot be updated,
     * and what this profile adds or merges later does not show in it.
     */
    public KllDoublesSketch latency() {
        return latency == null ? null : KllDoublesSketch.wrap(Memory.wrap(latency.toBytes()));
    }

    public Map<String, FeatureProfile> features() {
        return features.view();
    }

    public FeatureProfile output() {
        return output;
    }

    /** The distribution of the joined labels (class names, or regression targets); null before any label. */
    public FeatureProfile label() {
        return outcomes.label();
    }

    public FeatureProfile score() {
        return score;
    }

    /** Confusion counts: actual class → predicted class → count. */
    public Map<String, Map<String, Long>> confusion() {
        return outcomes.confusion();
    }

    public Map<String, ScoreHistogram> binaryScoresByActual() {
        return outcomes.binaryScoresByActual();
    }

    public Map<String, double[]> binaryLogLossByActual() {
        return outcomes.binaryLogLossByActual();
    }

    public Map<String, ScoreHistogram[]> oneVsRest() {
        return outcomes.oneVsRest();
    }

    public double multiLogLossSum() {
        return outcomes.multiLogLossSum();
    }

    public long multiLogLossCount() {
        return outcomes.multiLogLossCount();
    }

    public long regressionCount() {
        return outcomes.regressionCount();
    }

    public double absErrorSum() {
        return outcomes.absErrorSum();
    }

    public double squaredErrorSum() {
        return outcomes.squaredErrorSum();
    }

    public double absPercentErrorSum() {
        return outcomes.absPercentErrorSum();
    }

    /** Sum of squared deviations of the targets from their mean (the total sum of squares). */
    public double targetSumOfSquares() {
        return outcomes.targetSumOfSquares();
    }

    // ---- serialization ----

    /** The profile in its stored format (see {@link WindowProfileCodec}). */
    public byte[] toBytes() {
        return WindowProfileCodec.toBytes(this);
    }

    /** Reads what {@link #toBytes()} wrote, in this or the previous format. */
    public static WindowProfile fromBytes(byte[] bytes, SketchSettings settings) {
        return WindowProfileCodec.fromBytes(bytes, settings);
    }
}
