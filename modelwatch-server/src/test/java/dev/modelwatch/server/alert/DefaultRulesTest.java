package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.config.ConfigLoader;
import java.util.List;
import dev.modelwatch.server.training.TrainingProblemSeries;
import org.junit.jupiter.api.Test;

class DefaultRulesTest {
    @Test
    void everyDefaultRuleParsesAndReadsOnlySeriesTheServerServes() {
        List<AlertRule> rules = DefaultRules.rules();
        assertThat(rules).extracting(AlertRule::name).contains("ModelAccuracyDrop", "ModelDriftShareHigh",
                "ModelFeatureDrift", "ModelMissingRateJump", "ModelErrorRateHigh", "ModelLatencyP99High",
                "ModelTrafficDrop", "ModelNoTraffic", "ModelNonFiniteValues", "ModelEstimatedAccuracyDrop",
                "TrainingRunCritical", "TrainingRunWarning");
        for (AlertRule r : rules) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-z_0-9]+)(?=[{\\[ ]|$)").matcher(r.expr().text());
            while (m.find()) {
                String name = m.group(1);
                if (name.matches("avg_over_time|sum_over_time|offset|and|or|on|by|issue|count") || name.matches("\\d.*")) {
                    continue;
                }
                assertThat(ModelSeriesSource.isKnown(name) || name.equals(TrainingProblemSeries.NAME))
                        .as("%s reads %s", r.name(), name).isTrue();
            }
            assertThat(r.labels()).containsKeys("severity", "pack");
        }
    }

    @Test
    void aConfiguredRuleReplacesTheDefaultOfTheSameNameAndThePackCanBeTurnedOff() {
        var withOwn = ConfigLoader.parse("""
                rules:
                  - alert: ModelAccuracyDrop
                    expr: accuracy_drop > 0.1
                """, "x.yml").alerting().rules();
        assertThat(withOwn.stream().filter(r -> r.name().equals("ModelAccuracyDrop")).toList()).singleElement()
                .satisfies(r -> assertThat(r.expr().text()).isEqualTo("accuracy_drop > 0.1"));
        assertThat(ConfigLoader.parse("alerting: {default_rules: false}", "x.yml").alerting().rules()).isEmpty();
    }

    @Test
    void realizedPerformanceRulesWaitForLabelsAndTheEstimateDecidesUntilThen() {
        for (AlertRule r : DefaultRules.rules()) {
            String expr = r.expr().text();
            switch (r.name()) {
                case "ModelAccuracyDrop", "ModelF1Drop", "ModelRmseIncrease" ->
                        assertThat(expr).as(r.name()).endsWith(" and label_coverage >= 0.05");
                case "ModelEstimatedAccuracyDrop" -> assertThat(expr).endsWith(" and label_coverage < 0.05");
                default -> assertThat(expr).as(r.name()).doesNotContain("label_coverage");
            }
        }
    }

    @Test
    void theLabelSettingsAreReadAndBadOnesNamed() {
        LabelPolicy p = ConfigLoader.parse("alerting: {label_coverage_complete: 0.8, label_delay: 6h}", "x.yml")
                .alerting().labels();
        assertThat(p).isEqualTo(new LabelPolicy(0.8, 6 * 3_600_000L));
        assertThat(ConfigLoader.parse("models: {}", "x.yml").alerting().labels()).isEqualTo(LabelPolicy.DEFAULT);
        assertThatThrownBy(() -> ConfigLoader.parse("alerting: {label_coverage_complete: 1.5}", "x.yml"))
                .hasMessageContaining("alerting.label_coverage_complete: must be a number in (0, 1]");
        assertThatThrownBy(() -> ConfigLoader.parse("alerting: {label_delay: 0s}", "x.yml"))
                .hasMessageContaining("alerting.label_delay: must be positive");
    }
}
