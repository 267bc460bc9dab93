package dev.modelwatch.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureVectorTest {
    @Test
    void readsAsTheMapItWasBuiltFromInArrivalOrder() {
        FeatureVector v = FeatureVector.builder(1).number("amount", 12.5).string("country", "DE").missing("age")
                .number("ratio", Double.NaN).build();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("amount", 12.5);
        expected.put("country", "DE");
        expected.put("age", null);
        expected.put("ratio", Double.NaN);
        assertThat(v).isEqualTo(expected);
        assertThat(v.keySet()).containsExactly("amount", "country", "age", "ratio");
        assertThat(v.get("country")).isEqualTo("DE");
        assertThat(v.containsKey("age")).isTrue();
        assertThat(v.get("nope")).isNull();
        assertThat(v.kind(2)).isEqualTo(FeatureVector.MISSING);
        assertThat(v.hashCode()).isEqualTo(expected.hashCode());
    }

    @Test
    void aRepeatedNameIsFoundInSmallAndLargeVectors() {
        assertThat(FeatureVector.builder(4).number("a", 1).number("b", 2).repeatedName()).isNull();
        assertThat(FeatureVector.builder(4).number("a", 1).string("b", "x").number(new String("a"), 3).repeatedName())
                .isEqualTo("a");
        FeatureVector.Builder wide = FeatureVector.builder(4);
        for (int i = 0; i < 100; i++) {
            wide.number("f" + i, i);
        }
        assertThat(wide.repeatedName()).isNull();
        wide.missing("f42");
        assertThat(wide.repeatedName()).isEqualTo("f42");
    }
}
