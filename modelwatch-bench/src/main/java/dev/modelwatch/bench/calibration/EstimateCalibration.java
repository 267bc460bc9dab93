package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.estimate.Calibrator;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.estimate.EstimatedPerformance;
import dev.modelwatch.core.estimate.PerformanceEstimator;
import dev.modelwatch.core.metrics.PerformanceChange;
import java.util.SplittableRandom;

/**
 * The estimated-performance band and the performance decisions of the default rules, for a binary
 * classifier whose scores are miscalibrated: score {@code s ~ Beta(2, 2)}, positive with probability
 * {@code s^1.5}, predicted positive when {@code s >= 0.5} (expected accuracy 0.714). The reference's
 * scores and labels fit the isotonic calibrator the server fits on an upload.
 *
 * <ul>
 *   <li>{@code estimated accuracy band misses the realized accuracy}: the window's realized accuracy
 *       outside {@code [lower, upper]} of the estimate (a false alarm of the band);</li>
 *   <li>the conditions of the rules {@code ModelEstimatedAccuracyDrop} and {@code ModelAccuracyDrop}: the
 *       reference's realized accuracy minus the window's estimate (or realized accuracy) above 0.05, and
 *       its p-value ({@link PerformanceChange}) below 0.01.</li>
 * </ul>
 * Power: {@code drop} of true accuracy made, for the realized decisions, by flipping a share of the
 * labels (concept drift) and, for the estimate, by mixing in scores near 0.5 (covariate shift: a share
 * {@code f} of the window drawn from Beta(12, 12)).
 */
public final class EstimateCalibration {
    private EstimateCalibration() {
    }

    static double score(SplittableRandom r, double nearHalf) {
        if (nearHalf > 0 && r.nextDouble() < nearHalf) {
            return beta(r, 12, 12);
        }
        return beta(r, 2, 2);
    }

    static double beta(SplittableRandom r, double a, double b) {
        double x = Draws.gamma(r, a);
        return x / (x + Draws.gamma(r, b));
    }

    static boolean label(SplittableRandom r, double s, double flip) {
        boolean y = r.nextDouble() < Math.pow(s, 1.5);
        return flip > 0 && r.nextDouble() < flip ? !y : y;
    }

    /** The reference: its calibrator, its realized accuracy and its labelled rows. */
    record Fitted(Calibrator calibrator, double accuracy, int rows) {
    }

    static Fitted reference(SplittableRandom r, int rows) {
        double[] scores = new double[rows];
        int[] outcomes = new int[rows];
        long correct = 0;
        for (int i = 0; i < rows; i++) {
            scores[i] = score(r, 0);
            boolean y = label(r, scores[i], 0);
            outcomes[i] = y ? 1 : 0;
            correct += y == (scores[i] >= 0.5) ? 1 : 0;
        }
        return new Fitted(Calibrator.isotonic(scores, outcomes), (double) correct / rows, rows);
    }

    /** A window's estimate and realized accuracy: {estimate, lower, upper, realized, estimate's sd}. */
    static double[] window(SplittableRandom r, Fitted ref, long n, double nearHalf, double flip) {
        ConfidenceProfile p = ConfidenceProfile.binary("1");
        long correct = 0;
        for (long i = 0; i < n; i++) {
            double s = score(r, nearHalf);
            boolean predicted = s >= 0.5;
            p.add(s, predicted);
            correct += label(r, s, flip) == predicted ? 1 : 0;
        }
        EstimatedPerformance.Estimate e = PerformanceEstimator.binaryAsPredicted(p, ref.calibrator())
                .estimate(EstimatedPerformance.ACCURACY);
        return new double[] {e.value(), e.lower(), e.upper(), (double) correct / n, e.sd()};
    }

    /** One reference and a window of each size. */
    static Tally.Table falseAlarms(int[] references, long[] windows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tally.Table table = new Tally.Table();
        for (int n : references) {
            Fitted ref = reference(r, n);
            for (long m : windows) {
                double[] w = window(r, ref, m, 0, 0);
                table.add("estimated accuracy band misses the realized accuracy", n, m, w[3] < w[1] || w[3] > w[2]);
                table.add("ModelEstimatedAccuracyDrop condition", n, m, estimatedDrop(ref, w));
                table.add("ModelAccuracyDrop condition", n, m, realizedDrop(ref, w, m));
            }
        }
        return table;
    }

    /** The rule's condition: a drop above 0.05 whose p-value is below 0.01. */
    static boolean realizedDrop(Fitted ref, double[] w, long n) {
        PerformanceChange change = PerformanceChange.accuracyDrop(Math.round(ref.accuracy() * ref.rows()), ref.rows(),
                Math.round(w[3] * n), n);
        return change.change() > 0.05 && change.pValue() < 0.01;
    }

    static boolean estimatedDrop(Fitted ref, double[] w) {
        double refSd = Math.sqrt(ref.accuracy() * (1 - ref.accuracy()) / ref.rows());
        PerformanceChange change = PerformanceChange.estimatedDrop(ref.accuracy(), refSd, w[0], w[4]);
        return change.change() > 0.05 && change.pValue() < 0.01;
    }

    /** Whether a window with a share {@code flip} of flipped labels trips the realized accuracy-drop decision. */
    static boolean detectsRealizedDrop(double flip, int referenceRows, long windowRows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Fitted ref = reference(r, referenceRows);
        return realizedDrop(ref, window(r, ref, windowRows, 0, flip), windowRows);
    }

    /** Whether a window with a share {@code nearHalf} of scores near 0.5 trips the estimated accuracy-drop decision. */
    static boolean detectsEstimatedDrop(double nearHalf, int referenceRows, long windowRows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Fitted ref = reference(r, referenceRows);
        return estimatedDrop(ref, window(r, ref, windowRows, nearHalf, 0));
    }

    /** The true expected accuracy of a window with these shifts (a 10^7-event simulation, fixed seed). */
    static double trueAccuracy(double nearHalf, double flip) {
        SplittableRandom r = new SplittableRandom(99);
        long correct = 0;
        int n = 2_000_000;
        for (int i = 0; i < n; i++) {
            double s = score(r, nearHalf);
            correct += label(r, s, flip) == (s >= 0.5) ? 1 : 0;
        }
        return (double) correct / n;
    }
}
