package dev.modelwatch.core.estimate;

import java.util.Arrays;
import java.util.Random;

/**
 * Synthetic classifier traffic for the estimation tests, and the metrics computed exactly from it,
 * independently of the estimator: realized metrics from sampled labels, and "oracle" expected
 * metrics from the true per-event probabilities without any binning.
 */
final class Simulation {
    private Simulation() {
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /**
     * One window of a binary model: feature x, the true probability {@code P(y=1|x)}, the model's
     * score, its prediction (score >= 0.5) and a sampled label.
     */
    record Binary(double[] x, double[] truth, double[] score, boolean[] predicted, int[] label) {
        int size() {
            return x.length;
        }

        ConfidenceProfile profile(ScoreBins.Spacing spacing, int bins) {
            ConfidenceProfile p = ConfidenceProfile.binary("1", spacing, bins);
            for (int i = 0; i < size(); i++) {
                p.add(score[i], predicted[i]);
            }
            return p;
        }

        ConfidenceProfile profile() {
            return profile(ScoreBins.DEFAULT_SPACING, ScoreBins.DEFAULT_BIN_COUNT);
        }
    }

    /** True {@code P(y=1|x) = sigmoid(2x - 0.5)}, x ~ N(mean, sd²); the model's score is {@code sigmoid(a x - b)}. */
    static Binary binary(Random random, int n, double mean, double sd, double a, double b) {
        double[] x = new double[n];
        double[] truth = new double[n];
        double[] score = new double[n];
        boolean[] predicted = new boolean[n];
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = mean + sd * random.nextGaussian();
            truth[i] = sigmoid(2 * x[i] - 0.5);
            score[i] = sigmoid(a * x[i] - b);
            predicted[i] = score[i] >= 0.5;
            label[i] = random.nextDouble() < truth[i] ? 1 : 0;
        }
        return new Binary(x, truth, score, predicted, label);
    }

    /** Accuracy, precision, recall, F1 and ROC AUC of binary predictions against labels, exactly. */
    static double[] realized(double[] score, boolean[] predicted, int[] label) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        for (int i = 0; i < label.length; i++) {
            if (predicted[i]) {
                if (label[i] == 1) {
                    tp++;
                } else {
                    fp++;
                }
            } else if (label[i] == 1) {
                fn++;
            } else {
                tn++;
            }
        }
        double[] weights = new double[label.length];
        for (int i = 0; i < label.length; i++) {
            weights[i] = label[i];
        }
        return new double[] {(double) (tp + tn) / label.length, (double) tp / (tp + fp), (double) tp / (tp + fn),
                2.0 * tp / (2 * tp + fp + fn), weightedAuc(score, weights)};
    }

    /**
     * The expected metrics when event i is positive with probability {@code p[i]}, computed per event
     * without bins (ratios of expectations): accuracy {@code mean(pred ? p : 1-p)}, precision
     * {@code sum_pred p / #pred}, recall {@code sum_pred p / sum p}, F1 {@code 2 sum_pred p / (#pred + sum p)},
     * and ROC AUC {@link #weightedAuc} with weights p.
     */
    static double[] oracle(double[] score, boolean[] predicted, double[] p) {
        double tp = 0;
        double positives = 0;
        double correct = 0;
        long pp = 0;
        for (int i = 0; i < p.length; i++) {
            positives += p[i];
            if (predicted[i]) {
                tp += p[i];
                pp++;
                correct += p[i];
            } else {
                correct += 1 - p[i];
            }
        }
        return new double[] {correct / p.length, tp / pp, tp / positives, 2 * tp / (pp + positives), weightedAuc(score, p)};
    }

    /**
     * ROC AUC of scores where event i counts as a positive with weight {@code w[i]} and as a
     * negative with weight {@code 1 - w[i]} (labels: w in {0, 1}): the Mann–Whitney probability
     * that a positive outscores a negative, exact ties counting one half. Sorts once, O(n log n).
     */
    static double weightedAuc(double[] score, double[] w) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double negativesBelow = 0;
        double sum = 0;
        double positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            double tiePositives = 0;
            double tieNegatives = 0;
            while (j < n && score[order[j]] == score[order[i]]) {
                tiePositives += w[order[j]];
                tieNegatives += 1 - w[order[j]];
                j++;
            }
            sum += tiePositives * (negativesBelow + 0.5 * tieNegatives);
            negativesBelow += tieNegatives;
            positives += tiePositives;
            i = j;
        }
        return sum / (positives * negativesBelow);
    }

    /** One window of a multiclass model: per event the class probabilities, argmax prediction and a sampled label. */
    record Multiclass(double[][] probabilities, int[] predicted, int[] label) {
        int size() {
            return label.length;
        }
    }

    static final String[] CLASSES = {"a", "b", "c"};
    private static final double[][] WEIGHTS = {{1.5, 0.0}, {-0.5, 1.2}, {-1.0, -1.2}};
    private static final double[] BIASES = {0.0, 0.2, -0.2};

    /**
     * x ~ N((mean0, mean1), sd² I) in two dimensions, true class probabilities the softmax of fixed
     * linear scores of x, the model's scores those probabilities (calibrated), predicted the argmax.
     */
    static Multiclass multiclass(Random random, int n, double mean0, double mean1, double sd) {
        double[][] prob = new double[n][];
        int[] predicted = new int[n];
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            double x0 = mean0 + sd * random.nextGaussian();
            double x1 = mean1 + sd * random.nextGaussian();
            double[] z = new double[3];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 3; c++) {
                z[c] = WEIGHTS[c][0] * x0 + WEIGHTS[c][1] * x1 + BIASES[c];
                max = Math.max(max, z[c]);
            }
            double total = 0;
            for (int c = 0; c < 3; c++) {
                z[c] = Math.exp(z[c] - max);
                total += z[c];
            }
            int best = 0;
            for (int c = 0; c < 3; c++) {
                z[c] /= total;
                if (z[c] > z[best]) {
                    best = c;
                }
            }
            prob[i] = z;
            predicted[i] = best;
            double u = random.nextDouble();
            int y = 2;
            double cumulative = 0;
            for (int c = 0; c < 3; c++) {
                cumulative += z[c];
                if (u < cumulative) {
                    y = c;
                    break;
                }
            }
            label[i] = y;
        }
        return new Multiclass(prob, predicted, label);
    }
}
