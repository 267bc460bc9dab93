package dev.modelwatch.bench.faults;

import dev.modelwatch.core.drift.JensenShannon;
import dev.modelwatch.core.drift.KolmogorovLimit;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/** The statistics the peer baselines use, as scipy computes them (fixtures in {@code StatsTest}). */
final class Stats {
    private Stats() {
    }

    /**
     * The two-sample Kolmogorov-Smirnov test's two-sided p-value of two sorted samples, from the limiting
     * Kolmogorov distribution at {@code D sqrt(n m / (n + m))} (scipy's {@code kstwobign}; its
     * {@code ks_2samp(method="asymp")} reads the finite-n {@code kstwo} at {@code round(n m / (n + m))}
     * instead, a few percent apart at a window of 150).
     */
    static double ksPValue(double[] a, double[] b) {
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double x = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            d = Math.max(d, Math.abs(i / (double) a.length - j / (double) b.length));
        }
        double en = Math.sqrt(a.length * (double) b.length / (a.length + b.length));
        return kolmogorovSurvival(d * en);
    }

    /** {@code P(K > x)} of the Kolmogorov distribution (scipy's {@code kolmogorov.sf}): core's. */
    static double kolmogorovSurvival(double x) {
        return KolmogorovLimit.survival(x);
    }

    /**
     * The population stability index {@code sum (q - p) ln(q / p)} of reference shares {@code p} and
     * current shares {@code q}, an empty bin taken as 0.0001 (Evidently's {@code psi_stat_test}).
     */
    static double psi(double[] p, double[] q) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double a = p[i] == 0 ? 0.0001 : p[i];
            double b = q[i] == 0 ? 0.0001 : q[i];
            s += (b - a) * Math.log(b / a);
        }
        return s;
    }

    /** The Jensen-Shannon distance, natural logarithm (scipy's {@code spatial.distance.jensenshannon}): core's. */
    static double jensenShannon(double[] p, double[] q) {
        return JensenShannon.distance(p, q);
    }

    /** {@code P(X > x)} for chi-squared with {@code df} degrees of freedom (commons-math). */
    static double chiSquaredSurvival(double x, int df) {
        return x <= 0 ? 1 : 1 - new ChiSquaredDistribution(null, df).cumulativeProbability(x);
    }

    /** ln Γ(x), Lanczos approximation (g = 7, 9 terms). */
    static double logGamma(double x) {
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += c[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }
}
