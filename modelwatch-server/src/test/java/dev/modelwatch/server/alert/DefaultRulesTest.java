package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

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
}
