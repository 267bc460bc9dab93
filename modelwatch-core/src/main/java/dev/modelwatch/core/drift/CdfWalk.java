package dev.modelwatch.core.drift;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;

/**
 * Walks the union of two KLL sketches' retained items in increasing order, giving at each distinct
 * item x both sketches' CDFs {@code F(x) = P(X <= x)} (the step functions of their sorted views).
 * Both KS and Wasserstein-1 are functionals of these two step functions.
 */
final class CdfWalk {
    interface Step {
        /** Called for each distinct item x of the union with the CDFs at x and the next item (NaN at the last). */
        void accept(double x, double next, double fa, double fb);
    }

    private CdfWalk() {
    }

    static void walk(KllDoublesSketch a, KllDoublesSketch b, Step step) {
        DoublesSortedView va = a.getSortedView();
        DoublesSortedView vb = b.getSortedView();
        double[] qa = va.getQuantiles();
        double[] qb = vb.getQuantiles();
        long[] wa = va.getCumulativeWeights();
        long[] wb = vb.getCumulativeWeights();
        double na = va.getN();
        double nb = vb.getN();
        int i = 0;
        int j = 0;
        double x = Math.min(qa[0], qb[0]);
        while (!Double.isNaN(x)) {
            while (i < qa.length && qa[i] <= x) {
                i++;
            }
            while (j < qb.length && qb[j] <= x) {
                j++;
            }
            double fa = i == 0 ? 0 : wa[i - 1] / na;
            double fb = j == 0 ? 0 : wb[j - 1] / nb;
            double next = i < qa.length && j < qb.length ? Math.min(qa[i], qb[j])
                    : i < qa.length ? qa[i] : j < qb.length ? qb[j] : Double.NaN;
            step.accept(x, next, fa, fb);
            x = next;
        }
    }
}
