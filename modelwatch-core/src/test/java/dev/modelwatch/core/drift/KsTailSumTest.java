package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KsTailSumTest {
    /** The Birnbaum–Tingey sum over every term, each as {@link KsDriftTest#sampledOneSidedTail} computes it. */
    private static double fullSum(double d, long n) {
        long last = (long) Math.floor(n * (1 - d));
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (long j = 0; j <= last; j++) {
            double term = KsDriftTest.logTerm(d, (int) n, j);
            if (term > max) {
                sum = sum * Math.exp(max - term) + 1;
                max = term;
            } else if (term > Double.NEGATIVE_INFINITY) {
                sum += Math.exp(term - max);
            }
        }
        return Math.exp(Math.log(d) + max + Math.log(sum));
    }

    /**
     * From n = 10 to 10^7 and p = 0.6 down to 1e-312, the one-sided tail from the sampled terms is the sum over every
     * term to 1e-11 (relative), and the sampled sum answers wherever the range has 2,048 terms and the tail is below
     * 1e-3 (where the p-value uses it).
     */
    @Test
    void theSampledSumIsTheSumOverEveryTerm() {
        int sampled = 0;
        for (long n : new long[] {10, 100, 1_000, 2_100, 10_000, 100_000, 1_000_000, 10_000_000}) {
            double[] scaledDs = n >= 10_000_000 ? new double[] {0.5, 2, 6, 19}
                    : new double[] {0.5, 0.8, 1.2, 2, 3, 4.5, 6, 9, 13, 19};
            for (double scaled : scaledDs) {
                double d = scaled / Math.sqrt(n);
                if (d >= 1) {
                    continue;
                }
                double full = fullSum(d, n);
                double tail = KsDriftTest.oneSidedTail(d, n);
                assertThat(Math.abs(tail - full)).as("n=%d d=%s: every term %s, sampled %s", n, d, full, tail)
                        .isLessThanOrEqualTo(1e-11 * full);
                long last = (long) Math.floor(n * (1 - d));
                boolean used = !Double.isNaN(KsDriftTest.sampledOneSidedTail(d, n, last));
                if (last >= 2_048 && full < 1e-3 && full > 0) {
                    assertThat(used).as("n=%d d=%s answered from samples", n, d).isTrue();
                }
                sampled += used ? 1 : 0;
            }
        }
        assertThat(sampled).isGreaterThan(30);
    }

    /**
     * Against the sum taken to 40 digits (mpmath, the terms from log-gamma functions), the sampled sum is exact to
     * 1e-13; summing logarithms of the binomial coefficient's ratios ({@link KsDriftTest#exactOneSidedTail}) loses
     * digits as n grows (8e-10 at n = 100,000).
     */
    @Test
    void theSampledSumIsExactWhereSummingLogarithmsLosesDigits() {
        double[][] cases = {
            {100_000, 0.011188138361675726, 1.3303581305275476271e-11},
            {100_000, 0.0342221688383422, 1.7315387933671780201e-102},
            {10_000, 0.02675, 5.9718097452622979726e-7},
        };
        for (double[] c : cases) {
            long n = (long) c[0];
            double tail = KsDriftTest.oneSidedTail(c[1], n);
            assertThat(Math.abs(tail - c[2])).as("n=%d d=%s", n, c[1]).isLessThanOrEqualTo(1e-13 * c[2]);
        }
    }
}
