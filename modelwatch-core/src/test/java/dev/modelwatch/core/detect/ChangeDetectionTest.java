package dev.modelwatch.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CUSUM and Page–Hinkley as change detectors: a 3-sigma level shift in unit normal noise is flagged
 * within 10 values, stationary noise is not flagged over 1,000 values (fixed seeds), and both agree
 * with independent, literal implementations of their definitions written here.
 *
 * <p>Parameters: CUSUM {@code k = 0.5, h = 10} (in-control average run length about 140,000 one-sided
 * by Siegmund's approximation, so a false alarm in 1,000 values has probability about 1.4%; a 3-sigma
 * shift needs about {@code (h + 1.166) / (3 - k)} ≈ 4.5 values), Page–Hinkley {@code delta = 0.5,
 * lambda = 15} (about {@code 15 / 2.5} = 6 values).
 */
class ChangeDetectionTest {
    private static final int SHIFT_AT = 200;
    private static final Cusum CUSUM = new Cusum(0.5, 10);
    private static final PageHinkley PAGE_HINKLEY = new PageHinkley(0.5, 15);

    private static double[] noise(long seed, int n) {
        Random random = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
        }
        return x;
    }

    private static double[] shifted(long seed) {
        double[] x = noise(seed, 300);
        for (int i = SHIFT_AT; i < x.length; i++) {
            x[i] += 3;
        }
        return x;
    }

    @Test
    void levelShiftOfThreeSigmaIsFlaggedByCusumWithinTenValues() {
        double[] x = shifted(7L);

        ChangePoint known = CUSUM.run(x, 0, x.length, 0, 1);
        ChangePoint estimated = CUSUM.run(x, 0, SHIFT_AT + 10);

        assertThat(known.alarmIndex()).isBetween(SHIFT_AT, SHIFT_AT + 9);
        assertThat(known.direction()).isEqualTo(1);
        assertThat(estimated.alarmIndex()).as("in-control mean and sigma estimated from the window")
                .isBetween(SHIFT_AT, SHIFT_AT + 9);
    }

    @Test
    void ruleStyleSlidingWindowsFlagTheShiftWithinTenValuesAndNotBefore() {
        double[] x = shifted(11L);
        int window = 120;
        int firstFlaggedEnd = -1;
        for (int end = window; end <= x.length; end++) { // the window [end - window, end), as a rule evaluated at each new value
            boolean cusum = CUSUM.run(x, end - window, end).detected();
            boolean pageHinkley = PAGE_HINKLEY.run(x, end - window, end).detected();
            if (end <= SHIFT_AT) {
                assertThat(cusum).as("CUSUM on the pre-shift window ending at %d", end).isFalse();
                assertThat(pageHinkley).as("Page-Hinkley on the pre-shift window ending at %d", end).isFalse();
            } else if (cusum && pageHinkley && firstFlaggedEnd < 0) {
                firstFlaggedEnd = end;
            }
        }
        assertThat(firstFlaggedEnd - 1).as("index of the newest value when both first flag").isBetween(SHIFT_AT, SHIFT_AT + 9);
    }

    @Test
    void levelShiftOfThreeSigmaIsFlaggedByPageHinkleyWithinTenValues() {
        double[] x = shifted(7L);

        ChangePoint cp = PAGE_HINKLEY.run(x, 0, x.length);

        assertThat(cp.alarmIndex()).isBetween(SHIFT_AT, SHIFT_AT + 9);
        assertThat(cp.direction()).isEqualTo(1);
    }

    @Test
    void downwardShiftIsFlaggedWithNegativeDirection() {
        double[] x = shifted(7L);
        for (int i = 0; i < x.length; i++) {
            x[i] = -x[i];
        }

        assertThat(CUSUM.run(x, 0, x.length, 0, 1).direction()).isEqualTo(-1);
        assertThat(PAGE_HINKLEY.run(x, 0, x.length).direction()).isEqualTo(-1);
    }

    @Test
    void stationaryNoiseIsNotFlaggedOverAThousandValues() {
        double[] x = noise(2026L, 1000);

        ChangePoint estimated = CUSUM.run(x, 0, x.length);
        ChangePoint known = CUSUM.run(x, 0, x.length, 0, 1);
        ChangePoint ph = PAGE_HINKLEY.run(x, 0, x.length);

        assertThat(estimated.detected()).as("CUSUM, estimated baseline, statistic %s", estimated.statistic()).isFalse();
        assertThat(known.detected()).as("CUSUM, known baseline, statistic %s", known.statistic()).isFalse();
        assertThat(ph.detected()).as("Page-Hinkley, statistic %s", ph.statistic()).isFalse();
        assertThat(estimated.indicator()).isZero();
    }

    @Test
    void cusumEqualsPagesDefinitionAsLargestWindowSum() {
        for (long seed = 1; seed <= 5; seed++) {
            double[] x = shifted(seed);
            double k = 0.25 * seed;
            double h = 4 + seed;
            ChangePoint cp = new Cusum(k, h).run(x, 0, x.length, 0.1, 1.3);
            // C+_i = max over j <= i of sum_{j < t <= i} (z_t - k) (0 for the empty sum), C- likewise
            double max = 0;
            int alarm = -1;
            for (int i = 0; i < x.length; i++) {
                double up = 0;
                double down = 0;
                double sumUp = 0;
                double sumDown = 0;
                for (int j = i; j >= 0; j--) {
                    double z = (x[j] - 0.1) / 1.3;
                    sumUp += z - k;
                    sumDown += -z - k;
                    up = Math.max(up, sumUp);
                    down = Math.max(down, sumDown);
                }
                double s = Math.max(up, down);
                max = Math.max(max, s);
                if (alarm < 0 && s > h) {
                    alarm = i;
                }
            }
            assertThat(cp.statistic()).as("seed %d", seed).isCloseTo(max, within(1e-9 * max));
            assertThat(cp.alarmIndex()).as("seed %d", seed).isEqualTo(alarm);
        }
    }

    @Test
    void pageHinkleyEqualsItsDefinitionWithRunningMeansRecomputed() {
        for (long seed = 1; seed <= 5; seed++) {
            double[] x = shifted(seed);
            for (int i = 0; i < x.length; i++) {
                x[i] = 5 - x[i] * 0.5 * seed; // various scales, downward shift
            }
            double delta = 0.1 * seed;
            double lambda = 3 * seed;
            ChangePoint cp = new PageHinkley(delta, lambda).run(x, 0, x.length);
            double[] u = new double[x.length + 1]; // U_0 = 0
            double[] l = new double[x.length + 1];
            for (int t = 1; t <= x.length; t++) {
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    sum += x[j];
                }
                double mean = sum / t;
                u[t] = u[t - 1] + x[t - 1] - mean - delta;
                l[t] = l[t - 1] + x[t - 1] - mean + delta;
            }
            double max = 0;
            int alarm = -1;
            for (int t = 1; t <= x.length; t++) {
                double minU = 0;
                double maxL = 0;
                for (int j = 0; j <= t; j++) {
                    minU = Math.min(minU, u[j]);
                    maxL = Math.max(maxL, l[j]);
                }
                double s = Math.max(u[t] - minU, maxL - l[t]);
                max = Math.max(max, s);
                if (alarm < 0 && s > lambda) {
                    alarm = t - 1;
                }
            }
            assertThat(cp.statistic()).as("seed %d", seed).isCloseTo(max, within(1e-9 * Math.max(1, max)));
            assertThat(cp.alarmIndex()).as("seed %d", seed).isEqualTo(alarm);
        }
    }
}
