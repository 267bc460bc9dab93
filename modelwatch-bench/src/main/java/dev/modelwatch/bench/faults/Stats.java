package dev.modelwatch.bench.faults;

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

    /** {@code P(K > x)} of the Kolmogorov distribution (scipy's {@code kolmogorov.sf}). */
    static double kolmogorovSurvival(double x) {
        if (x <= 0) {
            return 1;
        }
        if (x < 1) {
            double sum = 0;
            for (int k = 1; k < 100; k++) {
                double odd = 2 * k - 1;
                sum += Math.exp(-odd * odd * Math.PI * Math.PI / (8 * x * x));
            }
            return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / x * sum));
        }
        double sum = 0;
        for (int k = 1; k < 100; k++) {
            sum += (k % 2 == 1 ? 1 : -1) * Math.exp(-2.0 * k * k * x * x);
        }
        return Math.min(1, Math.max(0, 2 * sum));
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

    /** The Jensen-Shannon distance, natural logarithm (scipy's {@code spatial.distance.jensenshannon}). */
    static double jensenShannon(double[] p, double[] q) {
        double sp = 0;
        double sq = 0;
        for (int i = 0; i < p.length; i++) {
            sp += p[i];
            sq += q[i];
        }
        double js = 0;
        for (int i = 0; i < p.length; i++) {
            double a = p[i] / sp;
            double b = q[i] / sq;
            double m = (a + b) / 2;
            if (a > 0) {
                js += a * Math.log(a / m) / 2;
            }
            if (b > 0) {
                js += b * Math.log(b / m) / 2;
            }
        }
        return Math.sqrt(Math.max(0, js));
    }

    /** {@code P(X > x)} for chi-squared with {@code df} degrees of freedom: the upper regularized gamma Q(df/2, x/2). */
    static double chiSquaredSurvival(double x, int df) {
        if (x <= 0) {
            return 1;
        }
        double a = df / 2.0;
        double z = x / 2.0;
        if (z < a + 1) {
            // series for P
            double sum = 1 / a;
            double term = sum;
            for (int n = 1; n < 10_000; n++) {
                term *= z / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-15) {
                    break;
                }
            }
            return Math.max(0, 1 - sum * Math.exp(-z + a * Math.log(z) - logGamma(a)));
        }
        // continued fraction for Q (Lentz)
        double b = z + 1 - a;
        double c = 1 / 1e-300;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < 1e-300) {
                d = 1e-300;
            }
            c = b + an / c;
            if (Math.abs(c) < 1e-300) {
                c = 1e-300;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                break;
            }
        }
        return Math.exp(-z + a * Math.log(z) - logGamma(a)) * h;
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
