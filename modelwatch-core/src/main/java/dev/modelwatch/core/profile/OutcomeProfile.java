package dev.modelwatch.core.profile;

import dev.modelwatch.core.event.ClassNames;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcomes of a window's predictions whose labels arrived: the labels' distribution, confusion
 * counts, score histograms and log-loss sums per actual class, and regression error sums. Part of
 * a {@link WindowProfile}, mergeable like it; not thread-safe.
 */
final class OutcomeProfile {
    /** Probabilities are clipped to [EPS, 1 - EPS] before taking logs, as scikit-learn's log_loss does. */
    static final double LOG_LOSS_EPS = 1e-15;

    private final SketchSettings settings;
    long labeled;
    long droppedOutcomes;
    /** the joined labels' distribution: class names (classifiers) or target values (regression). */
    FeatureProfile label;
    final TreeMap<String, TreeMap<String, long[]>> confusion = new TreeMap<>();
    final TreeMap<String, ScoreHistogram> binaryScoresByActual = new TreeMap<>();
    /** per actual class: [sum of -log(score), sum of -log(1 - score)]. */
    final TreeMap<String, double[]> binaryLogLossByActual = new TreeMap<>();
    /** per class c: [scores of c where actual == c, scores of c where actual != c]. */
    final TreeMap<String, ScoreHistogram[]> oneVsRest = new TreeMap<>();
    double multiLogLossSum;
    long multiLogLossCount;
    // regression
    long regN;
    double absErrSum;
    double sqErrSum;
    double absPctErrSum;
    double yMean;
    double yM2;

    OutcomeProfile(SketchSettings settings) {
        this.settings = settings;
    }

