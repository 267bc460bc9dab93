package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.drift.multivariate.MultivariateDriftResult;
import dev.modelwatch.core.drift.multivariate.PcaReconstructionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * False alarms and power of the multivariate drift decision (PCA reconstruction error), at the
 * co-moment level: a reference of N rows is its chunks' co-moments in the layout the reference
 * builder uses, a window of n rows one co-moment accumulator, each drawn as the sufficient
 * statistics of a normal sample ({@link Draws#normalSample}) — exact for normal rows and as cheap
 * for a million rows as for a hundred. A lognormal case draws rows (up to 10^5 of them).
 *
 * <p>False alarms: for each reference size, {@code references} references, each decided against one
 * fresh window of every window size; a cell's rate is over independent references, the unit a user
 * lives with. Power: the correlation of the first two features lowered by delta with the marginals
 * unchanged (delta = 1.6 is the flip from +0.8 to -0.8); the smallest delta of a grid flagged in at
 * least 95% of trials.
 */
public final class MultivariateCalibration {
    static final List<String> THREE = List.of("x1", "x2", "x3");
    private static final double[] THREE_MEANS = {10, -3, 100};
    private static final double[] THREE_SDS = {2, 0.5, 20};
    static final double[] POWER_DELTAS = {0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6};

    /** A data-generating case: named features, a mean and a covariance's Cholesky factor, rows lognormal or not. */
    record Scenario(String name, List<String> names, double[] mean, double[][] cholesky, boolean lognormal) {
        CoMoments sample(SplittableRandom r, long n) {
            if (!lognormal && n > mean.length + 1) {
                double[][] s = Draws.normalSample(r, n, mean, cholesky);
                double[][] scatter = new double[mean.length][];
                System.arraycopy(s, 1, scatter, 0, mean.length);
                return CoMoments.ofMoments(names, n, s[0], scatter);
            }
            CoMoments c = new CoMoments(names);
            double[] row = new double[mean.length];
            double[] zero = new double[mean.length];
            for (long i = 0; i < n; i++) {
                Draws.normalRow(r, zero, cholesky, row);
                if (lognormal) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = Math.exp(row[j]);
                    }
                } else {
                    for (int j = 0; j < row.length; j++) {
                        row[j] += mean[j];
                    }
                }
                c.add(row);
            }
            return c;
        }
    }

    /** Three features, correlations 0.8 (x1, x2) - delta, 0.3 and 0.3, with unequal means and scales. */
    static Scenario three(double delta) {
        double r12 = 0.8 - delta;
        double[][] corr = {{1, r12, 0.3}, {r12, 1, 0.3}, {0.3, 0.3, 1}};
        double[][] cov = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                cov[i][j] = corr[i][j] * THREE_SDS[i] * THREE_SDS[j];
            }
        }
        return new Scenario("3 correlated normal features", THREE, THREE_MEANS, Draws.cholesky(cov), false);
    }

    /** Ten features with a random correlation matrix {@code A A^T + 0.3 I}, normalized. */
    static Scenario ten() {
        int d = 10;
        SplittableRandom r = new SplittableRandom(20_261_122);
        double[][] a = new double[d][d];
        for (double[] row : a) {
            for (int j = 0; j < d; j++) {
                row[j] = Draws.gaussian(r);
            }
        }
        double[][] cov = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = i == j ? 0.3 : 0;
                for (int k = 0; k < d; k++) {
                    s += a[i][k] * a[j][k];
                }
                cov[i][j] = s;
            }
        }
        List<String> names = new ArrayList<>();
        double[] mean = new double[d];
        for (int i = 0; i < d; i++) {
            names.add("f" + i);
            mean[i] = i;
        }
        return new Scenario("10 normal features", names, mean, Draws.cholesky(cov), false);
    }

    /** Three lognormal features: exp of the correlated normals of {@link #three} standardized. */
    static Scenario lognormal() {
        double[][] corr = {{0.25, 0.2, 0.075}, {0.2, 0.25, 0.075}, {0.075, 0.075, 0.25}};
        return new Scenario("3 lognormal features (sigma 0.5)", THREE, new double[3], Draws.cholesky(corr), true);
    }

    /** The reference's chunks as the reference builder lays them out for {@code rows} rows. */
    static List<CoMoments> referenceChunks(Scenario s, SplittableRandom r, long rows) {
        List<CoMoments> chunks = new ArrayList<>();
        for (long size : ReferenceLayout.chunkSizes(rows)) {
            chunks.add(s.sample(r, size));
        }
        return chunks;
    }

    static PcaReconstructionModel fit(Scenario s, List<CoMoments> chunks) {
        CoMoments total = new CoMoments(s.names());
        for (CoMoments c : chunks) {
            total.merge(c);
        }
        return PcaReconstructionModel.fit(total, chunks);
    }

    /** One reference and a window of each size: 1 flagged, 0 not, -1 no decision. */
    static int[] falseAlarms(Scenario s, long referenceRows, long[] windows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        PcaReconstructionModel model = fit(s, referenceChunks(s, r, referenceRows));
        int[] out = new int[windows.length];
        for (int w = 0; w < windows.length; w++) {
            MultivariateDriftResult result = model.evaluate(s.sample(r, windows[w]));
            out[w] = result.drifted() == null ? -1 : result.drifted() ? 1 : 0;
        }
        return out;
    }

    /** Whether a window from the shifted scenario is flagged against a fresh reference. */
    static boolean detects(double delta, long referenceRows, long windowRows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Scenario clean = three(0);
        PcaReconstructionModel model = fit(clean, referenceChunks(clean, r, referenceRows));
        MultivariateDriftResult result = model.evaluate(three(delta).sample(r, windowRows));
        return Boolean.TRUE.equals(result.drifted());
    }

    private MultivariateCalibration() {
    }
}
