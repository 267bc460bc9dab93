package dev.modelwatch.core.drift.multivariate;

import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Where the reconstruction error of a clean window of n rows lies: the band of
 * {@link PcaReconstructionModel}, estimated from the reference's held-out chunks
 * ({@link CrossFitting}).
 *
 * <p>A window's error is the mean of its n row errors; the center {@code c} is the mean of the
 * reference's N held-out row errors. Both estimate the same expected error of fresh rows, and they
 * are independent, so {@code e_n - c} has variance {@code s^2 (1/n + 1/N)}, {@code s} the row errors'
 * standard deviation: the window's sampling error and the reference's own, in quadrature. The band is
 * <pre>
 *   c + s sqrt(1/n + 1/N) (-q + g (q^2 - 1) / 6),   c + s sqrt(1/n + 1/N) (q + g (q^2 - 1) / 6)
 * </pre>
 * with {@code q} the quantile of Student's t with {@code dof} degrees of freedom at {@code Phi(bandSds)}
 * ({@code s} is estimated from the chunks, so the standardized error is t-distributed rather than
 * normal; with many chunks {@code q -> bandSds}), and {@code g} the skewness of {@code e_n - c},
 * {@code (k3 / n^2 - k3 / N^2) / (s^2 (1/n + 1/N))^(3/2)} from the row errors' third cumulant
 * {@code k3} (a Cornish–Fisher correction: row errors are sums of squares, skewed to the right, and
 * the mean of a few hundred of them is still noticeably skewed), clipped to {@code [-1, 1]}. The
 * lower end is clipped at 0.
 *
 * @param center       {@code c}, the held-out (cross-fitted) mean row error of the reference
 * @param sdPerRow     {@code s}
 * @param centerRows   {@code N}, the rows behind {@code c}
 * @param dof          degrees of freedom of {@code s} (effective, see {@link CrossFitting})
 * @param thirdCumulant {@code k3}, 0 when unknown
 * @param chunks       reference chunks that gave {@code c} and {@code s}
 * @param folds        cross-fitting folds; 0 for a band read from a model stored before cross-fitting
 *                     (its center is the in-sample error of the chunks, see {@link PcaReconstructionModel})
 */
record ReconstructionErrorBand(double center, double sdPerRow, long centerRows, double dof, double thirdCumulant,
        int chunks, int folds) {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    ReconstructionErrorBand {
        if (!Double.isFinite(center) || !(sdPerRow >= 0) || Double.isInfinite(sdPerRow) || centerRows < 1
                || !(dof > 0) || !Double.isFinite(thirdCumulant) || chunks < 2 || folds < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "invalid error band: center %s, sd %s, rows "
                    + "%d, dof %s, k3 %s, chunks %d, folds %d", center, sdPerRow, centerRows, dof, thirdCumulant, chunks,
                    folds));
        }
    }

    /** The standardized half-width {@code q} for {@code bandSds} normal standard deviations. */
    double quantile(double bandSds) {
        double p = NORMAL.cumulativeProbability(bandSds);
        return dof >= 1e7 ? bandSds : new TDistribution(null, dof).inverseCumulativeProbability(p);
    }

    /** {@code [lower, upper]} for a window of {@code n} rows. */
    double[] bounds(long n, double bandSds) {
        double q = quantile(bandSds);
        double variance = sdPerRow * sdPerRow * (1.0 / n + 1.0 / centerRows);
        double sd = Math.sqrt(variance);
        double skew = 0;
        if (variance > 0 && thirdCumulant != 0) {
            double k3 = thirdCumulant * (1.0 / ((double) n * n) - 1.0 / ((double) centerRows * centerRows));
            skew = Math.max(-1, Math.min(1, k3 / (variance * sd)));
        }
        double shift = skew * (q * q - 1) / 6;
        double lower = Math.max(0, center + sd * (-q + shift));
        double upper = center + sd * (q + shift);
        return new double[] {lower, Math.max(lower, upper)};
    }

    /** How the band was made, in words. */
    String describe(double bandSds) {
        if (folds == 0) {
            return String.format(Locale.ROOT, "band %.6g +- %.4g x %.6g x sqrt(1/n + 1/%d) (in-sample center of a "
                    + "reference stored before cross-fitting, %d chunks)", center, quantile(bandSds), sdPerRow,
                    centerRows, chunks);
        }
        return String.format(Locale.ROOT, "band %.6g +- %.4g x %.6g x sqrt(1/n + 1/%d), skew-corrected, from %d "
                + "reference chunks held out in %d folds (t with %.1f degrees of freedom at %s sd)", center,
                quantile(bandSds), sdPerRow, centerRows, chunks, folds, dof, bandSds);
    }
}
