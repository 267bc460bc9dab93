package dev.modelwatch.core.estimate;

import dev.modelwatch.core.estimate.EstimatedPerformance.ClassEstimate;
import dev.modelwatch.core.estimate.EstimatedPerformance.Estimate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Estimates a classifier's performance on a window without labels, from the window's
 * {@link ConfidenceProfile} and calibrators fitted on labelled reference data: confidence-based
 * performance estimation (CBPE, as in NannyML).
 *
 * <p>Usage:
 * <pre>{@code
 * Calibrator cal = Calibrator.isotonic(referenceScores, referenceOutcomes);
 * EstimatedPerformance e = PerformanceEstimator.binary(windowProfile, cal);          // threshold 0.5
 * EstimatedPerformance f = PerformanceEstimator.binaryAsPredicted(windowProfile, cal);
 * EstimatedPerformance m = PerformanceEstimator.multiclass(profile, Calibrator.isotonicOneVsRest(...));
 * Estimate acc = e.estimate(EstimatedPerformance.ACCURACY);   // value, lower, upper
 * }</pre>
 *
 * <h2>Definitions</h2>
 * Every event of bin {@code b} (score {@code s_b}, its bin's representative) is taken to be positive
 * with probability {@code c_b = c(s_b)}, the calibrated probability. For a class (the positive class
 * of a binary model; each class one-vs-rest for a multiclass one) with {@code PP} events predicted as
 * it and {@code n} events in all:
 * <pre>
 *   T  = E[TP] = sum over events predicted as the class of c         (positives among them)
 *   F  = E[FN] = sum over the other events of c                     (positives missed)
 *   E[FP] = PP - T,   E[TN] = n - PP - F
 *   precision = T / PP,   recall = T / (T + F),   F1 = 2T / (PP + T + F)
 * </pre>
 * Binary accuracy is {@code (T + (n - PP) - F) / n}; multiclass accuracy is
 * {@code sum over classes of T_c / n} (the calibrated probability of the predicted class, summed).
 * For a multiclass model {@code T_c} comes from the bins of the predicted class's score over the
 * events predicted {@code c}, and {@code T_c + F_c} from the bins of {@code p(c)} over all events
 * (so {@code F_c} from their difference), each calibrated with class {@code c}'s one-vs-rest
 * calibrator; the per-class calibrated probabilities are used as they are (not renormalized to
 * sum to 1 per event, which would need the joint scores the bins do not keep). ROC AUC is the
 * Mann–Whitney probability for the expected weights of positives {@code w+_b = n_b c_b} and
 * negatives {@code w-_b = n_b (1 - c_b)} per bin, in the order of the score:
 * {@code AUC = sum_b w+_b (W-_below(b) + w-_b / 2) / (W+ W-)} (pairs within a bin count half).
 * Binary: of the positive-class score; multiclass: of each class's score one-vs-rest, averaged.
 *
 * <h2>Band</h2>
 * With labels independent Bernoulli({@code c_i}) draws given the scores, the realized metric is a
 * function of {@code y}; its sd is {@code sqrt(sum_i c_i (1 - c_i) g_i²)} where {@code g_i} is the
 * metric's derivative in {@code y_i} (exact for the linear metrics accuracy, {@code sqrt(sum c(1-c))/n},
 * and precision, {@code sqrt(sum_pp c(1-c))/PP}; the delta method for recall
 * {@code g = F/(T+F)²} on predicted positives and {@code -T/(T+F)²} on the others, F1
 * {@code g = 2(PP+F)/D²} and {@code -2T/D²} with {@code D = PP+T+F}, and ROC AUC
 * {@code g_b = [W-_below(b) + w-_b/2 - W+_above(b) - w+_b/2 - AUC (W- - W+)] / (W+ W-)}). The
 * calibrator's own error enters through the same derivatives, each estimate being a function of
 * the calibrated probabilities with {@code d/dc_b = n_b g_b} (see {@link Calibrator}; the classes'
 * one-vs-rest calibrators of a multiclass model are treated as independent). Macro averages
 * take the mean of the classes' sds, an upper bound of the sd of the mean. The band and what it
 * does not cover: {@link EstimatedPerformance.Estimate}. The estimates are ratios of expectations;
 * their bias against the expected realized value is of order {@code 1/n}.
 *
 * <p>The bins' discretisation error is bounded in {@link ScoreBins}. Stateless; thread-safe.
 */
