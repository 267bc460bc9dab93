package dev.modelwatch.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassNamesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "1.0, 1",
            "0.0, 0",
            "-0.0, 0",
            "-3.0, -3",
            "7, 7",
            "123456789.0, 123456789",
            "999999999999999.0, 999999999999999",
            "-999999999999999.0, -999999999999999",
            "1.0E15, 1.0E15",
            "0.5, 0.5",
            "2.5, 2.5",
            "0.0025, 0.0025",
            "NaN, NaN",
            "Infinity, Infinity",
            "-Infinity, -Infinity",
    })
    void numericClassHasOneCanonicalName(double value, String name) {
        assertThat(ClassNames.of(value)).isEqualTo(name);
    }

    @Test
    void labelAndPredictionSentAsNumberOrStringNameTheSameClass() {
        LabelEvent asNumber = new LabelEvent("m", "p-1", 0, 1.0);
        LabelEvent asString = new LabelEvent("m", "p-1", 0, "1");
        PredictionEvent predictedNumber = new PredictionEvent("m", "p-1", "v1", 0, Map.of(), 1.0, null, null,
                Double.NaN, null, Map.of());
        PredictionEvent predictedString = new PredictionEvent("m", "p-1", "v1", 0, Map.of(), "1", null, null,
                Double.NaN, null, Map.of());

        assertThat(asNumber.labelClass()).isEqualTo("1").isEqualTo(asString.labelClass());
        assertThat(predictedNumber.predictedClass()).isEqualTo("1").isEqualTo(predictedString.predictedClass());
    }

    @Test
    void predictionWithoutOutputHasNoClass() {
        PredictionEvent e = new PredictionEvent("m", "p-1", "v1", 0, Map.of(), null, 0.7, null, Double.NaN, null,
                Map.of());

        assertThat(e.predictedClass()).isNull();
    }
}
