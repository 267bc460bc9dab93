package dev.modelwatch.server.config;

import dev.modelwatch.server.ingest.Limits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code limits:} section of modelwatch.yml: its keys, its defaults, and its problems by key. */
class LimitsConfigTest {
    @Test
    void everyLimitIsReadAndTheOthersKeepTheirDefaults() {
        Limits l = ConfigLoader.parse("""
                limits:
                  max_models: 20
                  max_segment_values_per_key: 7
                  max_buffered_profile_bytes: 8388608
                """, "modelwatch.yml").limits();
        assertThat(l.maxModels()).isEqualTo(20);
        assertThat(l.maxSegmentValuesPerKey()).isEqualTo(7);
        assertThat(l.maxBufferedProfileBytes()).isEqualTo(8L << 20);
        assertThat(l.maxFeaturesPerModel()).isEqualTo(Limits.DEFAULT.maxFeaturesPerModel());
        assertThat(l.maxQueuedEventBytes()).isEqualTo(Limits.DEFAULT.maxQueuedEventBytes());
        assertThat(ConfigLoader.parse("", "modelwatch.yml").limits()).isEqualTo(Limits.DEFAULT);
    }

    @Test
    void aBadLimitIsReportedWithItsKeyAndLineAndTheDeclaredModelsMustFit() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                models:
                  a: {task: regression}
                  b: {task: regression}
                limits:
                  max_models: 1
                  max_classes_per_model: 1
                  max_buffered_profile_bytes: 1000
                  max_segments: 3
                """, "modelwatch.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits.max_classes_per_model: must be between 2 and 100000, got 1")
                .hasMessageContaining("limits.max_buffered_profile_bytes: must be between 1048576")
                .hasMessageContaining("limits.max_segments")
                .hasMessageContaining("limits.max_models: 2 models are declared under models:, more than 1");
    }
}
