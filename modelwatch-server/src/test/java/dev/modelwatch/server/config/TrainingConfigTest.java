package dev.modelwatch.server.config;

import dev.modelwatch.server.training.TrainingConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.training.DetectorSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code training:} section of modelwatch.yml: stall time and detector thresholds, per model; problems by key. */
class TrainingConfigTest {
    @Test
    void theSectionAndItsModelsAreReadAndUnsetKeysInherit() {
        TrainingConfig t = ConfigLoader.parse("""
                training:
                  stall_after: 30m
                  detectors: {divergence_factor: 5, plateau_patience: 1000}
                  models:
                    llm:
                      stall_after: 2h
                      detectors: {dead_relu_fraction: 0.7, memory_horizon_steps: 500}
                """, "modelwatch.yml").training();
        assertThat(t.defaults().stallAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(t.defaults().detectors().divergenceFactor()).isEqualTo(5);
        assertThat(t.defaults().detectors().plateauPatience()).isEqualTo(1000);
        assertThat(t.defaults().detectors().deadReluFraction()).isEqualTo(0.5);
        TrainingConfig.Settings llm = t.forModel("llm");
        assertThat(llm.stallAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(llm.detectors().deadReluFraction()).isEqualTo(0.7);
        assertThat(llm.detectors().memoryHorizonSteps()).isEqualTo(500);
        assertThat(llm.detectors().divergenceFactor()).isEqualTo(5); // from the section
        assertThat(t.forModel("other")).isEqualTo(t.defaults());
        assertThat(ConfigLoader.parse("", "modelwatch.yml").training()).isEqualTo(TrainingConfig.DEFAULT);
        assertThat(TrainingConfig.DEFAULT.defaults().detectors()).isEqualTo(DetectorSettings.DEFAULT);
    }

    @Test
    void badValuesAreReportedWithTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                training:
                  stall_after: 10 minutes
                  detectors: {divergence_factor: 0.5, plateau_patience: 0, slow_steps: 3}
                  models:
                    llm:
                      stall_after: 0s
                      detectors: {dead_relu_fraction: 1.5}
                      alerts: false
                    other: 3
                """, "modelwatch.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("training.stall_after: '10 minutes' is not a duration")
                .hasMessageContaining("training.detectors.plateau_patience: must be between 1 and")
                .hasMessageContaining("training.detectors.slow_steps: unknown key")
                .hasMessageContaining("training.models.llm.stall_after: must be positive")
                .hasMessageContaining("training.models.llm.detectors.dead_relu_fraction: must be between 0 and 1")
                .hasMessageContaining("training.models.llm.alerts: unknown key")
                .hasMessageContaining("training.models.other: must be a mapping");
        assertThatThrownBy(() -> ConfigLoader.parse("training: {detectors: {divergence_factor: 0.5}}", "modelwatch.yml"))
                .hasMessageContaining("training.detectors.divergence_factor: must be above 1, got 0.5");
        assertThatThrownBy(() -> ConfigLoader.parse("training: {detectors: {update_ratio_low: 'x'}}", "modelwatch.yml"))
                .hasMessageContaining("training.detectors.update_ratio_low: must be a number, got 'x'");
    }
}
