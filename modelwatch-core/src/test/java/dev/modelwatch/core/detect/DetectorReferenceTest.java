package dev.modelwatch.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.detect.DetectFixture.Case;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every detector against the numpy/scipy fixture ({@code fixtures/detect/make_detect_fixtures.py}):
 * z-score ({@code std(ddof=1)}), MAD and IQR scores ({@code scipy.stats.median_abs_deviation} and
 * {@code iqr} with {@code scale='normal'}, and the mean-absolute-deviation fallback where both are 0),
 * the EWMA band from explicitly weighted sums, CUSUM in Page's cumulative-sum-minus-running-minimum
 * form and Page–Hinkley from cumulative sums of deviations from the running mean, on normal noise,
 * noise with outliers, a mostly constant series, a 3-sigma level shift and a slow drift.
 *
 * <p>Tolerance: the values are the same doubles on both sides (integers / 1e4), so only summation
 * order differs: a few ulps per term, far below 1e-10 relative for a few hundred terms (1e-9 for the
 * cumulative sums of CUSUM and Page–Hinkley, which subtract large partial sums).
 */
class DetectorReferenceTest {
    private static final double RELATIVE = 1e-10;

    static Stream<Case> cases() {
        return DetectFixture.cases().stream();
    }

    @Test
    void fixtureWasWrittenByTheScript() {
        assertThat(DetectFixture.generatedBy()).startsWith("make_detect_fixtures.py numpy");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void zScoreOfTheLastValueMatchesNumpy(Case c) {
        AnomalyScore z = ZScoreDetector.scoreLast(c.values(), 0, c.values().length);

        assertClose(z.baseline().center(), c.expect("zscore", "center"));
        assertClose(z.baseline().spread(), c.expect("zscore", "spread"));
        assertClose(z.score(), c.expect("zscore", "score"));
        assertThat(z.baseline().points()).isEqualTo(c.values().length - 1);
        assertThat(z.reason()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void seasonalScoreIsTheNormalEquivalentOfScipysPredictiveT(Case c) {
        double[] v = c.values();
        AnomalyScore s = SeasonalBaseline.score(v[v.length - 1], v, 0, v.length - 1);

        double expected = c.expect("zscore", "predictive");
        assertThat(s.score()).isCloseTo(expected, within(T_RELATIVE * Math.max(1, Math.abs(expected))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void madScoreMatchesScipyIncludingTheMeanDeviationFallback(Case c) {
        AnomalyScore m = MadDetector.MAD.scoreLast(c.values(), 0, c.values().length);

        assertClose(m.baseline().center(), c.expect("mad", "center"));
        assertClose(m.baseline().spread(), c.expect("mad", "spread"));
        assertClose(m.score(), c.expect("mad", "score"));
        boolean fallback = c.expected().get("mad").get("fallback").asBoolean();
        assertThat(m.reason()).as("reason of %s", c).satisfies(r -> {
            if (fallback) {
                assertThat(r).startsWith("MAD is 0");
            } else {
                assertThat(r).isNull();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void iqrScoreMatchesScipyIncludingTheMeanDeviationFallback(Case c) {
        AnomalyScore m = MadDetector.IQR.scoreLast(c.values(), 0, c.values().length);

        assertClose(m.baseline().center(), c.expect("iqr", "center"));
        assertClose(m.baseline().spread(), c.expect("iqr", "spread"));
        assertClose(m.score(), c.expect("iqr", "score"));
        assertThat(m.reason() != null).isEqualTo(c.expected().get("iqr").get("fallback").asBoolean());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ewmaBandMatchesExplicitlyWeightedSums(Case c) {
        for (JsonNode e : c.expected().get("ewma")) {
            EwmaBand band = new EwmaBand(e.get("alpha").asDouble(), e.get("k").asDouble());
            AnomalyScore s = band.scoreLast(c.values(), 0, c.values().length);

            assertClose(s.baseline().center(), e.get("center").asDouble());
            assertClose(s.baseline().spread(), e.get("spread").asDouble());
            // the t quantile: commons-math and scipy agree to about 1e-9 relative
            assertThat(s.score()).isCloseTo(e.get("score").asDouble(),
                    within(T_RELATIVE * Math.max(1, Math.abs(e.get("score").asDouble()))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cusumMatchesPagesCumulativeSumForm(Case c) {
        JsonNode e = c.expected().get("cusum");
        ChangePoint cp = new Cusum(e.get("k").asDouble(), e.get("h").asDouble()).run(c.values(), 0, c.values().length);

        assertThat(cp.statistic()).isCloseTo(e.get("statistic").asDouble(), within(1e-9 * e.get("statistic").asDouble()));
        assertThat(cp.alarmIndex()).isEqualTo(e.get("alarm").asInt());
        assertThat(cp.points()).isEqualTo(c.values().length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pageHinkleyMatchesCumulativeSumsAroundTheRunningMean(Case c) {
        JsonNode e = c.expected().get("page_hinkley");
        ChangePoint cp = new PageHinkley(e.get("delta").asDouble(), e.get("lambda").asDouble())
                .run(c.values(), 0, c.values().length);

        assertThat(cp.statistic()).isCloseTo(e.get("statistic").asDouble(), within(1e-9 * Math.max(1, e.get("statistic").asDouble())));
        assertThat(cp.alarmIndex()).isEqualTo(e.get("alarm").asInt());
    }

    /** Tolerance where a t distribution's quantile or tail enters (commons-math and scipy differ by ~1e-9). */
    private static final double T_RELATIVE = 1e-8;

    private static void assertClose(double actual, double expected) {
        assertThat(actual).isCloseTo(expected, within(RELATIVE * Math.max(1, Math.abs(expected))));
    }
}
