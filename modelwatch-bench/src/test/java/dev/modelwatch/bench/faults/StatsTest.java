package dev.modelwatch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Arrays;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The baselines' statistics against scipy (fixtures by make_stats_fixtures.py beside them). */
class StatsTest {
    private static JsonNode fixtures() throws Exception {
        try (InputStream in = StatsTest.class.getResourceAsStream("stats-fixtures.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static double[] array(JsonNode values) {
        return StreamSupport.stream(values.spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
    }

    /** The first {@code n} values of the named sample, sorted. */
    private static double[] sample(JsonNode fixtures, String name, int n) {
        double[] all = array(fixtures.path("samples").path(name));
        return sorted(Arrays.copyOf(all, n));
    }

    private static double[] sorted(double[] v) {
        Arrays.sort(v);
        return v;
    }

    @Test
    void ksPValuesAreScipysExactOnesUpTo10000ValuesAndItsAsymptoticOnesAbove() throws Exception {
        JsonNode f = fixtures();
        int exact = 0;
        int asymptotic = 0;
        for (JsonNode c : f.path("ks")) {
            double[] a = sample(f, c.path("a").asText(), c.path("n").asInt());
            double[] b = sample(f, c.path("b").asText(), c.path("m").asInt());
            double p = c.path("p").asDouble();
            boolean isExact = "exact".equals(c.path("method").asText());
            double tolerance = 1e-14 + 1e-11 * p; // the same recursions and series as scipy's, to rounding
            assertThat(Stats.ksPValue(a, b)).as("%s[:%d] vs %s[:%d]", c.path("a").asText(), a.length, c.path("b").asText(),
                    b.length).isCloseTo(p, within(tolerance));
            assertThat(Stats.ksPValue(b, a)).as("symmetric").isCloseTo(p, within(tolerance));
            if (isExact) {
                exact++;
            } else {
                asymptotic++;
            }
        }
        assertThat(exact).isGreaterThanOrEqualTo(10);
        assertThat(asymptotic).isGreaterThanOrEqualTo(5);
    }

    @Test
    void anEmptySampleIsAClearError() {
        assertThatThrownBy(() -> Stats.ksPValue(new double[0], new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a: 0");
    }

    @Test
    void jensenShannonDistancesAreScipys() throws Exception {
        for (JsonNode c : fixtures().path("js")) {
            assertThat(Stats.jensenShannon(array(c.path("p")), array(c.path("q")))).isCloseTo(c.path("d").asDouble(),
                    within(1e-9));
        }
    }

    @Test
    void chiSquaredSurvivalIsScipys() throws Exception {
        for (JsonNode c : fixtures().path("chi2")) {
            double sf = c.path("sf").asDouble();
            assertThat(Stats.chiSquaredSurvival(c.path("x").asDouble(), c.path("df").asInt())).isCloseTo(sf,
                    within(1e-9 + 1e-7 * sf));
        }
    }

    @Test
    void psiIsTheSumOfShareDifferencesTimesTheirLogRatio() {
        // (0.3-0.1) ln 3 + (0.3-0.2) ln 1.5 + (0.4-0.7) ln(4/7), by hand
        double expected = 0.2 * Math.log(3) + 0.1 * Math.log(1.5) - 0.3 * Math.log(4.0 / 7);
        assertThat(Stats.psi(new double[] {0.1, 0.2, 0.7}, new double[] {0.3, 0.3, 0.4})).isCloseTo(expected, within(1e-12));
        assertThat(Stats.psi(new double[] {0.5, 0.5}, new double[] {0.5, 0.5})).isZero();
    }
}
