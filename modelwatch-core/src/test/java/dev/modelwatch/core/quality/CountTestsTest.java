package dev.modelwatch.core.quality;

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

/** {@link CountTests} against scipy ({@code fixtures/quality/make_count_test_fixtures.py}). */
class CountTestsTest {
    static JsonNode fixtures() {
        try (InputStream in = CountTestsTest.class.getResourceAsStream("/fixtures/quality/count_tests.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<JsonNode> fisher() {
        return StreamSupport.stream(fixtures().get("fisher_greater").spliterator(), false);
    }

    static Stream<JsonNode> betaBinomial() {
        return StreamSupport.stream(fixtures().get("beta_binomial").spliterator(), false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fisher")
    void fisherGreaterIsScipysOneSidedExactTest(JsonNode c) {
        double expected = c.get(4).asDouble();
        double p = CountTests.fisherGreater(c.get(0).asLong(), c.get(1).asLong(), c.get(2).asLong(), c.get(3).asLong());
        assertThat(p).isCloseTo(expected, within(1e-7 * expected + 1e-15));
    }

    /**
     * Within 2e-6 relative: scipy 1.10's {@code betabinom.sf(149, 10000, 2, 999)} is 8.270721e-6 where the exact
     * sum (Python decimals, 50 digits, from the factorials) is 8.2707309e-6, which this class gives to 1e-9.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("betaBinomial")
    void betaBinomialTailsAreScipys(JsonNode c) {
        long x = c.get(0).asLong();
        long n = c.get(1).asLong();
        double a = c.get(2).asDouble();
        double b = c.get(3).asDouble();
        double atLeast = c.get(4).asDouble();
        double atMost = c.get(5).asDouble();
        assertThat(CountTests.betaBinomialAtLeast(x, n, a, b)).isCloseTo(atLeast, within(2e-6 * atLeast + 1e-15));
        assertThat(CountTests.betaBinomialAtMost(x, n, a, b)).isCloseTo(atMost, within(2e-6 * atMost + 1e-15));
    }

    @Test
    void countsOutsideTheirRangeAreRejectedWithTheSide() {
        assertThatThrownBy(() -> CountTests.fisherGreater(5, 4, 0, 10)).hasMessageContaining("reference count");
        assertThatThrownBy(() -> CountTests.fisherGreater(0, 4, -1, 10)).hasMessageContaining("window count");
        assertThatThrownBy(() -> CountTests.betaBinomialAtLeast(1, 10, 0, 1)).hasMessageContaining("a, b > 0");
    }
}
