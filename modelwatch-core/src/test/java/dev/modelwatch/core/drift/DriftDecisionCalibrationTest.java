package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.datasketches.kll.KllSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The default decisions' false-alarm rate and power, on windows drawn from known distributions and
 * profiled as the runtime does ({@link FeatureProfile#add}, KLL k = 800).
 *
 * <p>False alarms: pairs of windows drawn from one distribution (normal, lognormal, and five
 * categories with shares 0.4/0.3/0.15/0.1/0.05) at n = 1,000 (effective n 500: KS and chi-square at
 * alpha 0.01) and n = 100,000 (effective n 50,000: Wasserstein and Jensen–Shannon at 0.1). The
 * decisions may alarm on at most 1% of unchanged pairs. At n = 100,000, 200 pairs and at most 3
 * drifted. At n = 1,000 the chi-square decision is a test at exactly alpha = 0.01 (counts are exact, so
 * no sketch margin makes it conservative), and 3 of 200 would be exceeded by 14% of seeds of a correct
 * implementation (binomial(200, 0.01): P(X > 3) = 0.142; the first seed tried gave 4); these cases use
 * 2,000 pairs and at most 35 drifted instead, which a rate of exactly 1% exceeds with probability
 * 0.00075 (scipy {@code binom.sf(35, 2000, 0.01)}) and a rate of 2% passes with probability 0.23.
 * Uncertain decisions are not alarms; at n = 100,000 a normal feature must have none (W1's worst-case
 * sketch bound is 0.065 sd there, W1 itself about 0.005 sd), while every lognormal pair is uncertain:
 * the bound grows with the range, about 40 sd for 100,000 lognormal values, and reaches 0.24 sd (see
 * {@link FeatureDrift}).
 *
 * <p>Power: a mean shift of 0.3 sd at n = 1,000 (KS: D of about 0.12 against a critical 0.073 plus
 * the sketch bound 0.007) and of 0.15 sd at n = 100,000 (W1 of 0.15 sd against 0.1; the exact means
 * prove W1 >= 0.15 sd whatever the sketch error) are drifted in at least 48 of 50 trials, and a
 * category share change from 0.5/0.5 to 0.6/0.4 at n = 1,000 (chi-square z of about 4.5) too.
 */
class DriftDecisionCalibrationTest {
    private static final SketchSettings SETTINGS = new SketchSettings(800, 64, 12);
    private static final int TRIALS = 50;
    private static final String[] CATEGORIES = {"a", "b", "c", "d", "e"};
    private static final double[] SHARES = {0.4, 0.3, 0.15, 0.1, 0.05};

    @ParameterizedTest(name = "{0} n={1}: at most {3} of {2} pairs drifted, {4} uncertain")
    @CsvSource({"normal, 1000, 2000, 35, 2000", "normal, 100000, 200, 3, 0", "lognormal, 1000, 2000, 35, 2000",
            "lognormal, 100000, 200, 3, 200", "categorical, 1000, 2000, 35, 0", "categorical, 100000, 200, 3, 0"})
    void unchangedDistributionsAlarmOnAtMostOnePercentOfWindowPairs(String distribution, int n, int pairs,
            int maxDrifted, int maxUncertain) {
        SplittableRandom random = new SplittableRandom(distribution.hashCode() * 31L + n);
        KllSeed.set(n);
        Map<DriftDecision, Integer> decisions = new EnumMap<>(DriftDecision.class);
        for (int i = 0; i < pairs; i++) {
            FeatureProfile reference = window(distribution, n, random, 0);
            FeatureProfile current = window(distribution, n, random, 0);
            FeatureDrift d = FeatureDriftAnalysis.of("x", reference, current, DriftPolicy.DEFAULT);
            decisions.merge(d.decision(), 1, Integer::sum);
        }
        assertThat(decisions.getOrDefault(DriftDecision.DRIFTED, 0)).as("drifted of %d: %s", pairs, decisions)
                .isLessThanOrEqualTo(maxDrifted);
        assertThat(decisions.getOrDefault(DriftDecision.UNCERTAIN, 0)).as("uncertain of %d: %s", pairs, decisions)
                .isLessThanOrEqualTo(maxUncertain);
        assertThat(decisions.getOrDefault(DriftDecision.NOT_TESTED, 0)).isZero();
    }

    @ParameterizedTest(name = "shift {1} sd at n={0}")
    @CsvSource({"1000, 0.3", "100000, 0.15"})
    void smallMeanShiftsAreDriftedInAtLeast95PercentOfTrials(int n, double shift) {
        SplittableRandom random = new SplittableRandom(7L * n);
        KllSeed.set(n + 1);
        int drifted = 0;
        Map<DriftDecision, Integer> decisions = new EnumMap<>(DriftDecision.class);
        for (int i = 0; i < TRIALS; i++) {
            FeatureProfile reference = window("normal", n, random, 0);
            FeatureProfile current = window("normal", n, random, shift);
            FeatureDrift d = FeatureDriftAnalysis.of("x", reference, current, DriftPolicy.DEFAULT);
            decisions.merge(d.decision(), 1, Integer::sum);
            if (d.drifted()) {
                drifted++;
            }
        }
        assertThat(drifted).as("drifted of %d: %s", TRIALS, decisions).isGreaterThanOrEqualTo(48);
    }

    @Test
    void aCategoryShareChangeOfTenPointsIsDriftedAtOneThousandValues() {
        SplittableRandom random = new SplittableRandom(11);
        int drifted = 0;
        for (int i = 0; i < TRIALS; i++) {
            FeatureProfile reference = categorical(1000, random, new String[] {"x", "y"}, new double[] {0.5, 0.5});
            FeatureProfile current = categorical(1000, random, new String[] {"x", "y"}, new double[] {0.6, 0.4});
            FeatureDrift d = FeatureDriftAnalysis.of("x", reference, current, DriftPolicy.DEFAULT);
            assertThat(d.method()).isEqualTo(DriftMethod.CHI_SQUARE);
            if (d.drifted()) {
                drifted++;
            }
        }
        assertThat(drifted).isGreaterThanOrEqualTo(48);
    }

    private static FeatureProfile window(String distribution, int n, SplittableRandom random, double shift) {
        switch (distribution) {
            case "normal":
                return numerical(n, random, r -> r.nextGaussian() + shift);
            case "lognormal":
                return numerical(n, random, r -> Math.exp(r.nextGaussian()) + shift);
            case "categorical":
                return categorical(n, random, CATEGORIES, SHARES);
            default:
                throw new IllegalArgumentException(distribution);
        }
    }

    private static FeatureProfile numerical(int n, SplittableRandom random, ToDoubleFunction<SplittableRandom> draw) {
        FeatureProfile p = new FeatureProfile(SETTINGS);
        for (int i = 0; i < n; i++) {
            p.add(draw.applyAsDouble(random));
        }
        return p;
    }

    private static FeatureProfile categorical(int n, SplittableRandom random, String[] categories, double[] shares) {
        FeatureProfile p = new FeatureProfile(SETTINGS);
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble();
            int c = 0;
            while (c < shares.length - 1 && u >= shares[c]) {
                u -= shares[c];
                c++;
            }
            p.add(categories[c]);
        }
        return p;
    }
}
