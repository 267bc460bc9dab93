package dev.modelwatch.bench.calibration;

import java.util.SplittableRandom;

/**
 * Random draws for the calibration benchmark, from a {@link SplittableRandom} handed in: standard
 * normals (Box–Muller), gammas (Marsaglia and Tsang, 2000), chi-squares, Poisson counts, and the
 * sufficient statistics of a multivariate normal sample — its mean and scatter matrix, drawn directly
 * (the mean from {@code N(mu, Sigma / n)}, the scatter from the Wishart distribution by Bartlett's
 * decomposition), so that a sample of a million rows costs as much as one of a hundred.
 */
public final class Draws {
    private Draws() {
    }

    /** A standard normal. */
    public static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** Gamma(shape, 1), shape > 0 (Marsaglia–Tsang; shape < 1 by the boost {@code G(a+1) U^(1/a)}). */
    public static double gamma(SplittableRandom r, double shape) {
        if (shape < 1) {
            return gamma(r, shape + 1) * Math.pow(1 - r.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = gaussian(r);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - r.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    /** Chi-square with {@code dof} degrees of freedom. */
    public static double chiSquare(SplittableRandom r, double dof) {
        return 2 * gamma(r, dof / 2);
    }

    /** Poisson(mean): by inversion below 30, else the normal approximation rounded (mean >= 30). */
    public static long poisson(SplittableRandom r, double mean) {
        if (mean < 30) {
            double l = Math.exp(-mean);
            long k = 0;
            double p = r.nextDouble();
            double term = l;
            double cumulative = term;
            while (p > cumulative && k < 1_000) {
                k++;
                term *= mean / k;
                cumulative += term;
            }
            return k;
        }
        return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(r)));
    }

    /** Lower Cholesky factor of a symmetric positive-definite matrix. */
    public static double[][] cholesky(double[][] a) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException("matrix is not positive definite");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    /** One row of {@code N(mean, L L^T)} into {@code out}. */
    public static void normalRow(SplittableRandom r, double[] mean, double[][] cholesky, double[] out) {
        int d = mean.length;
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
            z[i] = gaussian(r);
        }
        for (int i = 0; i < d; i++) {
            double s = mean[i];
            for (int k = 0; k <= i; k++) {
                s += cholesky[i][k] * z[k];
            }
            out[i] = s;
        }
    }

    /**
     * The sufficient statistics of {@code n >= 2} rows of {@code N(mean, L L^T)}: {@code [0]} the sample
     * mean (a row vector), {@code [1..d]} the scatter matrix {@code sum (x - xbar)(x - xbar)^T}, which is
     * Wishart({@code L L^T}, n - 1): {@code L A A^T L^T} with A lower triangular, {@code A_ii^2} chi-square
     * with {@code n - i} degrees of freedom (i from 1) and standard normals below the diagonal.
     */
    public static double[][] normalSample(SplittableRandom r, long n, double[] mean, double[][] cholesky) {
        int d = mean.length;
        double[][] out = new double[d + 1][];
        double[] xbar = new double[d];
        normalRow(r, new double[d], cholesky, xbar);
        double scale = 1 / Math.sqrt(n);
        for (int i = 0; i < d; i++) {
            xbar[i] = mean[i] + xbar[i] * scale;
        }
        out[0] = xbar;
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) {
            a[i][i] = Math.sqrt(chiSquare(r, n - 1 - i));
            for (int j = 0; j < i; j++) {
                a[i][j] = gaussian(r);
            }
        }
        double[][] la = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = j; k <= i; k++) {
                    s += cholesky[i][k] * a[k][j];
                }
                la[i][j] = s;
            }
        }
        for (int i = 0; i < d; i++) {
            double[] row = new double[d];
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k <= Math.min(i, j); k++) {
                    s += la[i][k] * la[j][k];
                }
                row[j] = s;
            }
            out[i + 1] = row;
        }
        return out;
    }
}
