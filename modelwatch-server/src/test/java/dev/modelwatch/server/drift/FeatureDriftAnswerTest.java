package dev.modelwatch.server.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.drift.DriftMethod;
import dev.modelwatch.core.drift.DriftOverride;
import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.drift.FeatureDriftAnalysis;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A feature's drift as the drift answer writes it: every key present, null for what does not apply. */
class FeatureDriftAnswerTest {
    private static final List<String> KEYS = List.of("type", "drifted", "decision", "method", "threshold",
            "critical_value", "value", "value_low", "value_high", "reason", "reference_n", "current_n", "p_value",
            "p_value_low", "adjusted_p_value", "significance_level", "psi", "ks_statistic", "ks_p_value",
            "ks_error_bound", "wasserstein", "wasserstein_normalized", "wasserstein_error_bound", "js_distance",
            "chi2_statistic", "chi2_p_value", "new_values", "vanished_values");

    @Test
    void numericalDriftHasEveryKeyWithNullForCategoricalStatistics() {
        FeatureProfile ref = new FeatureProfile(SketchSettings.DEFAULT);
        FeatureProfile cur = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 600; i++) {
            ref.add((double) i);
        }
        for (int i = 0; i < 400; i++) {
            cur.add(300.0 + i);
        }
        FeatureDrift d = FeatureDriftAnalysis.of("amount", ref, cur,
                DriftPolicy.builder().feature("amount", DriftOverride.of(DriftMethod.PSI, 0.2)).build());

        JsonNode m = Json.MAPPER.valueToTree(DriftReportAnswer.FeatureDriftAnswer.of(d));

        assertThat(fieldNames(m)).containsExactlyElementsOf(KEYS);
        assertThat(m.get("type").asText()).isEqualTo("numerical");
        assertThat(m.get("method").asText()).isEqualTo("psi");
        assertThat(m.get("threshold").asDouble()).isEqualTo(0.2);
        assertThat(m.get("drifted").asBoolean()).isEqualTo(d.drifted()).isTrue();
        assertThat(m.get("decision").asText()).isEqualTo("drifted");
        assertThat(m.get("reference_n").asLong()).isEqualTo(600);
        assertThat(m.get("current_n").asLong()).isEqualTo(400);
        assertThat(m.get("psi").asDouble()).isEqualTo(d.statistics().psi());
        assertThat(m.get("ks_statistic").asDouble()).isEqualTo(d.statistics().ksStatistic());
        for (String k : List.of("reason", "chi2_statistic", "chi2_p_value", "new_values", "vanished_values")) {
            assertThat(m.get(k).isNull()).as(k).isTrue();
        }
    }

    @Test
    void categoricalDriftNamesNewAndVanishedValuesWithNullForNumericalStatistics() {
        FeatureProfile ref = new FeatureProfile(SketchSettings.DEFAULT);
        FeatureProfile cur = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 50; i++) {
            for (String v : List.of("a", "b", "c")) {
                ref.add(v);
            }
            for (String v : List.of("a", "b", "d")) {
                cur.add(v);
            }
        }
        FeatureDrift d = FeatureDriftAnalysis.of("country", ref, cur, DriftPolicy.DEFAULT);

        JsonNode m = Json.MAPPER.valueToTree(DriftReportAnswer.FeatureDriftAnswer.of(d));

        assertThat(fieldNames(m)).containsExactlyElementsOf(KEYS);
        assertThat(m.get("type").asText()).isEqualTo("categorical");
        assertThat(m.get("method").asText()).isEqualTo("chi_square");
        assertThat(m.get("ks_statistic").isNull()).isTrue();
        assertThat(m.get("wasserstein").isNull()).isTrue();
        assertThat(m.get("new_values").toString()).isEqualTo("[\"d\"]");
        assertThat(m.get("vanished_values").toString()).isEqualTo("[\"c\"]");
        assertThat(m.get("chi2_p_value").asDouble()).isEqualTo(d.statistics().chi2PValue());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
