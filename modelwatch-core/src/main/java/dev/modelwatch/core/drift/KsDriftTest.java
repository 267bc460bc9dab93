package dev.modelwatch.core.drift;

import dev.modelwatch.core.profile.FeatureProfile;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Two-sample Kolmogorov–Smirnov test from two KLL sketches.
 *
 * <p>Statistic: {@code D = max_x |F_ref(x) - F_cur(x)|}, evaluated at every retained item of either
 * sketch (the CDFs are step functions that change only there). Each sketch's CDF is within its
 * normalized rank error {@code eps} of the exact sample CDF, so D is within {@code eps_ref + eps_cur}
 * of the exact samples' D ({@link KsResult#errorBound()}). Measured: k=200 gives about 0.01
 * (bound 0.027), k=800 about 0.002 (bound 0.007); use k >= 800 where D must be known to 0.01.
 *
 * <p>p-value: Smirnov's asymptotic test, as scipy's {@code ks_2samp(..., method='asymp')}: the
 * one-sample Kolmogorov distribution of size {@code n_eff = round(n m / (n + m))},
 * {@code p = P(D_{n_eff} >= D) = 1 - K_{n_eff}(D)}, with {@code K} from commons-math
 * (Marsaglia–Tsang–Wang for {@code n_eff <= 140}, the Pelz–Good expansion above). In the tail,
 * {@code 1 - K} loses its digits (commons-math's Pelz–Good is off by 10x at p = 1e-13), so below
 * {@link #MILLER_BELOW} the p-value is Miller's (1956) approximation {@code 2 P(D+_n >= d)}, the
 * one-sided tail by the exact Birnbaum–Tingey (1951) sum, as scipy does for small tails (from a few hundred evenly
 * spaced terms where that is the full sum's to 1e-11, see {@link #sampledOneSidedTail}); its relative error is below
 * the p-value itself. The sample sizes
 * are the profiles' exact counts of finite values. The p-value is that of the sketched D: a D that is
 * off by {@code errorBound} gives a very different p-value at large n, so decide on
 * {@link KsResult#lowerBound()} against a critical D, not on the p-value alone.
 *
 * <p>Usage:
 * <pre>{@code
 * KsResult ks = KsDriftTest.of(referenceProfile, currentProfile);
 * boolean drifted = ks.lowerBound() > 0.05;
 * }</pre>
 */
public final class KsDriftTest {
    private static final KolmogorovSmirnovTest KOLMOGOROV = new KolmogorovSmirnovTest();

    /**
     * Below this {@code sqrt(n) D} (and above n = 140, where commons-math switches to the Pelz–Good
     * expansion) the p-value is the limiting Kolmogorov distribution's: the expansion fails to converge
     * for tiny D, and the p-value there is 1 to many digits ({@code P(K > 0.3) = 1 - 9e-6}).
     */
    static final double NEGLIGIBLE_SCALED_D = 0.3;

    /** Below this p-value, {@code 1 - K_n(d)} is replaced by Miller's tail approximation. */
    static final double MILLER_BELOW = 1e-3;

    private KsDriftTest() {
    }

    public static KsResult of(FeatureProfile reference, FeatureProfile current) {
        KllDoublesSketch ref = Sketches.numerical(reference, "reference");
        KllDoublesSketch cur = Sketches.numerical(current, "current");
        double[] d = {0};
        CdfWalk.walk(ref, cur, (x, next, fa, fb) -> d[0] = Math.max(d[0], Math.abs(fa - fb)));
        double statistic = Math.min(1, d[0]);
        long n = reference.numericCount();
        long m = current.numericCount();
        long effective = effectiveN(n, m);
        return new KsResult(statistic, Sketches.rankError(ref) + Sketches.rankError(cur), effective,
                pValue(statistic, effective));
    }

    /** {@code round(n m / (n + m))}, as scipy (which sorts n and m first; the product is symmetric). */
    static long effectiveN(long n, long m) {
        double big = Math.max(n, m);
        double small = Math.min(n, m);
        return Math.max(1, Math.round(big * small / (big + small)));
    }

    /** {@code P(D_n >= d)} for the one-sample Kolmogorov statistic of size {@code n}. */
    public static double pValue(double d, long n) {
        int size = (int) Math.min(n, Integer.MAX_VALUE);
        if (size > 140 && Math.sqrt(n) * d < NEGLIGIBLE_SCALED_D) {
            // commons-math's Pelz–Good series does not converge here (TooManyIterationsException for
            // sqrt(n) d below about 0.05); the limiting distribution is exact to 1e-9 at these sizes
            return Math.min(1, KolmogorovLimit.survival(Math.sqrt(n) * d));
        }
        if (size <= 140) {
            // Miller's value bounds the p-value from above (P(D >= d) <= P(D+ >= d) + P(D- >= d)): where it is
            // well below MILLER_BELOW, 1 - K_n(d) would only be computed to be replaced by it. Marsaglia–Tsang–Wang's
            // K_n takes the n-th power of a (2 n d) x (2 n d) matrix, tens of milliseconds for a large d.
            double miller = 2 * oneSidedTail(d, n);
            if (miller < MILLER_BELOW / 2) {
                return Math.min(1, miller);
            }
        }
        double p = 1 - KOLMOGOROV.cdf(d, size);
        if (p >= MILLER_BELOW) {
            return Math.min(1, p);
        }
        return Math.min(1, 2 * (n > EXACT_TAIL_MAX_N ? approximateOneSidedTail(d, n) : oneSidedTail(d, n)));
    }

    /** Above this size the exact O(n) tail sum gives way to the asymptotic one (a 3M-row window took 0.1 s a feature). */
    static final long EXACT_TAIL_MAX_N = 100_000;

    /**
     * {@code P(D+_n >= d)} for large {@code n} by the Maag–Dicaire form of Smirnov's asymptotic
     * expansion, {@code exp(-(6nd + 1)^2 / (18n))}: its relative error shrinks as {@code 1/n}, under
     * 1% against {@link #oneSidedTail} beyond n = 100,000 in the tail where it is used (see the test).
     */
    static double approximateOneSidedTail(double d, long n) {
        if (d <= 0) {
            return 1;
        }
        if (d >= 1) {
            return 0;
        }
        double a = 6.0 * n * d + 1;
        return Math.exp(-a * a / (18.0 * n));
    }

    /** The sampled sum ({@link #sampledOneSidedTail}) starts from this many terms, spread over the whole range. */
    static final int SAMPLING_START = 32;

    /** The sampled sum is kept only when its two interleaved halves agree to this relative difference. */
    static final double SAMPLING_AGREEMENT = 1e-12;

    /**
     * {@code P(D+_n >= d)} by Birnbaum and Tingey (1951),
     * {@code d sum_{j=0}^{floor(n(1-d))} C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1)}: from evenly spaced terms where
     * that is as exact ({@link #sampledOneSidedTail}), else from every term ({@link #exactOneSidedTail}).
     */
    static double oneSidedTail(double d, long n) {
        if (d <= 0) {
            return 1;
        }
        if (d >= 1) {
            return 0;
        }
        long last = (long) Math.floor(n * (1 - d));
        if (last >= 2048 && n - last > 32 && n <= Integer.MAX_VALUE) {
            double sampled = sampledOneSidedTail(d, n, last);
            if (!Double.isNaN(sampled)) {
                return sampled;
            }
        }
        return exactOneSidedTail(d, n);
    }

    /**
     * The Birnbaum–Tingey sum from its terms at {@code j = 0, h, 2h, ...}, each weighted {@code h}, with the stride
     * {@code h} a power of two halved until the sum settles; or NaN where it is not known to be as exact as the full
     * sum. A term is {@code d / (d + j/n)} times the binomial probability of {@code j} successes in {@code n} trials of
     * probability {@code d + j/n}, {@code n d} below its mean: as a function of {@code j} a smooth bump, about
     * {@code n / (4 sqrt(n) d)} wide, that vanishes at both ends wherever the tail is small. For such a function the
     * sum over every {@code h}-th integer differs from the sum over all by the function's Fourier transform at
     * frequency {@code 1/h}, and the sum over every {@code 2h}-th by that at {@code 1/(2h)}, far larger (the transform
     * of a bump falls off at least exponentially). So the terms at even and at odd multiples of {@code h} are summed
     * apart: where the two sums agree to {@link #SAMPLING_AGREEMENT}, the sum over every {@code h}-th term is the full
     * sum's to far better; where they do not, the stride is halved (the new terms are the odd multiples of the new
     * stride), down to 16; past that (a term at an end that is not negligible, a narrow bump), NaN. 75 to 300 terms
     * whatever {@code n} (measured from n = 10^4 to 10^7, {@code sqrt(n) d} from 2 to 19): 15 to 130 microseconds
     * where every 32nd term took 1.5-2 ms at n = 100,000. Each term is the binomial probability by Loader's
     * saddle-point expansion (commons-math), exact to about {@code 1e-16 n d} relative, where summing logarithms of
     * ratios, as {@link #exactOneSidedTail} does, loses digits as {@code n} grows (8e-10 at n = 100,000, 1e-7 at
     * n = 10^7).
     */
    static double sampledOneSidedTail(double d, long n, long last) {
        if (n > Integer.MAX_VALUE || last < 2L * SAMPLING_START) {
            return Double.NaN;
        }
        int trials = (int) n;
        long stride = Long.highestOneBit(last / SAMPLING_START);
        // the terms at multiples of the stride, as ln(term) = max + ln(sum)
        double[] acc = {Double.NEGATIVE_INFINITY, 0};
        for (long j = 0; j <= last; j += stride) {
            add(acc, logTerm(d, trials, j));
        }
        while (stride >= 32) {
            // acc: multiples of stride, the "even" ones of stride / 2; the odd ones are new
            double[] odd = {Double.NEGATIVE_INFINITY, 0};
            long half = stride / 2;
            for (long j = half; j <= last; j += stride) {
                add(odd, logTerm(d, trials, j));
            }
            if (!(acc[1] > 0) || !(odd[1] > 0)) {
                return Double.NaN;
            }
            double max = Math.max(acc[0], odd[0]);
            double even = acc[1] * Math.exp(acc[0] - max);
            double oddSum = odd[1] * Math.exp(odd[0] - max);
            double sum = even + oddSum;
            if (Math.abs(even - oddSum) <= SAMPLING_AGREEMENT * sum) {
                return Math.exp(Math.log(d) + max + Math.log(half * sum));
            }
            acc[0] = max;
            acc[1] = sum;
            stride = half;
        }
        return Double.NaN;
    }

    /** Adds {@code exp(logTerm)} to the sum {@code exp(acc[0]) acc[1]}, rescaled to its largest term. */
    private static void add(double[] acc, double logTerm) {
        if (logTerm > acc[0]) {
            acc[1] = acc[1] * Math.exp(acc[0] - logTerm) + 1;
            acc[0] = logTerm;
        } else if (logTerm > Double.NEGATIVE_INFINITY) {
            acc[1] += Math.exp(logTerm - acc[0]);
        }
    }

    /**
     * {@code ln(C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1))}
     * {@code = ln(P(Binomial(n, d + j/n) = j)) - ln(d + j/n)}; -infinity where {@code d + j/n >= 1}.
     */
    static double logTerm(double d, int n, long j) {
        double p = d + (double) j / n;
        if (!(p < 1)) {
            return Double.NEGATIVE_INFINITY;
        }
        return new BinomialDistribution(null, n, p).logProbability((int) j) - Math.log(p);
    }

    /**
     * {@code P(D+_n >= d)} by Birnbaum and Tingey (1951):
     * {@code d sum_{j=0}^{floor(n(1-d))} C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1)}, summed in
     * logarithms (the terms are positive and far below the double range), with
     * {@code ln C(n, j+1) = ln C(n, j) + ln((n - j) / (j + 1))}. O(n) and only in the tail: about
     * 10 ms at n = 500,000. For {@code 0 < d < 1}.
     */
    static double exactOneSidedTail(double d, long n) {
        long last = (long) Math.floor(n * (1 - d));
        double logBinomial = 0; // ln C(n, 0)
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0; // sum of exp(term - max)
        for (long j = 0; j <= last; j++) {
            double rest = 1 - d - (double) j / n;
            if (rest > 0) {
                double term = logBinomial + (n - j) * Math.log(rest) + (j - 1) * Math.log(d + (double) j / n);
                if (term > max) {
                    sum = sum * Math.exp(max - term) + 1;
                    max = term;
                } else {
                    sum += Math.exp(term - max);
                }
            }
            logBinomial += Math.log((double) (n - j) / (j + 1));
        }
        return Math.exp(Math.log(d) + max + Math.log(sum));
    }
}
