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
}
