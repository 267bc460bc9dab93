package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

class KsPValueTest {
    /**
     * Up to n = 140 a p-value that Miller's bound puts far in the tail is taken from that bound without
     * computing Marsaglia–Tsang–Wang's K_n first: the answers are those of computing K_n and then
     * replacing a tail below {@link KsDriftTest#MILLER_BELOW} by the bound, to the last bit.
     */
    @Test
    void theTailShortcutGivesTheSamePValuesAsComputingKnFirst() {
        KolmogorovSmirnovTest kolmogorov = new KolmogorovSmirnovTest();
        int shortcuts = 0;
        for (int n : new int[] {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 140}) {
            for (int i = 1; i <= 25; i++) {
                double d = i / 25.0;
                double p = 1 - kolmogorov.cdf(d, n);
                double expected = p >= KsDriftTest.MILLER_BELOW ? Math.min(1, p) : Math.min(1, 2 * KsDriftTest.oneSidedTail(d, n));
                assertThat(KsDriftTest.pValue(d, n)).as("n=%d d=%s", n, d).isEqualTo(expected);
                shortcuts += 2 * KsDriftTest.oneSidedTail(d, n) < KsDriftTest.MILLER_BELOW / 2 ? 1 : 0;
            }
        }
        assertThat(shortcuts).as("cases the shortcut answers").isGreaterThan(100);
    }

    /**
     * The one-sided tail from every 32nd term of the Birnbaum–Tingey sum is the full sum's to 5e-9 (relative) from
     * p = 0.6 down to 1e-312, at the sizes where the exact sum is used; and where the sampled sum cannot vouch for
     * itself (too few terms, an end term that is not negligible) the answer is the full sum's, to the last bit.
     */
    @Test
    void theSampledTailSumIsTheFullSumOrDeclines() {
        int sampled = 0;
        int cases = 0;
        for (long n : new long[] {2_100, 5_000, 10_000, 33_333, 50_000, 99_999, 100_000, 150_000}) {
            for (double scaled = 0.5; scaled <= 19; scaled *= 1.15) {
                double d = scaled / Math.sqrt(n);
                double exact = KsDriftTest.exactOneSidedTail(d, n);
                double tail = KsDriftTest.oneSidedTail(d, n);
                assertThat(Math.abs(tail - exact)).as("n=%d d=%s: full %s, sampled %s", n, d, exact, tail)
                        .isLessThanOrEqualTo(5e-9 * exact);
                long last = (long) Math.floor(n * (1 - d));
                boolean used = !Double.isNaN(KsDriftTest.sampledOneSidedTail(d, n, last));
                if (!used) {
                    assertThat(tail).as("n=%d d=%s declined", n, d).isEqualTo(exact);
                }
                sampled += used ? 1 : 0;
                cases++;
            }
        }
        assertThat(sampled).as("cases the sampled sum answers, of %d", cases).isGreaterThan(150);
        // n = 2,100 near the centre: the terms at j = 0 are not negligible, the halves disagree
        assertThat(KsDriftTest.sampledOneSidedTail(0.5 / Math.sqrt(2_100), 2_100,
                (long) Math.floor(2_100 * (1 - 0.5 / Math.sqrt(2_100))))).isNaN();
    }
}
