package dev.modelwatch.core.metrics;

import dev.modelwatch.core.profile.ScoreHistogram;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Classification metrics from a profile's joined labels. Definitions follow scikit-learn so that
 * its results serve as the independent reference: binary precision/recall/F1 of the positive
 * class; multiclass macro averages over the union of true and predicted classes, an undefined
 * per-class value (no support, no predictions) counting as 0 in the average; ROC AUC one-vs-rest
 * macro for multiclass; log loss with probabilities clipped to [1e-15, 1 - 1e-15].
 * A value that cannot be computed is {@code null} and {@link #reasons()} says why.
 */
public record ClassificationMetrics(long labeled, Double accuracy, Double precision, Double recall, Double f1,
                                    Double rocAuc, Double rocAucErrorBound, Double logLoss,
                                    Map<String, PerClass> perClass, Map<String, Map<String, Long>> confusion,
                                    Map<String, String> reasons) {

    /** Precision, recall and F1 of one class, and how many labels it had. */
    public record PerClass(Double precision, Double recall, Double f1, long support) {
    }

    public static ClassificationMetrics of(WindowProfile p, ModelSpec spec) {
        Map<String, String> reasons = new LinkedHashMap<>();
        Map<String, Map<String, Long>> confusion = p.confusion();
        TreeSet<String> classes = new TreeSet<>(confusion.keySet());
        confusion.values().forEach(row -> classes.addAll(row.keySet()));
        long total = 0;
        long correct = 0;
        Map<String, Long> predictedTotals = new LinkedHashMap<>();
        Map<String, Long> actualTotals = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Long>> row : confusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                total += cell.getValue();
                if (cell.getKey().equals(row.getKey())) {
                    correct += cell.getValue();
                }
                predictedTotals.merge(cell.getKey(), cell.getValue(), Long::sum);
                actualTotals.merge(row.getKey(), cell.getValue(), Long::sum);
            }
        }
        Map<String, PerClass> perClass = new LinkedHashMap<>();
        for (String c : classes) {
            long tp = confusion.getOrDefault(c, Map.of()).getOrDefault(c, 0L);
            long predicted = predictedTotals.getOrDefault(c, 0L);
            long actual = actualTotals.getOrDefault(c, 0L);
            Double prec = predicted == 0 ? null : (double) tp / predicted;
            Double rec = actual == 0 ? null : (double) tp / actual;
            long f1Denominator = predicted + actual;
            Double f = f1Denominator == 0 ? null : 2.0 * tp / f1Denominator;
            perClass.put(c, new PerClass(prec, rec, f, actual));
        }
        Double accuracy = null;
        Double precision = null;
        Double recall = null;
        Double f1 = null;
        if (total == 0) {
            reasons.put("accuracy", p.labeled() == 0 ? "no labels yet" : "no predicted classes among labeled predictions");
        } else {
            accuracy = (double) correct / total;
            if (spec.task() == ModelTask.BINARY_CLASSIFICATION) {
                PerClass pos = perClass.get(spec.positiveClass());
                if (pos == null) {
                    reasons.put("precision", "positive class '" + spec.positiveClass() + "' neither predicted nor labeled");
                } else {
                    precision = pos.precision();
                    recall = pos.recall();
                    f1 = pos.f1();
                    if (precision == null) {
                        reasons.put("precision", "positive class never predicted");
                    }
                    if (recall == null) {
                        reasons.put("recall", "no positive labels");
                    }
                }
            } else {
                precision = macro(perClass, PerClass::precision);
                recall = macro(perClass, PerClass::recall);
                f1 = macro(perClass, PerClass::f1);
            }
        }
        Double auc = null;
        Double aucBound = null;
        Double logLoss = null;
        if (spec.task() == ModelTask.BINARY_CLASSIFICATION) {
            ScoreHistogram pos = new ScoreHistogram();
            ScoreHistogram neg = new ScoreHistogram();
            double ll = 0;
            long n = 0;
            for (Map.Entry<String, ScoreHistogram> h : p.binaryScoresByActual().entrySet()) {
                boolean positive = h.getKey().equals(spec.positiveClass());
                (positive ? pos : neg).merge(h.getValue());
                double[] sums = p.binaryLogLossByActual().get(h.getKey());
                ll += positive ? sums[0] : sums[1];
                n += h.getValue().total();
            }
            if (n == 0) {
                reasons.put("roc_auc", "no labeled predictions with a score");
                reasons.put("log_loss", "no labeled predictions with a score");
            } else {
                logLoss = ll / n;
                if (pos.total() == 0 || neg.total() == 0) {
                    reasons.put("roc_auc", "only one class among the labels");
                } else {
                    auc = ScoreHistogram.auc(pos, neg);
                    aucBound = ScoreHistogram.aucTieBound(pos, neg);
                }
            }
        } else if (spec.task() == ModelTask.MULTICLASS_CLASSIFICATION) {
            if (p.multiLogLossCount() == 0) {
                reasons.put("roc_auc", "no labeled predictions with class scores");
                reasons.put("log_loss", "no labeled predictions with class scores");
            } else {
                logLoss = p.multiLogLossSum() / p.multiLogLossCount();
                double sum = 0;
                double bound = 0;
                int n = 0;
                for (Map.Entry<String, ScoreHistogram[]> h : p.oneVsRest().entrySet()) {
                    if (h.getValue()[0].total() > 0 && h.getValue()[1].total() > 0) {
                        sum += ScoreHistogram.auc(h.getValue()[0], h.getValue()[1]);
                        bound += ScoreHistogram.aucTieBound(h.getValue()[0], h.getValue()[1]);
                        n++;
                    }
                }
                if (n == 0) {
                    reasons.put("roc_auc", "no class has both positive and negative labels");
                } else {
                    auc = sum / n;
                    aucBound = bound / n;
                }
            }
        }
        return new ClassificationMetrics(p.labeled(), accuracy, precision, recall, f1, auc, aucBound, logLoss,
                perClass, confusion, reasons);
    }

    private static Double macro(Map<String, PerClass> perClass, java.util.function.Function<PerClass, Double> f) {
        if (perClass.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (PerClass c : perClass.values()) {
            Double v = f.apply(c);
            sum += v == null ? 0 : v;
        }
        return sum / perClass.size();
    }
}