public final class PerformanceEstimator {
    /** The default decision threshold of binary models: positive iff score >= 0.5. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    private PerformanceEstimator() {
    }

    /** {@link #binary(ConfidenceProfile, Calibrator, double)} at {@link #DEFAULT_THRESHOLD}. */
    public static EstimatedPerformance binary(ConfidenceProfile profile, Calibrator calibrator) {
        return binary(profile, calibrator, DEFAULT_THRESHOLD);
    }

    /**
     * Estimates a binary model's performance if it predicts positive iff its score {@code >=
     * threshold}, whatever its recorded predictions were.
     *
     * @param threshold a bin edge of the profile's bins (0.5 always is)
     * @throws IllegalArgumentException for a multiclass profile, a null calibrator or a threshold that is not a bin edge
     */
    public static EstimatedPerformance binary(ConfidenceProfile profile, Calibrator calibrator, double threshold) {
        requireBinary(profile, calibrator);
        ScoreBins[] bins = profile.binaryBins();
        int k = bins[0].edgeIndex(threshold);
        int b = profile.binCount();
        long[] predicted = new long[b];
        long[] other = new long[b];
        long[] negative = bins[0].counts();
        long[] positive = bins[1].counts();
        for (int i = 0; i < b; i++) {
            long n = negative[i] + positive[i];
            if (i >= k) {
                predicted[i] = n;
            } else {
                other[i] = n;
            }
        }
        return binary(profile, calibrator, predicted, other);
    }

    /**
     * Estimates a binary model's performance for the predictions it made (recorded per event in the
     * profile), whatever its decision rule.
     */
    public static EstimatedPerformance binaryAsPredicted(ConfidenceProfile profile, Calibrator calibrator) {
        requireBinary(profile, calibrator);
        ScoreBins[] bins = profile.binaryBins();
        return binary(profile, calibrator, bins[1].counts().clone(), bins[0].counts().clone());
    }

    private static void requireBinary(ConfidenceProfile profile, Calibrator calibrator) {
        if (profile == null || !profile.isBinary()) {
            throw new IllegalArgumentException("profile must be a binary ConfidenceProfile");
        }
        if (calibrator == null) {
            throw new IllegalArgumentException("calibrator must not be null (Calibrator.identity() for a calibrated model)");
        }
    }

    private static EstimatedPerformance binary(ConfidenceProfile profile, Calibrator calibrator, long[] predicted,
            long[] other) {
        long n = profile.scoredEvents();
        Map<String, Estimate> metrics = emptyMetrics();
        Map<String, String> reasons = new LinkedHashMap<>();
        Map<String, ClassEstimate> perClass = new LinkedHashMap<>();
        if (n == 0) {
            noEvents(profile, reasons);
            return new EstimatedPerformance(0, profile.invalidEvents(), metrics, perClass, reasons);
        }
        String positive = profile.positiveClass();
        OneVsRest c = new OneVsRest(profile.binaryBins()[0].representatives(), calibrator, predicted, other);
        double[] var = c.variance(1.0 / n, -1.0 / n);
        metrics.put(EstimatedPerformance.ACCURACY, estimate((c.t + (c.otherCount - c.f)) / n, var));
        ClassEstimate ce = c.classEstimate(n, positive, reasons, "");
        perClass.put(positive, ce);
        metrics.put(EstimatedPerformance.PRECISION, ce.precision());
        metrics.put(EstimatedPerformance.RECALL, ce.recall());
        metrics.put(EstimatedPerformance.F1, ce.f1());
        metrics.put(EstimatedPerformance.ROC_AUC, ce.rocAuc());
        return new EstimatedPerformance(n, profile.invalidEvents(), metrics, perClass, reasons);
    }

