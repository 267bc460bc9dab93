package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A report's features decided together ({@link DriftFamily}), on features whose p-values are given. */
class DriftFamilyTest {
    private static FeatureDrift ks(String name, double p) {
        return new FeatureDrift(name, FeatureType.NUMERICAL, 1000, 1000, DriftStatistics.NONE,
                new DriftCriterion(DriftMethod.KS, 0.01, null), DriftDecision.NO_DRIFT, 0.1, 0.1, 0.1, null, null, p, p,
                null, null);
    }

    private static FeatureDrift wasserstein(String name, double low, double high, double p) {
        return new FeatureDrift(name, FeatureType.NUMERICAL, 100_000, 100_000, DriftStatistics.NONE,
                new DriftCriterion(DriftMethod.WASSERSTEIN, 0.1, null), DriftDecision.NO_DRIFT, (low + high) / 2, low,
                high, null, null, p, p, null, null);
    }

    private static Map<String, FeatureDrift> report(FeatureDrift... special) {
        Map<String, FeatureDrift> m = new LinkedHashMap<>();
        for (int i = 0; i < 20 - special.length; i++) {
            m.put("clean" + i, ks("clean" + i, 0.05 + 0.045 * i));
        }
        for (FeatureDrift f : special) {
            m.put(f.feature(), f);
        }
        return m;
    }

    private static DriftPolicy policy(MultipleTesting m) {
        return DriftPolicy.builder().multipleTesting(m).build();
    }

    @Test
    void aPValueSignificantAloneIsNotAmongTwentyFeatures() {
        Map<String, FeatureDrift> features = report(ks("x", 0.004));

        // Benjamini-Hochberg: 20 * 0.004 / 1 = 0.08 > 0.01
        FeatureDrift bh = DriftFamily.decide(features, policy(MultipleTesting.BENJAMINI_HOCHBERG)).get("x");
        assertThat(bh.decision()).isEqualTo(DriftDecision.NO_DRIFT);
        assertThat(bh.adjustedPValue()).isEqualTo(0.08);
        assertThat(bh.significanceLevel()).isEqualTo(0.01 / 20);
        assertThat(DriftFamily.decide(features, policy(MultipleTesting.BONFERRONI)).get("x").decision())
                .isEqualTo(DriftDecision.NO_DRIFT);
        assertThat(DriftFamily.decide(features, policy(MultipleTesting.NONE)).get("x").decision())
                .isEqualTo(DriftDecision.DRIFTED);
    }

    @Test
    void aStrongChangeIsDriftedAndPullsAWeakerOneWithItUnderBenjaminiHochberg() {
        // sorted: 1e-6 (20 * 1e-6 / 1), 9e-4 (20 * 9e-4 / 2 = 0.009): both within 0.01; Bonferroni keeps the first only
        Map<String, FeatureDrift> features = report(ks("strong", 1e-6), ks("weak", 9e-4));

        Map<String, FeatureDrift> bh = DriftFamily.decide(features, policy(MultipleTesting.BENJAMINI_HOCHBERG));
        assertThat(bh.get("strong").drifted()).isTrue();
        assertThat(bh.get("weak").drifted()).isTrue();
        assertThat(bh.get("weak").significanceLevel()).isEqualTo(0.01 * 2 / 20);
        Map<String, FeatureDrift> bonferroni = DriftFamily.decide(features, policy(MultipleTesting.BONFERRONI));
        assertThat(bonferroni.get("strong").drifted()).isTrue();
        assertThat(bonferroni.get("weak").drifted()).isFalse();
        for (FeatureDrift f : bh.values()) {
            assertThat(f.pValue() <= f.significanceLevel()).as(f.feature()).isEqualTo(f.drifted());
        }
    }

    @Test
    void aDistancePastItsThresholdIsDriftedOnlyWhenTheChangeIsAlsoSignificant() {
        Map<String, FeatureDrift> features = report(wasserstein("noise", 0.11, 0.12, 0.3),
                wasserstein("shift", 0.2, 0.21, 1e-30), wasserstein("small", 0.02, 0.03, 1e-30));

        Map<String, FeatureDrift> decided = DriftFamily.decide(features, policy(MultipleTesting.BENJAMINI_HOCHBERG));

        assertThat(decided.get("shift").decision()).isEqualTo(DriftDecision.DRIFTED);
        assertThat(decided.get("small").decision()).as("significant but below the threshold")
                .isEqualTo(DriftDecision.NO_DRIFT);
        assertThat(decided.get("noise").decision()).isEqualTo(DriftDecision.NO_DRIFT);
        assertThat(decided.get("noise").reason()).contains("at or past the threshold 0.1000")
                .contains("not significant").contains("20 tested features (benjamini_hochberg)");
        assertThat(decided.get("shift").criticalValue()).isEqualTo(0.1);
    }

    @Test
    void featuresWithoutAPValueKeepTheirDecision() {
        FeatureDrift untested = new FeatureDrift("c", FeatureType.CATEGORICAL, 10, 10, DriftStatistics.NONE,
                new DriftCriterion(DriftMethod.CHI_SQUARE, 0.01, null), DriftDecision.NOT_TESTED, null, null, null, null,
                "too few", null, null, null, null);
        Map<String, FeatureDrift> features = report(untested);

        assertThat(DriftFamily.decide(features, DriftPolicy.DEFAULT).get("c")).isEqualTo(untested);
    }
}
