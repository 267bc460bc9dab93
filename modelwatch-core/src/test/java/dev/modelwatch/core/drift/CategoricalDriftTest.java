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

    @org.junit.jupiter.api.Test
    void sparseCategoriesArePooledUntilEachBinExpectsFiveValues() {
        double[] reference = {50, 1, 2, 40};
        double[] current = {20, 1, 2, 20};
        double[] pooled = CategoricalDrift.pooled(new double[] {reference[0], reference[1], reference[2], reference[3]},
                current);
        // totals a 70, b 2, c 4, d 60; ascending: b, then b + c (6 expects 6 * 43 / 136 = 1.9 < 5 in the smaller
        // sample), then b + c + d (66 expects 20.9: a bin), then a alone
        double[][] bins = {{1 + 2 + 40, 1 + 2 + 20}, {50, 20}};
        double rowR = 93;
        double rowC = 43;
        double total = rowR + rowC;
        double x2 = 0;
        for (double[] bin : bins) {
            double er = rowR * (bin[0] + bin[1]) / total;
            double ec = rowC * (bin[0] + bin[1]) / total;
            x2 += (bin[0] - er) * (bin[0] - er) / er + (bin[1] - ec) * (bin[1] - ec) / ec;
        }
        assertThat(pooled[0]).isCloseTo(x2, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(pooled[1]).isEqualTo(1);
        assertThat(pooled[2]).isCloseTo(org.apache.commons.math3.special.Gamma.regularizedGammaQ(0.5, x2 / 2),
                org.assertj.core.api.Assertions.within(1e-12));
        // frequent categories are left alone
        double[] same = CategoricalDrift.pooled(new double[] {500, 300, 200}, new double[] {480, 320, 200});
        assertThat(same[1]).isEqualTo(2);
    }
}
