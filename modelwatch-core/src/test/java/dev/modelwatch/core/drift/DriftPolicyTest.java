package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DriftPolicyTest {
    @ParameterizedTest(name = "{0} n={1} m={2} -> {3} at {4}")
    @CsvSource({
            // n m / (n + m) <= 1,000: a test at alpha 0.01
            "NUMERICAL, 1000, 1000, KS, 0.01",
            "NUMERICAL, 2000, 2000, KS, 0.01",                // exactly 1,000
            "NUMERICAL, 1000000, 1001, KS, 0.01",             // 999.99: a small window against a huge reference
            "NUMERICAL, 2002, 2002, WASSERSTEIN, 0.1",        // 1,001
            "NUMERICAL, 100000, 100000, WASSERSTEIN, 0.1",
            "CATEGORICAL, 1000, 1000, CHI_SQUARE, 0.01",
            "CATEGORICAL, 2000, 2000, CHI_SQUARE, 0.01",
            "CATEGORICAL, 2002, 2002, JENSEN_SHANNON, 0.1",
            "CATEGORICAL, 100000, 100000, JENSEN_SHANNON, 0.1"})
    void defaultsSwitchFromTestsToDistancesAboveAnEffectiveSizeOfOneThousand(FeatureType type, long n, long m,
            DriftMethod method, double threshold) {
        DriftCriterion c = DriftPolicy.DEFAULT.criterion("f", type, n, m);

        assertThat(c.method()).isEqualTo(method);
        assertThat(c.threshold()).isEqualTo(threshold);
        assertThat(c.note()).isNull();
    }

    @Test
    void effectiveSizeIsTheHarmonicHalf() {
        assertThat(DriftPolicy.effectiveN(600, 400)).isCloseTo(240, within(1e-12));
        assertThat(DriftPolicy.effectiveN(0, 400)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // case, model override, feature override, type, n, expected method, expected threshold, note
            "model method applies to all, ks:, :, NUMERICAL, 100000, KS, 0.01, false",
            "model threshold for the default method, :wasserstein=0.2, :, NUMERICAL, 100000, WASSERSTEIN, 0.2, false",
            "model threshold for another method is unused, :psi=0.3, :, NUMERICAL, 100000, WASSERSTEIN, 0.1, false",
            "feature method beats model method, ks:, psi:, NUMERICAL, 100000, PSI, 0.2, false",
            "feature threshold beats model threshold, :psi=0.3, psi:psi=0.25, NUMERICAL, 100, PSI, 0.25, false",
            "model threshold serves a feature method, :psi=0.3, psi:, CATEGORICAL, 100, PSI, 0.3, false",
            "model method not for categories falls back, ks:, :, CATEGORICAL, 100, CHI_SQUARE, 0.01, true",
            "feature method not for numbers falls back to the model method, psi:, chi_square:, NUMERICAL, 100, PSI,"
                    + " 0.2, true",
            "a later applicable method clears the note, ks:, jensen_shannon:, CATEGORICAL, 100, JENSEN_SHANNON, 0.1,"
                    + " false"})
    void overridesApplyModelThenFeature(String name, String model, String feature, FeatureType type, long n,
            DriftMethod method, double threshold, boolean note) {
        DriftPolicy policy = DriftPolicy.builder().model(override(model)).feature("f", override(feature)).build();

        DriftCriterion c = policy.criterion("f", type, n, n);

        assertThat(c.method()).isEqualTo(method);
        assertThat(c.threshold()).isEqualTo(threshold);
        assertThat(c.note() != null).isEqualTo(note);
    }

    @Test
    void aFeatureOverrideReachesOnlyItsFeature() {
        DriftPolicy policy = DriftPolicy.builder().model(DriftOverride.of(DriftMethod.KS, 0.001))
                .feature("amount", DriftOverride.of(DriftMethod.PSI, 0.25)).build();

        assertThat(policy.criterion("amount", FeatureType.NUMERICAL, 10, 10))
                .isEqualTo(new DriftCriterion(DriftMethod.PSI, 0.25, null));
        assertThat(policy.criterion("age", FeatureType.NUMERICAL, 100_000, 100_000))
                .isEqualTo(new DriftCriterion(DriftMethod.KS, 0.001, null));
        assertThat(policy.criterion("country", FeatureType.CATEGORICAL, 100_000, 100_000)).isEqualTo(
                new DriftCriterion(DriftMethod.JENSEN_SHANNON, 0.1,
                        "method ks does not apply to categorical features; used jensen_shannon"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"KS, 0", "KS, 0.6", "KS, -0.01", "CHI_SQUARE, 0.51", "CHI_SQUARE, NaN", "WASSERSTEIN, 0",
            "WASSERSTEIN, Infinity", "PSI, -1", "PSI, NaN", "JENSEN_SHANNON, 0.84", "JENSEN_SHANNON, 0"})
    void thresholdsOutsideTheirMethodsRangeAreRejectedNamingTheMethod(DriftMethod method, double threshold) {
        assertThatThrownBy(() -> DriftOverride.of(method, threshold)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold of " + method.wireName());
        assertThatThrownBy(() -> DriftOverride.threshold(method, threshold))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"KS, 0.5", "KS, 1e-6", "CHI_SQUARE, 0.05", "WASSERSTEIN, 3", "PSI, 0.25", "JENSEN_SHANNON, 0.8325"})
    void thresholdsInsideTheirMethodsRangeAreAccepted(DriftMethod method, double threshold) {
        assertThat(DriftOverride.of(method, threshold).thresholds()).containsEntry(method, threshold);
    }

    @ParameterizedTest
    @EnumSource(DriftMethod.class)
    void everyDefaultThresholdIsInItsRangeAndEveryMethodHasAWireName(DriftMethod method) {
        assertThat(method.checkThreshold(method.defaultThreshold())).isEqualTo(method.defaultThreshold());
        assertThat(DriftMethod.fromWireName(method.wireName())).isEqualTo(method);
        assertThat(method.appliesTo(FeatureType.NUMERICAL) || method.appliesTo(FeatureType.CATEGORICAL)).isTrue();
    }

    @Test
    void invalidPoliciesAreRejectedNamingTheField() {
        assertThatThrownBy(() -> DriftMethod.fromWireName("kl")).hasMessageContaining("method must be one of");
        assertThatThrownBy(() -> DriftPolicy.builder().minimumCount(1).build()).hasMessageContaining("minimumCount");
        assertThatThrownBy(() -> DriftPolicy.builder().smallSampleLimit(Double.NaN).build())
                .hasMessageContaining("smallSampleLimit");
        assertThatThrownBy(() -> DriftPolicy.builder().model(null).build()).hasMessageContaining("model");
        assertThatThrownBy(() -> DriftPolicy.builder().feature("f", null).build()).hasMessageContaining("features");
        assertThatThrownBy(() -> DriftOverride.method(null)).hasMessageContaining("method");
        assertThatThrownBy(() -> new DriftOverride(null, null)).hasMessageContaining("thresholds");
        Map<DriftMethod, Double> nullValue = new HashMap<>();
        nullValue.put(DriftMethod.PSI, null);
        assertThatThrownBy(() -> new DriftOverride(null, nullValue)).hasMessageContaining("thresholds");
        assertThatThrownBy(() -> new DriftCriterion(DriftMethod.PSI, 0, null)).hasMessageContaining("psi");
    }

    @Test
    void overridesAreImmutableCopies() {
        Map<DriftMethod, Double> thresholds = new HashMap<>(Map.of(DriftMethod.PSI, 0.3));
        DriftOverride o = new DriftOverride(null, thresholds);
        thresholds.put(DriftMethod.PSI, 0.4);

        assertThat(o.thresholds()).containsEntry(DriftMethod.PSI, 0.3);
        assertThatThrownBy(() -> o.thresholds().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    /** {@code "method:other=threshold"}, either part empty; an empty string is no override. */
    private static DriftOverride override(String spec) {
        if (spec == null || spec.isEmpty() || spec.equals(":")) {
            return DriftOverride.NONE;
        }
        String[] parts = spec.split(":", -1);
        DriftMethod method = parts[0].isEmpty() ? null : DriftMethod.fromWireName(parts[0]);
        Map<DriftMethod, Double> thresholds = new HashMap<>();
        if (parts.length > 1 && !parts[1].isEmpty()) {
            String[] kv = parts[1].split("=");
            thresholds.put(DriftMethod.fromWireName(kv[0]), Double.parseDouble(kv[1]));
        }
        return new DriftOverride(method, thresholds);
    }
}
