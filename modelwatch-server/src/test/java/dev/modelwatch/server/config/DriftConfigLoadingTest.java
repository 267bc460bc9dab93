package dev.modelwatch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.drift.DriftMethod;
import dev.modelwatch.core.drift.FeatureType;
import dev.modelwatch.core.drift.MultipleTesting;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DriftConfigLoadingTest {
    @Test
    void modelDriftSettingsBecomeItsPolicyImportancesAndBaseline() {
        ServerConfig c = ConfigLoader.parse("""
                drift: {baseline: 30m}
                models:
                  fraud:
                    task: binary_classification
                    drift:
                      baseline: 2h
                      thresholds: {wasserstein: 0.2}
                      features:
                        country: {method: psi, thresholds: {psi: 0.25}}
                      feature_importances: {amount: 0.5, country: 0.2}
                      multiple_testing: bonferroni
                  other: {task: regression}
                """, "modelwatch.yml");
        assertThat(c.drift().baseline()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.drift().baselineFor("fraud")).isEqualTo(Duration.ofHours(2));
        assertThat(c.drift().baselineFor("other")).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.drift().importancesFor("fraud")).containsEntry("amount", 0.5).containsEntry("country", 0.2);
        var amount = c.drift().policyFor("fraud").criterion("amount", FeatureType.NUMERICAL, 50_000, 50_000);
        assertThat(amount.method()).isEqualTo(DriftMethod.WASSERSTEIN);
        assertThat(amount.threshold()).isEqualTo(0.2);
        var country = c.drift().policyFor("fraud").criterion("country", FeatureType.CATEGORICAL, 50_000, 50_000);
        assertThat(country.method()).isEqualTo(DriftMethod.PSI);
        assertThat(country.threshold()).isEqualTo(0.25);
        assertThat(c.models()).containsKey("fraud");
        assertThat(c.drift().policyFor("fraud").multipleTesting()).isEqualTo(MultipleTesting.BONFERRONI);
        assertThat(c.drift().policyFor("other").multipleTesting()).isEqualTo(MultipleTesting.BENJAMINI_HOCHBERG);
    }

    @Test
    void everyDriftProblemIsReportedWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                drift: {baseline: soon}
                models:
                  fraud:
                    task: binary_classification
                    drift:
                      method: cosine
                      thresholds: {ks: 2}
                      features: {amount: {limit: 3}}
                      feature_importances: {amount: -1}
                      multiple_testing: holm
                """, "modelwatch.yml"))
                .hasMessageContaining("drift.baseline:")
                .hasMessageContaining("models.fraud.drift.method:")
                .hasMessageContaining("models.fraud.drift.thresholds.ks:")
                .hasMessageContaining("models.fraud.drift.features.amount.limit: unknown key")
                .hasMessageContaining("models.fraud.drift.feature_importances.amount: must be a number >= 0")
                .hasMessageContaining("models.fraud.drift.multiple_testing: multiple_testing must be one of "
                        + "benjamini_hochberg, bonferroni, none, was holm");
    }
}
