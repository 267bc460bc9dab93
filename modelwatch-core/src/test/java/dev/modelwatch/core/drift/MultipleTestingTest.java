package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link MultipleTesting} against {@code fixtures/quality/make_count_test_fixtures.py}. */
class MultipleTestingTest {
    static Stream<JsonNode> cases() {
        try (InputStream in = MultipleTestingTest.class.getResourceAsStream("/fixtures/quality/count_tests.json")) {
            return StreamSupport.stream(new ObjectMapper().readTree(in).get("adjust").spliterator(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void adjustedPValuesAreBenjaminiHochbergsAndBonferronis(JsonNode c) {
        double[] p = doubles(c.get("p"));
        double[] bh = MultipleTesting.BENJAMINI_HOCHBERG.adjust(p);
        double[] bonferroni = MultipleTesting.BONFERRONI.adjust(p);
        double[] expectedBh = doubles(c.get("bh"));
        double[] expectedBonferroni = doubles(c.get("bonferroni"));
        for (int i = 0; i < p.length; i++) {
            assertThat(bh[i]).as("BH %d", i).isCloseTo(expectedBh[i], within(1e-12));
            assertThat(bonferroni[i]).as("Bonferroni %d", i).isCloseTo(expectedBonferroni[i], within(1e-12));
        }
        assertThat(MultipleTesting.NONE.adjust(p)).isEqualTo(p);
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void aPValueWithinItsLevelIsExactlyAnAdjustedPValueWithinAlpha(JsonNode c) {
        double[] p = doubles(c.get("p"));
        for (MultipleTesting m : MultipleTesting.values()) {
            for (double alpha : new double[] {0.001, 0.01, 0.05}) {
                double[] adjusted = m.adjust(p);
                int rejected = 0;
                for (double a : adjusted) {
                    rejected += a <= alpha ? 1 : 0;
                }
                for (int i = 0; i < p.length; i++) {
                    boolean isRejected = adjusted[i] <= alpha;
                    assertThat(p[i] <= m.level(alpha, p.length, rejected, isRejected))
                            .as("%s alpha %s feature %d", m, alpha, i).isEqualTo(isRejected);
                }
            }
        }
    }

    @Test
    void notANumberIsNotATest() {
        double[] adjusted = MultipleTesting.BENJAMINI_HOCHBERG.adjust(new double[] {0.01, Double.NaN, 0.02});
        assertThat(adjusted[0]).isEqualTo(0.02);
        assertThat(adjusted[1]).isNaN();
        assertThat(adjusted[2]).isEqualTo(0.02);
        assertThatThrownBy(() -> MultipleTesting.BONFERRONI.adjust(new double[] {1.5}))
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> MultipleTesting.fromWireName("holm"))
                .hasMessageContaining("benjamini_hochberg, bonferroni, none");
    }
}