    /**
     * Estimates a multiclass model's performance for the predictions it made.
     *
     * @param calibrators one per class of the profile ({@link Calibrator#isotonicOneVsRest} or
     *                    {@link Calibrator#identity()}); entries for other classes are ignored
     * @throws IllegalArgumentException for a binary profile or a class without a calibrator
     */
    public static EstimatedPerformance multiclass(ConfidenceProfile profile, Map<String, Calibrator> calibrators) {
        if (profile == null || profile.isBinary()) {
            throw new IllegalArgumentException("profile must be a multiclass ConfidenceProfile");
        }
        if (calibrators == null) {
            throw new IllegalArgumentException("calibrators must not be null");
        }
        for (String c : profile.classes()) {
            if (calibrators.get(c) == null) {
                throw new IllegalArgumentException("calibrators must hold one for class '" + c + "' (Calibrator.identity()"
                        + " for a calibrated model)");
            }
        }
        long n = profile.scoredEvents();
        Map<String, Estimate> metrics = emptyMetrics();
        Map<String, String> reasons = new LinkedHashMap<>();
        Map<String, ClassEstimate> perClass = new LinkedHashMap<>();
        if (n == 0) {
            noEvents(profile, reasons);
            return new EstimatedPerformance(0, profile.invalidEvents(), metrics, perClass, reasons);
        }
        ScoreBins[] all = profile.classScoreBins();
        ScoreBins[] predictedBins = profile.predictedScoreBins();
        double correct = 0;
        double samplingVar = 0;
        double calibrationVar = 0;
        int k = profile.classes().size();
        for (int i = 0; i < k; i++) {
            String cls = profile.classes().get(i);
            long[] predicted = predictedBins[i].counts().clone();
            long[] other = new long[predicted.length];
            for (int b = 0; b < other.length; b++) {
                other[b] = Math.max(0, all[i].counts()[b] - predicted[b]);
            }
            OneVsRest c = new OneVsRest(all[i].representatives(), calibrators.get(cls), predicted, other);
            correct += c.t;
            double[] v = c.variance(1.0 / n, 0.0);
            samplingVar += v[0];
            calibrationVar += v[1];
            perClass.put(cls, c.classEstimate(n, cls, reasons, ":" + cls));
        }
        metrics.put(EstimatedPerformance.ACCURACY, estimate(correct / n, new double[] {samplingVar, calibrationVar}));
        metrics.put(EstimatedPerformance.PRECISION, macro(perClass, EstimatedPerformance.PRECISION, reasons, true));
        metrics.put(EstimatedPerformance.RECALL, macro(perClass, EstimatedPerformance.RECALL, reasons, true));
        metrics.put(EstimatedPerformance.F1, macro(perClass, EstimatedPerformance.F1, reasons, true));
        metrics.put(EstimatedPerformance.ROC_AUC, macro(perClass, EstimatedPerformance.ROC_AUC, reasons, false));
        return new EstimatedPerformance(n, profile.invalidEvents(), metrics, perClass, reasons);
    }

