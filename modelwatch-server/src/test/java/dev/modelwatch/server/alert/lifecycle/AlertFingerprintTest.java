package dev.modelwatch.server.alert.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.rules.SeriesLabels;
import org.junit.jupiter.api.Test;

class AlertFingerprintTest {
    /**
     * Golden values from Prometheus's common/model tests ({@code TestMetricToFingerprint} in
     * labelset/signature tests): the empty set hashes to the FNV-1a offset basis, and this label set
     * to 5799056148416392346, so alert ids equal Alertmanager's fingerprints.
     */
    @Test
    void fingerprintIsPrometheusLabelSetFingerprint() {
        assertThat(AlertFingerprint.of(SeriesLabels.EMPTY)).isEqualTo(Long.parseUnsignedLong("14695981039346656037"));
        assertThat(AlertFingerprint.of(SeriesLabels.of("name", "garland, briggs", "fear", "love is not enough")))
                .isEqualTo(Long.parseUnsignedLong("5799056148416392346"));
    }

    @Test
    void fingerprintDependsOnLabelsNotOnTheOrderTheyAreGiven() {
        assertThat(AlertFingerprint.of(SeriesLabels.of("a", "1", "b", "2")))
                .isEqualTo(AlertFingerprint.of(SeriesLabels.of("b", "2", "a", "1")))
                .isNotEqualTo(AlertFingerprint.of(SeriesLabels.of("a", "12")))
                .isNotEqualTo(AlertFingerprint.of(SeriesLabels.of("a", "1", "b", "3")));
        // the separator keeps "a=1,b=2" apart from a name/value split elsewhere
        assertThat(AlertFingerprint.of(SeriesLabels.of("ab", "c"))).isNotEqualTo(AlertFingerprint.of(SeriesLabels.of("a", "bc")));
    }

    @Test
    void idIsSixteenHexDigitsAndParsesBack() {
        long fp = AlertFingerprint.of(SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud"));
        String id = AlertFingerprint.format(fp);
        assertThat(id).hasSize(16).matches("[0-9a-f]{16}");
        assertThat(AlertFingerprint.parse(id)).isEqualTo(fp);
        assertThat(AlertFingerprint.format(1L)).isEqualTo("0000000000000001");
        assertThat(AlertFingerprint.format(-1L)).isEqualTo("ffffffffffffffff");
        assertThatThrownBy(() -> AlertFingerprint.parse("xyz")).hasMessageContaining("16 hex digits");
        assertThatThrownBy(() -> AlertFingerprint.parse("00000000000000001")).hasMessageContaining("16 hex digits");
    }
}