    /**
     * Adds the outcome of a prediction whose label arrived.
     *
     * @param label          the label: a Double or a String
     * @param positiveClass  the positive class of a binary classifier (used to derive a predicted
     *                       class from a score when the prediction sent none)
     * @param classification whether the model is a classifier (regression keeps no confusion matrix)
     */
    void add(PendingPrediction p, Object label, String positiveClass, boolean classification) {
        labeled++;
        if (this.label == null) {
            this.label = new FeatureProfile(settings);
        }
        if (classification) {
            this.label.add(label instanceof Double d ? ClassNames.of(d) : (String) label);
        } else {
            WindowProfile.addValue(this.label, label);
        }
        if (label instanceof Double y && !Double.isNaN(p.predictedValue()) && !classification) {
            double err = y - p.predictedValue();
            regN++;
            absErrSum += Math.abs(err);
            sqErrSum += err * err;
            // as scikit-learn's mean_absolute_percentage_error: |e| / max(|y|, machine epsilon)
            absPctErrSum += Math.abs(err) / Math.max(Math.abs(y), Math.ulp(1.0));
            double delta = y - yMean;
            yMean += delta / regN;
            yM2 += delta * (y - yMean);
        }
        if (!classification) {
            return;
        }
        String actual = label instanceof Double d ? ClassNames.of(d) : (String) label;
        String predicted = p.predictedClass();
        if (p.score() != null && !Double.isNaN(p.score())) {
            double s = p.score();
            if (predicted == null) {
                predicted = s >= 0.5 ? positiveClass : WindowProfile.negativeClassOf(positiveClass);
            }
            binaryScoresByActual.computeIfAbsent(actual, a -> new ScoreHistogram()).add(s);
            double c = clip(s);
            double[] ll = binaryLogLossByActual.computeIfAbsent(actual, a -> new double[2]);
            ll[0] += -Math.log(c);
            ll[1] += -Math.log(1 - c);
        }
        if (p.scores() != null && !p.scores().isEmpty()) {
            double sum = 0;
            String argmax = null;
            double best = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, Double> s : p.scores().entrySet()) {
                double v = s.getValue();
                if (Double.isFinite(v)) {
                    sum += v;
                    if (v > best) {
                        best = v;
                        argmax = s.getKey();
                    }
                }
            }
            if (predicted == null) {
                predicted = argmax;
            }
            if (sum > 0) {
                for (Map.Entry<String, Double> s : p.scores().entrySet()) {
                    if (!Double.isFinite(s.getValue())) {
                        continue;
                    }
                    double prob = s.getValue() / sum;
                    ScoreHistogram[] h = oneVsRest.computeIfAbsent(s.getKey(),
                            k -> new ScoreHistogram[] {new ScoreHistogram(), new ScoreHistogram()});
                    h[s.getKey().equals(actual) ? 0 : 1].add(prob);
                }
                Double pTrue = p.scores().get(actual);
                double prob = pTrue == null || !Double.isFinite(pTrue) ? 0 : pTrue / sum;
                multiLogLossSum += -Math.log(clip(prob));
                multiLogLossCount++;
            }
        }
        if (predicted != null) {
            TreeMap<String, long[]> row = confusion.get(actual);
            if (row == null) {
                if (confusion.size() >= WindowProfile.MAX_CLASSES) {
                    droppedOutcomes++;
                    return;
                }
                row = new TreeMap<>();
                confusion.put(actual, row);
            }
            row.computeIfAbsent(predicted, k -> new long[1])[0]++;
        }
    }

    private static double clip(double p) {
        return Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));
    }

    /** Merges {@code o} into these outcomes. */
    void merge(OutcomeProfile o) {
        labeled += o.labeled;
        droppedOutcomes += o.droppedOutcomes;
        if (o.label != null) {
            if (label == null) {
                label = new FeatureProfile(settings);
            }
            label.merge(o.label);
        }
        for (Map.Entry<String, TreeMap<String, long[]>> row : o.confusion.entrySet()) {
            TreeMap<String, long[]> mine = confusion.get(row.getKey());
            if (mine == null) {
                if (confusion.size() >= WindowProfile.MAX_CLASSES) {
                    for (long[] c : row.getValue().values()) {
                        droppedOutcomes += c[0];
                    }
                    continue;
                }
                mine = new TreeMap<>();
                confusion.put(row.getKey(), mine);
            }
            for (Map.Entry<String, long[]> cell : row.getValue().entrySet()) {
                mine.computeIfAbsent(cell.getKey(), k -> new long[1])[0] += cell.getValue()[0];
            }
        }
        for (Map.Entry<String, ScoreHistogram> h : o.binaryScoresByActual.entrySet()) {
            binaryScoresByActual.computeIfAbsent(h.getKey(), k -> new ScoreHistogram()).merge(h.getValue());
        }
        for (Map.Entry<String, double[]> l : o.binaryLogLossByActual.entrySet()) {
            double[] mine = binaryLogLossByActual.computeIfAbsent(l.getKey(), k -> new double[2]);
            mine[0] += l.getValue()[0];
            mine[1] += l.getValue()[1];
        }
        for (Map.Entry<String, ScoreHistogram[]> h : o.oneVsRest.entrySet()) {
            ScoreHistogram[] mine = oneVsRest.computeIfAbsent(h.getKey(),
                    k -> new ScoreHistogram[] {new ScoreHistogram(), new ScoreHistogram()});
            mine[0].merge(h.getValue()[0]);
            mine[1].merge(h.getValue()[1]);
        }
        multiLogLossSum += o.multiLogLossSum;
        multiLogLossCount += o.multiLogLossCount;
        if (o.regN > 0) {
            long n = regN + o.regN;
            if (regN == 0) {
                // as in FeatureProfile.merge: take the other side's moments as they are
                yMean = o.yMean;
                yM2 = o.yM2;
            } else {
                double delta = o.yMean - yMean;
                yM2 = yM2 + o.yM2 + delta * delta * ((double) regN * o.regN / n);
                yMean = yMean + delta * o.regN / n;
            }
            regN = n;
            absErrSum += o.absErrSum;
            sqErrSum += o.sqErrSum;
            absPctErrSum += o.absPctErrSum;
        }
    }

    /** An upper estimate of the heap these outcomes take, in bytes (see {@link WindowProfile#estimatedBytes()}). */
    long estimatedBytes() {
        long bytes = label == null ? 0 : label.estimatedBytes();
        for (Map.Entry<String, TreeMap<String, long[]>> row : confusion.entrySet()) {
            bytes += 120 + 2L * row.getKey().length() + row.getValue().size() * (120L);
        }
        for (ScoreHistogram h : binaryScoresByActual.values()) {
            bytes += 120 + h.estimatedBytes();
        }
        bytes += binaryLogLossByActual.size() * 120L;
        for (ScoreHistogram[] h : oneVsRest.values()) {
            bytes += 140 + h[0].estimatedBytes() + h[1].estimatedBytes();
        }
        return bytes;
    }

    long labeled() {
        return labeled;
    }

    long droppedOutcomes() {
        return droppedOutcomes;
    }

    /** The distribution of the joined labels (class names, or regression targets); null before any label. */
    FeatureProfile label() {
        return label;
    }

    /** Confusion counts: actual class → predicted class → count. */
    Map<String, Map<String, Long>> confusion() {
        Map<String, Map<String, Long>> m = new TreeMap<>();
        confusion.forEach((a, row) -> {
            Map<String, Long> r = new TreeMap<>();
            row.forEach((p, c) -> r.put(p, c[0]));
            m.put(a, r);
        });
        return m;
    }

    Map<String, ScoreHistogram> binaryScoresByActual() {
        return Collections.unmodifiableMap(binaryScoresByActual);
    }

    Map<String, double[]> binaryLogLossByActual() {
        return Collections.unmodifiableMap(binaryLogLossByActual);
    }

    Map<String, ScoreHistogram[]> oneVsRest() {
        return Collections.unmodifiableMap(oneVsRest);
    }

    double multiLogLossSum() {
        return multiLogLossSum;
    }

    long multiLogLossCount() {
        return multiLogLossCount;
    }

    long regressionCount() {
        return regN;
    }

    double absErrorSum() {
        return absErrSum;
    }

    double squaredErrorSum() {
        return sqErrSum;
    }

    double absPercentErrorSum() {
        return absPctErrSum;
    }

    /** Sum of squared deviations of the targets from their mean (the total sum of squares). */
    double targetSumOfSquares() {
        return yM2;
    }
}
