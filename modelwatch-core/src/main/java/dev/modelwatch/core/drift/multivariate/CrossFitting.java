package dev.modelwatch.core.drift.multivariate;

import java.util.ArrayList;
import java.util.List;

/**
 * The error band of {@link PcaReconstructionModel} from the reference's chunks by cross-fitting:
 * the chunks are dealt into {@code K = min(10, J)} folds (chunk {@code j} into fold {@code j mod K}),
 * and each chunk's error is computed under the standardization and components fitted on the other
 * folds' co-moments (merged; the same number of components as the full model), so that no chunk is
 * judged by a model that has seen it.
 *
 * <p>Why: the full model is fitted on the reference, and PCA chooses exactly the directions in which
 * that sample varies least to leave out, so the reference's own error is biased low against fresh rows
 * (to first order by as much as the fresh rows' error is biased high, {@code O(m k / N)}), and so is the
 * spread of the chunks' errors. Held-out errors are those of fresh rows, up to the difference between
 * a model fitted on {@code (K - 1) / K} of the reference and one fitted on all of it (of order
 * {@code 1 / (K N)}). Everything is computed from mergeable co-moments, so it works for a reference
 * given only as windows (a baseline) as for an upload.
 *
 * <p>From the held-out errors {@code e_j} of chunks of {@code n_j} rows ({@code N = sum n_j}):
 * <ul>
 *   <li>center {@code c = sum n_j e_j / N}, the mean held-out row error;</li>
 *   <li>{@code s^2 = sum n_j (e_j - c)^2 / (J - 1)}: unbiased for the row errors' variance whatever the
 *       chunk sizes ({@code E sum n_j (e_j - c)^2 = sum n_j s^2 / n_j - N s^2 / N = (J - 1) s^2});</li>
 *   <li>degrees of freedom of {@code s^2}: {@code J - 1}, reduced for heavy tails when there are at least
 *       {@link #KURTOSIS_MIN_CHUNKS} chunks to {@code 1 / (1 / (J - 1) + g2 / (2J))}, {@code g2} the
 *       excess kurtosis of the standardized chunk errors {@code sqrt(n_j) (e_j - c) / s} (the variance of
 *       a sample variance grows with the kurtosis);</li>
 *   <li>the row errors' third cumulant {@code k3 = g1 s^3} with {@code g1} the skewness the row error
 *       has for normal rows: there it is a quadratic form {@code z^T R z} of {@code z ~ N(0, K)}, whose
 *       cumulants are {@code 2^(r-1) (r-1)! tr((R K)^r)}, and {@code R K} has the left-out eigenvalues
 *       {@code lambda_c} of K, so {@code g1 = 8 sum lambda_c^3 / (2 sum lambda_c^2)^(3/2)}. (An estimate
 *       from the chunks is no use: a chunk of thousands of rows has lost the rows' skewness in its noise,
 *       and a wrong skewness moves the band more than none. Heavier-tailed rows are more skewed than
 *       normal ones; BENCHMARKS.md measures lognormal features.)</li>
 * </ul>
 */
final class CrossFitting {
    /** Most folds. */
    static final int MAX_FOLDS = 10;
    /** Fewest chunks for the kurtosis correction of the degrees of freedom. */
    static final int KURTOSIS_MIN_CHUNKS = 20;

    /** The band, or why there is none. */
    record Outcome(ReconstructionErrorBand band, int chunks, String reason) {
    }

    private CrossFitting() {
    }

    static Outcome fit(List<String> names, List<CoMoments> chunks, PcaComponents full) {
        List<CoMoments> usable = new ArrayList<>();
        for (CoMoments c : chunks) {
            if (c.count() > 0) {
                usable.add(c);
            }
        }
        int j = usable.size();
        if (j < 2) {
            return new Outcome(null, j, "the threshold needs at least 2 reference chunks with rows, had " + j + " of "
                    + chunks.size());
        }
        int folds = Math.min(MAX_FOLDS, j);
        CoMoments[] foldTotals = new CoMoments[folds];
        for (int f = 0; f < folds; f++) {
            foldTotals[f] = new CoMoments(names);
        }
        for (int c = 0; c < j; c++) {
            foldTotals[c % folds].merge(usable.get(c));
        }
        double[] errors = new double[j];
        long[] rows = new long[j];
        boolean[] held = new boolean[j];
        for (int f = 0; f < folds; f++) {
            CoMoments rest = new CoMoments(names);
            for (int g = 0; g < folds; g++) {
                if (g != f) {
                    rest.merge(foldTotals[g]);
                }
            }
            PcaComponents model = PcaComponents.fit(rest, full.used(), full.vectors().length, 0);
            if (model == null) {
                continue; // a feature without variance outside this fold: its chunks cannot be held out
            }
            double[][] residual = model.residualProjector();
            for (int c = f; c < j; c += folds) {
                errors[c] = model.meanSquaredError(usable.get(c), residual);
                rows[c] = usable.get(c).count();
                held[c] = true;
            }
        }
        long n = 0;
        double weighted = 0;
        int count = 0;
        for (int c = 0; c < j; c++) {
            if (held[c]) {
                n += rows[c];
                weighted += rows[c] * errors[c];
                count++;
            }
        }
        if (count < 2) {
            return new Outcome(null, count, "the threshold needs at least 2 reference chunks that can be held out "
                    + "(features with variance in the rest of the reference), had " + count + " of " + chunks.size());
        }
        double center = weighted / n;
        double squares = 0;
        for (int c = 0; c < j; c++) {
            if (held[c]) {
                double d = errors[c] - center;
                squares += rows[c] * d * d;
            }
        }
        double variance = squares / (count - 1);
        double sd = Math.sqrt(variance);
        double dof = count - 1;
        double k3 = normalSkewness(full) * variance * sd;
        if (count >= KURTOSIS_MIN_CHUNKS && variance > 0) {
            double fourth = 0;
            for (int c = 0; c < j; c++) {
                if (held[c]) {
                    double u = Math.sqrt(rows[c]) * (errors[c] - center) / sd;
                    fourth += u * u * u * u;
                }
            }
            double excess = Math.max(0, fourth / count - 3);
            dof = 1 / (1.0 / (count - 1) + excess / (2.0 * count));
        }
        return new Outcome(new ReconstructionErrorBand(center, sd, n, dof, k3, count, folds), count, null);
    }

    /** The skewness of the row error of normal rows: {@code 8 sum lambda^3 / (2 sum lambda^2)^(3/2)} over the left-out eigenvalues. */
    static double normalSkewness(PcaComponents full) {
        double[] eigenvalues = full.eigenvalues();
        double squares = 0;
        double cubes = 0;
        for (int c = full.vectors().length; c < eigenvalues.length; c++) {
            double l = eigenvalues[c];
            squares += l * l;
            cubes += l * l * l;
        }
        return squares > 0 ? 8 * cubes / Math.pow(2 * squares, 1.5) : 0;
    }
}
