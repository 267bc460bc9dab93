package dev.modelwatch.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The duration grammar, against the values Prometheus's {@code model.ParseDuration} gives (units
 * {@code y w d h m s ms} largest first, each at most once; a year is 365 days).
 */
class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "100ms, 100",
        "5m, 300000",
        "1h30m, 5400000",
        "1d, 86400000",
        "1w, 604800000",
        "1y, 31536000000",
        "1y2w3d4h5m6s7ms, 33019506007",
        "' 10s ', 10000",
        "90m, 5400000"})
    void aDurationIsReadInMilliseconds(String text, long millis) {
        assertThat(Durations.parseMillis(text)).isEqualTo(millis);
        assertThat(Durations.isValid(text)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1s1h|invalid duration '1s1h': units must go from largest to smallest, each at most once",
        "5m5m|invalid duration '5m5m': units must go from largest to smallest, each at most once",
        "5min|invalid duration '5min': units are y, w, d, h, m, s, ms",
        "5m30|invalid duration '5m30': units are y, w, d, h, m, s, ms",
        "10|invalid duration '10': units are y, w, d, h, m, s, ms",
        "h|invalid duration 'h': expected a number at 'h'; units are y, w, d, h, m, s, ms",
        "-5m|invalid duration '-5m': expected a number at '-5m'; units are y, w, d, h, m, s, ms",
        "1.5h|invalid duration '1.5h': units are y, w, d, h, m, s, ms",
        "99999999999999999999s|invalid duration '99999999999999999999s': too large",
        "''|invalid duration '': empty"})
    void aMalformedDurationIsRefusedWithTheReason(String text, String message) {
        assertThat(Durations.isValid(text)).isFalse();
        assertThatThrownBy(() -> Durations.parseMillis(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "100, 100ms", "5400000, 1h30m", "31536000000, 52w1d", "-60000, -1m", "694861001, 1w1d1h1m1s1ms"})
    void aDurationIsWrittenLargestUnitFirstAndReadsBack(long millis, String text) {
        assertThat(Durations.format(millis)).isEqualTo(text);
        assertThat(millis < 0 || Durations.parseMillis(text) == millis).isTrue();
    }
}
