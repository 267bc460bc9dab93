package dev.modelwatch.core.quality;

import org.apache.commons.math3.special.Gamma;

/**
 * Exact tail probabilities of counts, for the data-quality checks: whether a window holds more (or
 * fewer) values of a kind than its reference makes likely, with the reference's own sampling error
 * accounted for.
 *
 * <ul>
 *   <li>{@link #fisherGreater}: Fisher's exact test, one-sided: with {@code x_ref} of {@code n_ref}
 *       reference values and {@code x} of {@code n} window values of the kind, the probability under
 *       one common rate that the window holds at least {@code x} of the {@code x_ref + x}, i.e.
 *       {@code P(X >= x)} for {@code X ~ Hypergeometric(n_ref + n, x_ref + x, n)} (scipy's
 *       {@code fisher_exact(..., alternative='greater')}). Exact at every size, never above its level
 *       (conservative for small counts), and it needs no rate: a reference that saw none of a rare
 *       kind does not make every later occurrence significant.</li>
 *   <li>{@link #betaBinomialAtLeast} / {@link #betaBinomialAtMost}: {@code P(X >= x)}, {@code P(X <= x)}
 *       for {@code X ~ BetaBinomial(n, a, b)}: a count whose rate is itself uncertain, Beta(a, b)
 *       (scipy's {@code betabinom}).</li>
 * </ul>
 * Each sums probabilities from the tail's end nearest the mode outwards, from a logarithmic start,
 * and stops when the terms fall below 1e-17 of the sum: the cost grows with the spread of the count,
 * not with n.
 */
public final class CountTests {
    private static final double NEGLIGIBLE = 1e-17;

    private CountTests() {
    }

    /** Fisher's one-sided exact p-value that the window's rate {@code x / n} exceeds the reference's. */
    public static double fisherGreater(long xRef, long nRef, long x, long n) {
        check(xRef, nRef, "reference");
        check(x, n, "window");
        long total = nRef + n;
        long successes = xRef + x;
        long lowest = Math.max(0, n - (total - successes));
        long highest = Math.min(successes, n);
        if (x <= lowest) {
            return 1;
        }
        if (x > highest) {
            return 0;
        }
        Pmf pmf = k -> logHypergeometric(k, total, successes, n);
        Ratio up = k -> (double) (successes - k) * (n - k) / ((double) (k + 1) * (total - successes - n + k + 1));
        double mean = (double) n * successes / total;
        return x > mean ? sumUp(x, highest, pmf, up) : 1 - sumDown(x - 1, lowest, pmf, up);
    }

    /** {@code P(X >= x)} for {@code X ~ BetaBinomial(n, a, b)}, {@code a, b > 0}. */
    public static double betaBinomialAtLeast(long x, long n, double a, double b) {
        checkBeta(n, a, b);
        if (x <= 0) {
            return 1;
        }
        if (x > n) {
            return 0;
        }
        double mean = n * a / (a + b);
        return x > mean ? sumUp(x, n, betaPmf(n, a, b), betaRatio(n, a, b))
                : 1 - sumDown(x - 1, 0, betaPmf(n, a, b), betaRatio(n, a, b));
    }

    private static Pmf betaPmf(long n, double a, double b) {
        return k -> logBetaBinomial(k, n, a, b);
    }

    private static Ratio betaRatio(long n, double a, double b) {
        return k -> (n - k) * (k + a) / ((k + 1) * (n - k - 1 + b));
    }

    /** {@code P(X <= x)} for {@code X ~ BetaBinomial(n, a, b)}, {@code a, b > 0}. */
    public static double betaBinomialAtMost(long x, long n, double a, double b) {
        if (x >= n) {
            return 1;
        }
        if (x < 0) {
            return 0;
        }
        checkBeta(n, a, b);
        double mean = n * a / (a + b);
        return x < mean ? sumDown(x, 0, betaPmf(n, a, b), betaRatio(n, a, b))
                : 1 - sumUp(x + 1, n, betaPmf(n, a, b), betaRatio(n, a, b));
    }

    private interface Pmf {
        double log(long k);
    }

    private interface Ratio {
        /** {@code P(k + 1) / P(k)}. */
        double at(long k);
    }

    /** {@code P(x <= X <= highest)}, summed upwards from x (for x above the mean, where the terms fall). */
    private static double sumUp(long x, long highest, Pmf pmf, Ratio up) {
        double term = Math.exp(pmf.log(x));
        double sum = term;
        for (long k = x; k < highest && term > NEGLIGIBLE * sum; k++) {
            term *= up.at(k);
            sum += term;
        }
        return Math.max(0, Math.min(1, sum));
    }

    /** {@code P(lowest <= X <= x)}, summed downwards from x (for x below the mean, where the terms fall). */
    private static double sumDown(long x, long lowest, Pmf pmf, Ratio up) {
        double term = Math.exp(pmf.log(x));
        double sum = term;
        for (long k = x; k > lowest && term > NEGLIGIBLE * sum; k--) {
            term /= up.at(k - 1);
            sum += term;
        }
        return Math.max(0, Math.min(1, sum));
    }

    private static double logChoose(long n, long k) {
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
    }

    private static double logFactorial(long n) {
        return Gamma.logGamma(n + 1.0);
    }

    private static double logHypergeometric(long k, long total, long successes, long draws) {
        return logChoose(successes, k) + logChoose(total - successes, draws - k) - logChoose(total, draws);
    }

    private static double logBeta(double a, double b) {
        return Gamma.logGamma(a) + Gamma.logGamma(b) - Gamma.logGamma(a + b);
    }

    private static double logBetaBinomial(long k, long n, double a, double b) {
        return logChoose(n, k) + logBeta(k + a, n - k + b) - logBeta(a, b);
    }

    private static void check(long x, long n, String side) {
        if (n < 0 || x < 0 || x > n) {
            throw new IllegalArgumentException(side + " count must be in [0, " + n + "] of n >= 0, was " + x);
        }
    }

    private static void checkBeta(long n, double a, double b) {
        if (n < 0 || !(a > 0) || !(b > 0) || Double.isInfinite(a) || Double.isInfinite(b)) {
            throw new IllegalArgumentException("beta-binomial needs n >= 0 and finite a, b > 0, had n = " + n + ", a = "
                    + a + ", b = " + b);
        }
    }
}
