package dev.modelwatch.core.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Isotonic calibration against scikit-learn's {@code IsotonicRegression(out_of_bounds='clip')}
 * ({@code fixtures/estimate/isotonic.json}, written by {@code make_isotonic_fixtures.py} there).
 * Tolerance 1e-12: both sides divide the same integer sums, but scikit-learn accumulates block
 * sums as {@code weight * mean} in floating point and interpolates with a slope, a few ulps apart.
 */
class CalibratorTest {
    private static final double TOLERANCE = 1e-12;
    private static final JsonNode ROOT = load();

    private static JsonNode load() {
        try (InputStream in = CalibratorTest.class.getResourceAsStream("/fixtures/estimate/isotonic.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> cases() {
        List<JsonNode> cases = new ArrayList<>();
        ROOT.get("cases").forEach(cases::add);
        return cases;
    }

    private static double[] doubles(JsonNode node) {
        double[] v = new double[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asDouble();
        }
        return v;
    }

    private static int[] ints(JsonNode node) {
        int[] v = new int[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asInt();
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isotonicFitMatchesScikitLearn(JsonNode c) {
        assertThat(ROOT.get("generated_by").asText()).contains("scikit-learn");
        Calibrator cal = Calibrator.isotonic(doubles(c.get("scores")), ints(c.get("outcomes")));
        String name = c.get("name").asText();
        assertThat(cal.knotScores()).as("%s knots", name).containsExactly(doubles(c.get("x_thresholds")));
        double[] expectedY = doubles(c.get("y_thresholds"));
        double[] knotValues = cal.knotValues();
        assertThat(knotValues).as("%s knot values", name).hasSameSizeAs(expectedY);
        for (int i = 0; i < expectedY.length; i++) {
            assertThat(knotValues[i]).as("%s knot %d", name, i).isCloseTo(expectedY[i], within(TOLERANCE));
        }
        double[] queries = doubles(c.get("queries"));
        double[] predictions = doubles(c.get("predictions"));
        for (int i = 0; i < queries.length; i++) {
            assertThat(cal.calibrate(queries[i])).as("%s at %s", name, queries[i]).isCloseTo(predictions[i], within(TOLERANCE));
        }
        assertThat(cal.referenceCount()).isEqualTo(c.get("scores").size());
        assertThat(Calibrator.fromBytes(cal.toBytes())).isEqualTo(cal);
    }

    @Test
    void isotonicCalibrationIsNondecreasingAndWithinTheUnitInterval() {
        JsonNode c = cases().get(1);
        Calibrator cal = Calibrator.isotonic(doubles(c.get("scores")), ints(c.get("outcomes")));
        double previous = -1;
        for (int i = 0; i <= 10_000; i++) {
            double p = cal.calibrate(i / 10_000.0);
            assertThat(p).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(previous);
            previous = p;
        }
        assertThat(cal.isIdentity()).isFalse();
        assertThat(cal.blockCount()).isPositive();
    }

    @Test
    void identityCalibratorReturnsTheScore() {
        Calibrator id = Calibrator.identity();
        assertThat(id.isIdentity()).isTrue();
        assertThat(id.calibrate(0.1234)).isEqualTo(0.1234);
        assertThat(id.referenceCount()).isZero();
        assertThat(Calibrator.fromBytes(id.toBytes())).isSameAs(id);
        assertThat(id.toBytes()).hasSize(2);
    }

    @Test
    void oneVsRestFitsEachClassAgainstTheOthers() {
        double[] a = {0.1, 0.2, 0.7, 0.8};
        double[] b = {0.9, 0.8, 0.3, 0.2};
        Map<String, double[]> scores = new LinkedHashMap<>();
        scores.put("a", a);
        scores.put("b", b);
        String[] actual = {"b", "a", "a", "a"};
        Map<String, Calibrator> cals = Calibrator.isotonicOneVsRest(scores, actual);
        assertThat(cals.keySet()).containsExactly("a", "b");
        assertThat(cals.get("a")).isEqualTo(Calibrator.isotonic(a, new int[] {0, 1, 1, 1}));
        assertThat(cals.get("b")).isEqualTo(Calibrator.isotonic(b, new int[] {1, 0, 0, 0}));
        assertThatThrownBy(() -> Calibrator.isotonicOneVsRest(Map.of("a", new double[3]), actual))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scoresByClass[a]");
    }

    @Test
    void invalidReferenceDataIsRejectedNamingTheField() {
        assertThatThrownBy(() -> Calibrator.isotonic(new double[0], new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scores must not be empty");
        assertThatThrownBy(() -> Calibrator.isotonic(new double[2], new int[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outcomes");
        assertThatThrownBy(() -> Calibrator.isotonic(new double[] {0.1, Double.NaN}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scores[1]");
        assertThatThrownBy(() -> Calibrator.isotonic(new double[] {0.1, 0.2}, new int[] {0, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outcomes[1]");
    }

    @Test
    void corruptedBytesAreRejected() {
        Calibrator cal = Calibrator.isotonic(new double[] {0.1, 0.2, 0.3, 0.4}, new int[] {0, 1, 0, 1});
        byte[] bytes = cal.toBytes();
        assertThatThrownBy(() -> Calibrator.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Calibrator.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
        byte[] version = bytes.clone();
        version[0] = 9;
        assertThatThrownBy(() -> Calibrator.fromBytes(version))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        // two blocks whose means decrease: isotonic regression cannot produce them
        byte[] decreasing = new CompactBytes.Writer().writeByte(1).writeByte(1).writeVarLong(2)
                .writeDouble(0.1).writeDouble(0.2).writeVarLong(2).writeVarLong(2)
                .writeDouble(0.3).writeDouble(0.4).writeVarLong(2).writeVarLong(1).toByteArray();
        assertThatThrownBy(() -> Calibrator.fromBytes(decreasing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
        byte[] tooManyPositives = new CompactBytes.Writer().writeByte(1).writeByte(1).writeVarLong(1)
                .writeDouble(0.1).writeDouble(0.2).writeVarLong(2).writeVarLong(3).toByteArray();
        assertThatThrownBy(() -> Calibrator.fromBytes(tooManyPositives))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block positives");
    }
}
