package dev.modelwatch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations in modelwatch.yml follow the rule language's grammar, and a bad one is named with its key. */
class DurationConfigTest {
    @Test
    void durationsInTheGrammarOfRulesAreRead() {
        ServerConfig c = ConfigLoader.parse("""
                aggregation: {flush_interval: 1m30s}
                labels: {join_horizon: 1y}
                """, "modelwatch.yml");
        assertThat(c.flushInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.joinHorizon()).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void unitsOutOfOrderAreReportedWithTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                aggregation: {flush_interval: 1s1h}
                models:
                  fraud: {task: regression, window: 5m5m}
                """, "modelwatch.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "line 1: aggregation.flush_interval: '1s1h' is not a duration like 500ms, 10s, 1m, 2h, 7d",
                        "line 3: models.fraud.window: '5m5m' is not a duration like 500ms, 10s, 1m, 2h, 7d"));
    }
}
