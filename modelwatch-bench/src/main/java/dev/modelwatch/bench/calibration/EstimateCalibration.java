package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.estimate.Calibrator;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.estimate.EstimatedPerformance;
import dev.modelwatch.core.estimate.PerformanceEstimator;
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
 *   <li>{@code estimated_accuracy_drop > 0.05} and {@code accuracy_drop > 0.05}: the reference's
 *       realized accuracy minus the window's estimate (or realized accuracy), the series of the rules
 *       {@code ModelEstimatedAccuracyDrop} and {@code ModelAccuracyDrop}.</li>
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

    /** The reference: its calibrator and its realized accuracy. */
    record Fitted(Calibrator calibrator, double accuracy) {
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
        return new Fitted(Calibrator.isotonic(scores, outcomes), (double) correct / rows);
    }

    /** A window's estimate and realized accuracy: {estimate, lower, upper, realized}. */
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
        return new double[] {e.value(), e.lower(), e.upper(), (double) correct / n};
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
                table.add("estimated_accuracy_drop > 0.05", n, m, ref.accuracy() - w[0] > 0.05);
                table.add("accuracy_drop > 0.05", n, m, ref.accuracy() - w[3] > 0.05);
            }
        }
        return table;
    }

    /** Whether a window with a share {@code flip} of flipped labels trips the realized accuracy-drop decision. */
    static boolean detectsRealizedDrop(double flip, int referenceRows, long windowRows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Fitted ref = reference(r, referenceRows);
        double[] w = window(r, ref, windowRows, 0, flip);
        return ref.accuracy() - w[3] > 0.05;
    }

    /** Whether a window with a share {@code nearHalf} of scores near 0.5 trips the estimated accuracy-drop decision. */
    static boolean detectsEstimatedDrop(double nearHalf, int referenceRows, long windowRows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Fitted ref = reference(r, referenceRows);
        double[] w = window(r, ref, windowRows, nearHalf, 0);
        return ref.accuracy() - w[0] > 0.05;
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
