package dev.modelwatch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
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

    private static double[] sorted(JsonNode values) {
        double[] v = StreamSupport.stream(values.spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
        Arrays.sort(v);
        return v;
    }

    private static double[] array(JsonNode values) {
        return StreamSupport.stream(values.spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
    }

    @Test
    void ksPValuesAreScipysAsymptoticOnes() throws Exception {
        for (JsonNode c : fixtures().path("ks")) {
            double p = c.path("p").asDouble();
            assertThat(Stats.ksPValue(sorted(c.path("a")), sorted(c.path("b")))).isCloseTo(p, within(1e-6 + 1e-6 * p));
        }
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
