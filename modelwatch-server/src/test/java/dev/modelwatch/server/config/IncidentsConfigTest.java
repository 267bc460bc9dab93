package dev.modelwatch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.incident.ActionConfig;
import dev.modelwatch.server.incident.IncidentConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IncidentsConfigTest {
    @Test
    void theIncidentsSectionIsReadWithItsActionsAndGuardRails() {
        IncidentConfig c = ConfigLoader.parse("""
                incidents:
                  reopen_within: 10m
                  diagnosis_lookback: 2h
                  actions:
                    fraud:
                      - name: rollback
                        webhook: {url: "https://deploy.example.com/rollback", timeout: 5s}
                        auto: {causes: [version_regression], severities: [critical], min_score: 0.7}
                        cooldown: 2h
                        max_per_day: 2
                      - name: retrain
                        command: {run: [/opt/hooks/retrain.sh, fraud]}
                        dry_run: true
                """, "test.yml").incidents();
        assertThat(c.reopenWithin()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.diagnosisLookback()).isEqualTo(Duration.ofHours(2));
        assertThat(c.actionsOf("fraud")).containsExactly(
                new ActionConfig("rollback", new ActionConfig.WebhookHook(URI.create("https://deploy.example.com/rollback"),
                        Duration.ofSeconds(5)), new ActionConfig.AutoRun(Set.of(CauseKind.VERSION_REGRESSION),
                        Set.of("critical"), 0.7), false, Duration.ofHours(2), 2),
                new ActionConfig("retrain", new ActionConfig.CommandHook(List.of("/opt/hooks/retrain.sh", "fraud"),
                        Duration.ofSeconds(10)), null, true, Duration.ofHours(1), 3));
        assertThat(c.actionsOf("churn")).isEmpty();
        assertThat(ConfigLoader.parse("server: {port: 8080}", "test.yml").incidents()).isEqualTo(IncidentConfig.DEFAULT);
    }

    @Test
    void everyProblemOfTheSectionIsNamedWithItsKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                incidents:
                  reopen_within: soon
                  actions:
                    fraud:
                      - name: rollback
                        webhook: {url: "ftp://x"}
                        command: {run: [a]}
                      - name: rollback
                        webhook: {url: "http://x.example.com"}
                        auto: {causes: [bad_luck], min_score: 2}
                      - {name: retrain, command: {run: []}, max_per_day: 0}
                """, "test.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "line 2: incidents.reopen_within: 'soon' is not a duration like 500ms, 10s, 1m, 2h, 7d",
                        "line 5: incidents.actions.fraud[0]: needs exactly one of webhook {url, timeout} or command {run, timeout}",
                        "line 10: incidents.actions.fraud[1].auto.causes: 'bad_luck' is not a cause kind; expected one of"
                                + " covariate_drift, data_quality, concept_drift, label_shift, segment, version_regression,"
                                + " infrastructure, training",
                        "line 10: incidents.actions.fraud[1].auto.min_score: must be a number from 0 to 1, got '2'",
                        "line 11: incidents.actions.fraud[2].command.run: required, the program and its arguments as a list,"
                                + " e.g. [/opt/hooks/rollback.sh, fraud]",
                        "line 11: incidents.actions.fraud[2].max_per_day: must be between 1 and 10000, got 0"));
    }
}
