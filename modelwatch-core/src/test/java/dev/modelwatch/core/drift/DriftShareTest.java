package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftShareTest {
    private static final List<FeatureDrift> FEATURES = List.of(
            feature("a", DriftDecision.DRIFTED),
            feature("b", DriftDecision.NO_DRIFT),
            feature("c", DriftDecision.UNCERTAIN),
            feature("d", DriftDecision.DRIFTED),
            feature("e", DriftDecision.NOT_TESTED));

    @Test
    void shareCountsDriftedAmongTestedFeatures() {
        DriftShare s = DriftShare.of(FEATURES);

        assertThat(s.tested()).isEqualTo(4);
        assertThat(s.drifted()).isEqualTo(2);
        assertThat(s.uncertain()).isEqualTo(1);
        assertThat(s.share()).isEqualTo(0.5);
        assertThat(s.weightedShare()).isNull();
        assertThat(s.reasons()).containsEntry("weighted_share", "no feature importances given");
    }

    @Test
    void importancesAreNormalisedOverTestedFeaturesAndMissingOnesWeighZero() {
        // e is not tested: its weight counts nowhere; c has no weight: 0
        DriftShare s = DriftShare.of(FEATURES, Map.of("a", 3.0, "b", 1.0, "d", 1.0, "e", 100.0));

        assertThat(s.weightedShare()).isCloseTo((3.0 + 1.0) / (3.0 + 1.0 + 1.0), within(1e-15));
        assertThat(s.share()).isEqualTo(0.5);
    }

    @Test
    void weightsThatSumToZeroOverTestedFeaturesGiveNoWeightedShare() {
        DriftShare s = DriftShare.of(FEATURES, Map.of("e", 1.0, "unknown", 2.0));

        assertThat(s.weightedShare()).isNull();
        assertThat(s.reasons().get("weighted_share")).contains("sum to 0");
    }

    @Test
    void nothingTestedGivesNoShare() {
        DriftShare s = DriftShare.of(List.of(feature("e", DriftDecision.NOT_TESTED)));

        assertThat(s.share()).isNull();
        assertThat(s.tested()).isZero();
        assertThat(s.reasons()).isEqualTo(Map.of("share", "no feature was tested",
                "weighted_share", "no feature importances given"));
    }

    @Test
    void negativeOrNonFiniteImportancesAreRejectedNamingTheFeature() {
        assertThatThrownBy(() -> DriftShare.of(FEATURES, Map.of("a", -1.0))).hasMessageContaining("importance of a");
        assertThatThrownBy(() -> DriftShare.of(FEATURES, Map.of("b", Double.NaN))).hasMessageContaining("of b");
        Map<String, Double> nullWeight = new HashMap<>();
        nullWeight.put("c", null);
        assertThatThrownBy(() -> DriftShare.of(FEATURES, nullWeight)).hasMessageContaining("of c");
    }

    private static FeatureDrift feature(String name, DriftDecision decision) {
        return new FeatureDrift(name, FeatureType.NUMERICAL, 100, 100, DriftStatistics.NONE,
                new DriftCriterion(DriftMethod.KS, 0.01, null), decision, null, null, null, null, null, null,
                null, null, null);
    }
}