    /**
     * The mean over classes: an undefined class value counts 0 when {@code undefinedIsZero}
     * (precision, recall, F1), and is left out otherwise (ROC AUC). The sds are the means of the
     * classes' sds (an upper bound of the sd of the mean, by the triangle inequality).
     */
    private static Estimate macro(Map<String, ClassEstimate> perClass, String metric, Map<String, String> reasons,
            boolean undefinedIsZero) {
        double value = 0;
        double sampling = 0;
        double calibration = 0;
        int defined = 0;
        for (ClassEstimate c : perClass.values()) {
            Estimate e = metric.equals(EstimatedPerformance.PRECISION) ? c.precision()
                    : metric.equals(EstimatedPerformance.RECALL) ? c.recall()
                    : metric.equals(EstimatedPerformance.F1) ? c.f1() : c.rocAuc();
            if (e != null) {
                value += e.value();
                sampling += e.samplingSd();
                calibration += e.calibrationSd();
                defined++;
            }
        }
        if (defined == 0) {
            reasons.put(metric, "undefined for every class");
            return null;
        }
        int count = undefinedIsZero ? perClass.size() : defined;
        return Estimate.of(value / count, sampling / count, calibration / count);
    }

    private static Map<String, Estimate> emptyMetrics() {
        Map<String, Estimate> m = new LinkedHashMap<>();
        for (String metric : new String[] {EstimatedPerformance.ACCURACY, EstimatedPerformance.PRECISION,
                EstimatedPerformance.RECALL, EstimatedPerformance.F1, EstimatedPerformance.ROC_AUC}) {
            m.put(metric, null);
        }
        return m;
    }

    private static void noEvents(ConfidenceProfile profile, Map<String, String> reasons) {
        String why = "no scored events in the window"
                + (profile.invalidEvents() > 0 ? " (" + profile.invalidEvents() + " with invalid scores)" : "");
        for (String metric : emptyMetrics().keySet()) {
            reasons.put(metric, why);
        }
    }

    private static Estimate estimate(double value, double[] variance) {
        return Estimate.of(value, Math.sqrt(variance[0]), Math.sqrt(variance[1]));
    }

    /**
     * One class against the rest over one set of bins: per bin the events predicted as the class and
     * the other events, and the calibrated probability of the bin's representative score.
     */
    private static final class OneVsRest {
        final Calibrator calibrator;
        final long[] predicted;
        final long[] other;
        final double[] c;
        // per bin the calibrator blocks its probability depends on, and their weights
        final int[][] blocks;
        final double[][] weights;
        final int[] blockCounts;
        final long predictedCount;
        final long otherCount;
        final double t; // expected positives among the predicted
        final double f; // expected positives among the others
        final double vt;
        final double vf;

        OneVsRest(double[] representatives, Calibrator calibrator, long[] predicted, long[] other) {
            this.calibrator = calibrator;
            this.predicted = predicted;
            this.other = other;
            int b = representatives.length;
            this.c = new double[b];
            this.blocks = new int[b][];
            this.weights = new double[b][];
            this.blockCounts = new int[b];
            long pp = 0;
            long oc = 0;
            double t = 0;
            double f = 0;
            double vt = 0;
            double vf = 0;
            for (int i = 0; i < b; i++) {
                if (predicted[i] == 0 && other[i] == 0) {
                    continue;
                }
                double p = Math.min(1.0, Math.max(0.0, calibrator.calibrate(representatives[i])));
                c[i] = p;
                blocks[i] = new int[2];
                weights[i] = new double[2];
                blockCounts[i] = calibrator.sensitivity(representatives[i], blocks[i], weights[i]);
                pp += predicted[i];
                oc += other[i];
                t += predicted[i] * p;
                f += other[i] * p;
                vt += predicted[i] * p * (1 - p);
                vf += other[i] * p * (1 - p);
            }
            this.predictedCount = pp;
            this.otherCount = oc;
            this.t = t;
            this.f = f;
            this.vt = vt;
            this.vf = vf;
        }

        /** {sampling variance, calibration variance} of a metric whose derivative is the same on all predicted (other) events. */
        double[] variance(double gPredicted, double gOther) {
            return variance(null, gPredicted, gOther);
        }

