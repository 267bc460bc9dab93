package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.datasketches.kll.KllSeed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How far W1 from sketches is from W1 of the exact samples, against the worst-case bound
 * {@code eps_ref range_ref + eps_cur range_cur} that drift decisions use: a smaller repetition of the
 * measurement quoted in {@link FeatureDrift} (there: 23,000 pairs, the error at most a third of the
 * bound). Here 20 pairs of 10,000 values per distribution and k, shifted by 0.15 sd; the exact W1 is
 * the integral of the difference of the two empirical CDFs, summed between consecutive pooled values.
 */
class WassersteinSketchErrorTest {
    @ParameterizedTest(name = "{0} k={1}")
    @CsvSource({"normal, 200", "normal, 800", "uniform, 200", "uniform, 800", "lognormal, 200", "lognormal, 800",
            "integers, 200", "integers, 800"})
    void sketchErrorIsWellInsideTheWorstCaseBound(String distribution, int k) {
        ToDoubleFunction<SplittableRandom> draw = switch (distribution) {
            case "normal" -> SplittableRandom::nextGaussian;
            case "uniform" -> SplittableRandom::nextDouble;
            case "lognormal" -> r -> Math.exp(r.nextGaussian());
            default -> r -> r.nextInt(10);
        };
        SplittableRandom random = new SplittableRandom(k * 31L + distribution.length());
        KllSeed.set(k);
        double[] ratios = new double[20];
        for (int t = 0; t < ratios.length; t++) {
            double[] a = sample(10_000, random, draw);
            double[] b = sample(10_000, random, draw);
            double shift = 0.15 * sd(a);
            for (int i = 0; i < b.length; i++) {
                b[i] += shift;
            }
            WassersteinResult w = WassersteinDrift.of(profile(a, k), profile(b, k));
            ratios[t] = Math.abs(w.distance() - exact(a, b)) / w.errorBound();
        }
        Arrays.sort(ratios);

        assertThat(ratios[ratios.length - 1]).as("largest error over bound").isLessThan(0.5);
        assertThat(ratios[ratios.length / 2]).as("median error over bound").isLessThan(0.15);
    }

    private static double[] sample(int n, SplittableRandom random, ToDoubleFunction<SplittableRandom> draw) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = draw.applyAsDouble(random);
        }
        return v;
    }

    private static FeatureProfile profile(double[] values, int k) {
        FeatureProfile p = new FeatureProfile(new SketchSettings(k, 64, 12));
        for (double v : values) {
            p.add(v);
        }
        return p;
    }

    private static double sd(double[] v) {
        double mean = Arrays.stream(v).average().orElseThrow();
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
    }

    /** {@code sum |F_a(x) - F_b(x)| (x' - x)} over consecutive distinct pooled values x < x'. */
    private static double exact(double[] a, double[] b) {
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double w = 0;
        double at = Math.min(x[0], y[0]);
        while (true) {
            while (i < x.length && x[i] <= at) {
                i++;
            }
            while (j < y.length && y[j] <= at) {
                j++;
            }
            if (i == x.length && j == y.length) {
                return w;
            }
            double next = Math.min(i < x.length ? x[i] : Double.POSITIVE_INFINITY,
                    j < y.length ? y[j] : Double.POSITIVE_INFINITY);
            w += Math.abs((double) i / x.length - (double) j / y.length) * (next - at);
            at = next;
        }
    }
}
