package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ColumnCodecTest {

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, 1.5, -3e300, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void doubleRoundTripsBitForBit(double value) {
        double back = ColumnCodec.decodeDouble(ColumnCodec.encodeDouble(value));
        assertThat(Double.doubleToRawLongBits(back)).isEqualTo(Double.doubleToRawLongBits(value));
    }

    @Test
    void nanPayloadSurvives() {
        double payloadNaN = Double.longBitsToDouble(0x7ff8_0000_0000_0001L);
        assertThat(Double.doubleToRawLongBits(ColumnCodec.decodeDouble(ColumnCodec.encodeDouble(payloadNaN))))
                .isEqualTo(0x7ff8_0000_0000_0001L);
        Map<String, Double> map = ColumnCodec.decodeDoubles(ColumnCodec.encodeDoubles(Map.of("x", payloadNaN)));
        assertThat(Double.doubleToRawLongBits(map.get("x"))).isEqualTo(0x7ff8_0000_0000_0001L);
    }

    @Test
    void stringMapRoundTripsInOrderAndIsCompact() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("region", "eu");
        map.put("länd", "Köln 🐈");
        map.put("", "");
        map.put("long", "v".repeat(300));
        assertThat(ColumnCodec.decodeStrings(ColumnCodec.encodeStrings(map))).containsExactlyEntriesOf(map);
        assertThat(ColumnCodec.encodeStrings(Map.of("region", "eu"))).hasSize(12);
        assertThat(ColumnCodec.decodeStrings(ColumnCodec.encodeStrings(Map.of()))).isEmpty();
    }

    @Test
    void doubleMapRoundTripsNonFiniteValues() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("loss", Double.NaN);
        map.put("grad_norm", Double.POSITIVE_INFINITY);
        map.put("lr", -Double.MAX_VALUE);
        map.put("zero", -0.0);
        assertThat(ColumnCodec.decodeDoubles(ColumnCodec.encodeDoubles(map))).isEqualTo(map);
    }

    @Test
    void labelComesBackAsTheSameType() {
        assertThat(ColumnCodec.decodeLabel(ColumnCodec.encodeLabel(1.0))).isInstanceOf(Double.class).isEqualTo(1.0);
        assertThat(ColumnCodec.decodeLabel(ColumnCodec.encodeLabel("1"))).isInstanceOf(String.class).isEqualTo("1");
        assertThat(ColumnCodec.decodeLabel(ColumnCodec.encodeLabel(""))).isEqualTo("");
        assertThat((Double) ColumnCodec.decodeLabel(ColumnCodec.encodeLabel(Double.NaN))).isNaN();
        assertThat(ColumnCodec.decodeLabel(ColumnCodec.encodeLabel(Double.NEGATIVE_INFINITY)))
                .isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void nullMapValueAndOtherLabelTypesAreRejectedByName() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("region", null);
        assertThatThrownBy(() -> ColumnCodec.encodeStrings(withNull))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'region'");
        assertThatThrownBy(() -> ColumnCodec.encodeLabel(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Integer");
    }

    @Test
    void corruptColumnsFailClearly() {
        byte[] truncated = ColumnCodec.encodeStrings(Map.of("region", "eu"));
        truncated[2] = 100;
        assertThatThrownBy(() -> ColumnCodec.decodeStrings(truncated))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("corrupt");
        assertThatThrownBy(() -> ColumnCodec.decodeDoubles(new byte[] {7}))
                .isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> ColumnCodec.decodeLabel(new byte[] {9, 1}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt label");
    }
}