        /**
         * {sampling variance, calibration variance} of a metric with derivative {@code perBin[b]} in
         * the label of every event of bin b (or the constants when perBin is null).
         */
        double[] variance(double[] perBin, double gPredicted, double gOther) {
            double sampling = 0;
            double[] a = calibrator.isIdentity() ? null : new double[calibrator.blockCount()];
            for (int i = 0; i < c.length; i++) {
                if (blocks[i] == null) {
                    continue;
                }
                double gp = perBin == null ? gPredicted : perBin[i];
                double go = perBin == null ? gOther : perBin[i];
                sampling += c[i] * (1 - c[i]) * (predicted[i] * gp * gp + other[i] * go * go);
                if (a != null) {
                    double coefficient = predicted[i] * gp + other[i] * go;
                    for (int j = 0; j < blockCounts[i]; j++) {
                        a[blocks[i][j]] += coefficient * weights[i][j];
                    }
                }
            }
            double calibration = 0;
            if (a != null) {
                for (int j = 0; j < a.length; j++) {
                    calibration += a[j] * a[j] * calibrator.blockVariance(j);
                }
            }
            return new double[] {sampling, calibration};
        }

        ClassEstimate classEstimate(long n, String cls, Map<String, String> reasons, String suffix) {
            Estimate precision = null;
            Estimate recall = null;
            Estimate f1 = null;
            if (predictedCount == 0) {
                reasons.put(EstimatedPerformance.PRECISION + suffix, "no events predicted '" + cls + "'");
            } else {
                precision = estimate(t / predictedCount, variance(1.0 / predictedCount, 0.0));
            }
            double actual = t + f;
            if (actual <= 0) {
                reasons.put(EstimatedPerformance.RECALL + suffix, "no expected events of class '" + cls
                        + "': its calibrated probabilities are all 0");
            } else {
                double d2 = actual * actual;
                recall = estimate(t / actual, variance(f / d2, -t / d2));
            }
            double d = predictedCount + actual;
            if (d <= 0) {
                reasons.put(EstimatedPerformance.F1 + suffix, "class '" + cls + "' neither predicted nor expected");
            } else {
                f1 = estimate(2 * t / d, variance(2 * (predictedCount + f) / (d * d), -2 * t / (d * d)));
            }
            Estimate auc = rocAuc(cls, reasons, suffix);
            return new ClassEstimate(predictedCount, t, actual, n, precision, recall, f1, auc);
        }

        Estimate rocAuc(String cls, Map<String, String> reasons, String suffix) {
            double positives = 0;
            double negatives = 0;
            for (int i = 0; i < c.length; i++) {
                long n = predicted[i] + other[i];
                positives += n * c[i];
                negatives += n * (1 - c[i]);
            }
            if (!(positives > 0) || !(negatives > 0)) {
                reasons.put(EstimatedPerformance.ROC_AUC + suffix, "no expected " + (positives > 0 ? "negatives" : "positives")
                        + " of class '" + cls + "': calibrated probabilities are all " + (positives > 0 ? "1" : "0"));
                return null;
            }
            double pairs = positives * negatives;
            double negativesBelow = 0;
            double sum = 0;
            double[] below = new double[c.length]; // W-_below(b) + w-_b / 2
            double[] above = new double[c.length]; // W+_above(b) + w+_b / 2
            double positivesBelow = 0;
            for (int i = 0; i < c.length; i++) {
                long n = predicted[i] + other[i];
                double wp = n * c[i];
                double wn = n * (1 - c[i]);
                below[i] = negativesBelow + 0.5 * wn;
                above[i] = positives - positivesBelow - 0.5 * wp;
                sum += wp * below[i];
                negativesBelow += wn;
                positivesBelow += wp;
            }
            double auc = sum / pairs;
            double[] gradient = new double[c.length];
            for (int i = 0; i < c.length; i++) {
                gradient[i] = (below[i] - above[i] - auc * (negatives - positives)) / pairs;
            }
            return estimate(auc, variance(gradient, 0, 0));
        }
    }
}
