package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Categorical drift against scipy ({@code fixtures/drift/make_drift_fixtures.py}):
 * {@code chi2_contingency(correction=False)}, {@code jensenshannon} and a hand-written PSI with the
 * same smoothing. The categories fit the frequent-items map, so the counts are exact and the
 * statistics must agree to 1e-9.
 */
class CategoricalDriftTest {
    static Stream<JsonNode> cases() {
        return DriftFixture.categorical().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exactCountsReproduceScipy(JsonNode c) {
        CategoricalDrift drift = CategoricalDrift.of(DriftFixture.categoricalProfile(c.get("ref")),
                DriftFixture.categoricalProfile(c.get("cur")));

        assertThat(drift.exact()).isTrue();
        assertThat(drift.chiSquare()).isCloseTo(c.get("chi2").asDouble(), within(1e-9));
        assertThat(drift.degreesOfFreedom()).isEqualTo(c.get("dof").asInt());
        assertThat(drift.pValue()).isCloseTo(c.get("chi2_pvalue").asDouble(), within(1e-9));
        assertThat(Math.abs(drift.pValue() - c.get("chi2_pvalue").asDouble()))
                .isLessThanOrEqualTo(1e-9 * c.get("chi2_pvalue").asDouble());
        assertThat(drift.psi().psi()).isCloseTo(c.get("psi").asDouble(), within(1e-9));
        assertThat(drift.psi().jensenShannon()).isCloseTo(c.get("js").asDouble(), within(1e-9));
        assertThat(drift.newCategories()).containsExactlyElementsOf(strings(c.get("new")));
        assertThat(drift.vanished()).containsExactlyElementsOf(strings(c.get("vanished")));
    }

    @Test
    void newAndVanishedCategoriesAreNamed() {
        JsonNode c = DriftFixture.categorical().get(1);

        CategoricalDrift drift = CategoricalDrift.of(DriftFixture.categoricalProfile(c.get("ref")),
                DriftFixture.categoricalProfile(c.get("cur")));

        assertThat(drift.categories()).containsExactly("a", "b", "c", "d", "e", "f");
        assertThat(drift.newCategories()).containsExactly("f");
        assertThat(drift.vanished()).containsExactly("e");
        assertThat(drift.psi().psi()).isFinite();
    }

    @Test
    void moreCategoriesThanTheMapHoldsAreReportedAsNotExact() {
        FeatureProfile ref = new FeatureProfile(new SketchSettings(200, 8, 12));
        FeatureProfile cur = new FeatureProfile(new SketchSettings(200, 8, 12));
        for (int i = 0; i < 100; i++) {
            ref.add("v" + i);
            cur.add("v" + (i % 3));
        }

        CategoricalDrift drift = CategoricalDrift.of(ref, cur);

        assertThat(drift.exact()).isFalse();
    }

    @Test
    void singleSharedCategoryHasNoDrift() {
        FeatureProfile ref = new FeatureProfile(SketchSettings.DEFAULT);
        FeatureProfile cur = new FeatureProfile(SketchSettings.DEFAULT);
        ref.add("x");
        cur.add("x");
        cur.add("x");

        CategoricalDrift drift = CategoricalDrift.of(ref, cur);

        assertThat(drift.degreesOfFreedom()).isZero();
        assertThat(drift.pValue()).isEqualTo(1.0);
        assertThat(drift.psi().psi()).isZero();
        assertThat(drift.psi().jensenShannon()).isZero();
    }

    @Test
    void profileWithoutStringsIsRejectedWithItsSide() {
        FeatureProfile strings = new FeatureProfile(SketchSettings.DEFAULT);
        strings.add("x");

        assertThatThrownBy(() -> CategoricalDrift.of(new FeatureProfile(SketchSettings.DEFAULT), strings))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
