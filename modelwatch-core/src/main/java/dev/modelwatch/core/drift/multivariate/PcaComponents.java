package dev.modelwatch.core.drift.multivariate;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * The standardization and principal components fitted on one set of co-moments, over a given list of
 * features, and the mean squared reconstruction error of any window under them ({@code tr(R S)}, see
 * {@link PcaReconstructionModel}). The full model and each cross-fitting fold's model are one of these.
 *
 * @param used        indices of the standardized features in the co-moments' order
 * @param means       per used feature, the mean of its present values
 * @param scales      per used feature, the population standard deviation with missing values at the mean
 * @param eigenvalues of the correlation matrix, decreasing, clipped at 0
 * @param vectors     the kept unit eigenvectors, each of length {@code used.length}, largest entry positive
 */
record PcaComponents(int[] used, double[] means, double[] scales, double[] eigenvalues, double[][] vectors) {

    /**
     * Fits on {@code moments} over the features {@code used}, which must all have a positive finite
     * variance there (else null), keeping {@code k} components, or, with {@code k <= 0}, the fewest whose
     * cumulative explained-variance ratio exceeds {@code varianceFraction}. Null when {@code moments}
     * has fewer than 2 rows.
     */
    static PcaComponents fit(CoMoments moments, int[] used, int k, double varianceFraction) {
        long n = moments.count();
        int m = used.length;
        if (n < 2) {
            return null;
        }
        double[] means = new double[m];
        double[] scales = new double[m];
        for (int a = 0; a < m; a++) {
            if (moments.count(used[a]) == 0) {
                return null;
            }
            means[a] = moments.mean(used[a]);
            double variance = moments.crossProductAbout(used[a], used[a], means[a], means[a]) / n;
            if (!(variance > 0) || !Double.isFinite(variance)) {
                return null;
            }
            scales[a] = Math.sqrt(variance);
        }
        double[][] correlation = new double[m][m];
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++) {
                double value = moments.crossProductAbout(used[a], used[b], means[a], means[b])
                        / (n * scales[a] * scales[b]);
                correlation[a][b] = value;
                correlation[b][a] = value;
            }
        }
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(correlation, false));
        double[] values = eigen.getRealEigenvalues();
        Integer[] order = new Integer[m];
        for (int c = 0; c < m; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
        double[] eigenvalues = new double[m];
        double total = 0;
        for (int c = 0; c < m; c++) {
            eigenvalues[c] = Math.max(0, values[order[c]]);
            total += eigenvalues[c];
        }
        int keep = k;
        if (keep <= 0) {
            keep = m;
            double cumulative = 0;
            for (int c = 0; c < m; c++) {
                cumulative += eigenvalues[c] / total;
                if (cumulative > varianceFraction) {
                    keep = c + 1;
                    break;
                }
            }
        }
        double[][] vectors = new double[keep][];
        for (int c = 0; c < keep; c++) {
            vectors[c] = signed(eigen.getEigenvector(order[c]));
        }
        return new PcaComponents(used.clone(), means, scales, eigenvalues, vectors);
    }

    /** The vector with its largest-magnitude entry (the first such) made positive. */
    private static double[] signed(RealVector vector) {
        double[] v = vector.toArray();
        int largest = 0;
        for (int a = 1; a < v.length; a++) {
            if (Math.abs(v[a]) > Math.abs(v[largest])) {
                largest = a;
            }
        }
        if (v[largest] < 0) {
            for (int a = 0; a < v.length; a++) {
                v[a] = -v[a];
            }
        }
        return v;
    }

    /** Whether components are fitted and some are left out ({@code 0 < k < m}), so that an error exists. */
    boolean decomposed() {
        return vectors.length > 0 && vectors.length < used.length;
    }

    /** {@code R = I - V V^T}, m x m. */
    double[][] residualProjector() {
        int m = used.length;
        double[][] r = new double[m][m];
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++) {
                double p = 0;
                for (double[] v : vectors) {
                    p += v[a] * v[b];
                }
                double value = (a == b ? 1 : 0) - p;
                r[a][b] = value;
                r[b][a] = value;
            }
        }
        return r;
    }

    /**
     * {@code tr(R S)} of the window, with {@code residual} this model's {@link #residualProjector()}; NaN
     * for a window without rows.
     */
    double meanSquaredError(CoMoments window, double[][] residual) {
        long n = window.count();
        if (n == 0) {
            return Double.NaN;
        }
        int m = used.length;
        double sum = 0;
        for (int a = 0; a < m; a++) {
            double[] ra = residual[a];
            for (int b = a; b < m; b++) {
                double s = window.crossProductAbout(used[a], used[b], means[a], means[b]) / (scales[a] * scales[b]);
                sum += (a == b ? 1 : 2) * ra[b] * s;
            }
        }
        // tr(R S) >= 0 for a positive semi-definite S; rounding can leave -1e-17 for an error of 0
        return Math.max(0, sum / n);
    }
}
