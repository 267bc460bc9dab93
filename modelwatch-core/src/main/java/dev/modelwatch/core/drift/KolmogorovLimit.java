package dev.modelwatch.core.drift;

/**
 * The limiting Kolmogorov distribution, of {@code sqrt(n) D_n} as {@code n -> inf} (Kolmogorov,
 * 1933; Smirnov, 1948 for two samples, with {@code n} the effective size {@code n m / (n + m)}):
 * {@code P(K > x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)}, and for small x, where that series
 * converges slowly, the equivalent {@code 1 - sqrt(2 pi) / x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2))}.
 * Both series are summed until their terms fall below 1e-17 of the sum. The critical value
 * {@code c(alpha)} solves {@code P(K > c) = alpha} by bisection (scipy's {@code kolmogi}).
 */
public final class KolmogorovLimit {
    private KolmogorovLimit() {
    }

    /** {@code P(K > x)}. */
    public static double survival(double x) {
        if (x <= 0) {
            return 1;
        }
        if (x < 1) {
            double sum = 0;
            for (int k = 1; k < 100; k++) {
                double odd = 2 * k - 1;
                double term = Math.exp(-odd * odd * Math.PI * Math.PI / (8 * x * x));
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / x * sum));
        }
        double sum = 0;
        for (int k = 1; k < 100; k++) {
            double term = Math.exp(-2.0 * k * k * x * x);
            sum += (k % 2 == 1 ? term : -term);
            if (term < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return Math.min(1, Math.max(0, 2 * sum));
    }

    /** {@code c} with {@code P(K > c) = alpha}, for alpha in (0, 1). */
    static double criticalValue(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        double lo = 0.01;
        double hi = 10;
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
            double mid = (lo + hi) / 2;
            if (survival(mid) > alpha) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
