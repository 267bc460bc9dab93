package dev.modelwatch.core.drift;

import dev.modelwatch.core.drift.multivariate.CoMomentChunks;
import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.drift.multivariate.PcaReconstructionModel;
import dev.modelwatch.core.estimate.Calibrator;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds a {@link Reference} from rows of reference data, one at a time, keeping no row: a profile
 * at {@link SketchSettings#REFERENCE} sizes, co-moments of the numerical features in consecutive chunks
 * ({@link CoMomentChunks}: the multivariate model's threshold is cross-fitted on them), and a
 * uniform sample of at most {@code maxCalibrationRows} labelled scores for the calibration.
 *
 * <p>The multivariate model uses the numerical features of the first row that has any (at most
 * {@link CoMoments#MAX_FEATURES}); a feature that only later rows have is profiled and tested for
 * drift on its own, but not part of the multivariate model. Calibration needs at least
 * {@link #MIN_CALIBRATION_ROWS} rows with both a score and a label; with fewer, scores are taken as
 * calibrated probabilities and the estimate says so.
 *
 * <p>Usage:
 * <pre>{@code
 * ReferenceBuilder b = new ReferenceBuilder(spec);
 * for (Row r : rows) b.add(r.features(), r.prediction(), r.score(), r.scores(), r.label());
 * Reference ref = b.build(Map.of("amount", 0.4));
 * }</pre>
 */
public final class ReferenceBuilder {
    public static final int DEFAULT_MAX_CALIBRATION_ROWS = 200_000;
    public static final int MIN_CALIBRATION_ROWS = 100;

    private final ModelSpec spec;
    private final String positiveClass;
    private final boolean classification;
    private final int maxCalibrationRows;
    private final WindowProfile profile = new WindowProfile(SketchSettings.REFERENCE);
    private final SplittableRandom random = new SplittableRandom(0x5eed);
    private long rowIndex;
    // multivariate
    private List<String> layout;
    private Map<String, Integer> slot;
    private double[] row;
    private CoMomentChunks chunks;
    // calibration sample (reservoir): binary score and outcome, or multiclass scores and actual class
    private long labelledScored;
    private final List<Double> sampleScores = new ArrayList<>();
    private final List<Boolean> sampleOutcomes = new ArrayList<>();
    private final List<Map<String, Double>> sampleClassScores = new ArrayList<>();
    private final List<String> sampleActual = new ArrayList<>();

    public ReferenceBuilder(ModelSpec spec) {
        this(spec, DEFAULT_MAX_CALIBRATION_ROWS);
    }

    public ReferenceBuilder(ModelSpec spec, int maxCalibrationRows) {
        if (maxCalibrationRows < MIN_CALIBRATION_ROWS) {
            throw new IllegalArgumentException("maxCalibrationRows must be >= " + MIN_CALIBRATION_ROWS + ", was "
                    + maxCalibrationRows);
        }
        this.spec = spec;
        this.classification = spec.task() != ModelTask.REGRESSION;
        this.positiveClass = spec.task() == ModelTask.BINARY_CLASSIFICATION ? spec.positiveClass() : null;
        this.maxCalibrationRows = maxCalibrationRows;
    }

    /**
     * Adds one row.
     *
     * @param features   feature name to a Double, a String or null (a {@link FeatureVector} is fastest)
     * @param prediction the model's output on the row (Double or String), or null
     * @param score      the binary score, or null
     * @param scores     the multiclass scores, or null
     * @param label      the true label (Double or String), or null
     */
    public void add(Map<String, Object> features, Object prediction, Double score, Map<String, Double> scores,
                    Object label) {
        PredictionEvent e = new PredictionEvent(spec.name(), null, "reference", 0L, features, prediction, score, scores,
                Double.NaN, null, Map.of());
        profile.addPrediction(e, positiveClass);
        addNumeric(features);
        if (label != null) {
            PendingPrediction p = new PendingPrediction(spec.name(), "r" + rowIndex, "reference", 0L, 0L, 1L, Map.of(),
                    e.predictedClass(), prediction instanceof Double d ? d : Double.NaN, score, scores, false);
            profile.addOutcome(p, label, spec.positiveClass(), classification);
            if (classification) {
                sampleCalibration(score, scores, label instanceof Double d ? ClassNames.of(d) : (String) label);
            }
        }
        rowIndex++;
    }

    private void addNumeric(Map<String, Object> features) {
        if (layout == null) {
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, Object> f : features.entrySet()) {
                if (f.getValue() instanceof Double && names.size() < CoMoments.MAX_FEATURES) {
                    names.add(f.getKey());
                }
            }
            if (names.isEmpty()) {
                return;
            }
            layout = List.copyOf(names);
            slot = new HashMap<>();
            for (int i = 0; i < layout.size(); i++) {
                slot.put(layout.get(i), i);
            }
            row = new double[layout.size()];
        }
        java.util.Arrays.fill(row, Double.NaN);
        if (features instanceof FeatureVector v) {
            for (int i = 0; i < v.size(); i++) {
                if (v.kind(i) == FeatureVector.NUMBER) {
                    Integer s = slot.get(v.name(i));
                    if (s != null) {
                        row[s] = v.number(i);
                    }
                }
            }
        } else {
            for (int i = 0; i < layout.size(); i++) {
                if (features.get(layout.get(i)) instanceof Double d) {
                    row[i] = d;
                }
            }
        }
        if (chunks == null) {
            chunks = new CoMomentChunks(layout);
        }
        chunks.add(row);
    }

    private void sampleCalibration(Double score, Map<String, Double> scores, String actual) {
        boolean binary = score != null && Double.isFinite(score) && score >= 0 && score <= 1;
        boolean multi = scores != null && !scores.isEmpty();
        if (!binary && !multi) {
            return;
        }
        labelledScored++;
        int at;
        if (sampleScores.size() + sampleClassScores.size() < maxCalibrationRows) {
            at = -1;
        } else {
            long j = random.nextLong(labelledScored);
            if (j >= maxCalibrationRows) {
                return;
            }
            at = (int) j;
        }
        if (binary) {
            boolean outcome = actual.equals(positiveClass);
            if (at < 0) {
                sampleScores.add(score);
                sampleOutcomes.add(outcome);
            } else if (at < sampleScores.size()) {
                sampleScores.set(at, score);
                sampleOutcomes.set(at, outcome);
            }
        } else {
            Map<String, Double> normalized = normalized(scores);
            if (normalized == null) {
                return;
            }
            if (at < 0) {
                sampleClassScores.add(normalized);
                sampleActual.add(actual);
            } else if (at < sampleClassScores.size()) {
                sampleClassScores.set(at, normalized);
                sampleActual.set(at, actual);
            }
        }
    }

    private static Map<String, Double> normalized(Map<String, Double> scores) {
        double sum = 0;
        for (double v : scores.values()) {
            if (!Double.isFinite(v) || v < 0) {
                return null;
            }
            sum += v;
        }
        if (sum <= 0) {
            return null;
        }
        Map<String, Double> out = new TreeMap<>();
        for (Map.Entry<String, Double> s : scores.entrySet()) {
            out.put(s.getKey(), s.getValue() / sum);
        }
        return out;
    }

    /** Rows added so far. */
    public long rows() {
        return rowIndex;
    }

    /** The reference of the rows added, with optional feature importances. */
    public Reference build(Map<String, Double> featureImportances) {
        PcaReconstructionModel model = null;
        if (chunks != null && layout.size() >= 2) {
            model = PcaReconstructionModel.fit(chunks.total(), chunks.chunks());
        }
        return new Reference(Reference.UPLOAD, profile, featureImportances, model, calibrators());
    }

    private Map<String, Calibrator> calibrators() {
        Map<String, Calibrator> out = new TreeMap<>();
        if (sampleScores.size() >= MIN_CALIBRATION_ROWS && positiveClass != null) {
            double[] s = new double[sampleScores.size()];
            int[] o = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = sampleScores.get(i);
                o[i] = sampleOutcomes.get(i) ? 1 : 0;
            }
            out.put(positiveClass, Calibrator.isotonic(s, o));
        } else if (sampleClassScores.size() >= MIN_CALIBRATION_ROWS) {
            java.util.TreeSet<String> classes = new java.util.TreeSet<>();
            for (Map<String, Double> m : sampleClassScores) {
                classes.addAll(m.keySet());
            }
            Map<String, double[]> byClass = new TreeMap<>();
            for (String c : classes) {
                double[] v = new double[sampleClassScores.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = sampleClassScores.get(i).getOrDefault(c, 0.0);
                }
                byClass.put(c, v);
            }
            out.putAll(Calibrator.isotonicOneVsRest(byClass, sampleActual.toArray(new String[0])));
        }
        return out;
    }
}
