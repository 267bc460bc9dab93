package dev.modelwatch.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rule expressions evaluated over an {@link InMemorySeriesSource}, against values computed by hand
 * (the arithmetic is in the comments): threshold filters, arithmetic and comparison between series,
 * aggregations, range functions including Prometheus's rate extrapolation, absent, offset, NaN,
 * set operators, detector functions, and the errors of many-to-one matching.
 */
class RuleEvaluationTest {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    /** The normal quantile of the tail of the predictive t, z / sqrt(1 + 1/n) with n - 1 degrees of freedom. */
    private static double predictive(double z, int n) {
        double t = z / Math.sqrt(1 + 1.0 / n);
        return -NORMAL.inverseCumulativeProbability(new TDistribution(null, n - 1).cumulativeProbability(-t));
    }

    private static final long M = 60_000L;
    private static final long DAY = 86_400_000L;
    private static final long T = 10 * DAY;

    private static SeriesLabels labels(String... kv) {
        return SeriesLabels.of(kv);
    }

    static InMemorySeriesSource source() {
        return new InMemorySeriesSource()
                .add(labels("__name__", "accuracy", "model", "a", "version", "1"),
                        T - 4 * M, 0.95, T - 3 * M, 0.94, T - 2 * M, 0.93, T - M, 0.92, T, 0.85)
                .add(labels("__name__", "accuracy", "model", "b", "version", "1"), T - M, 0.97)
                .add(labels("__name__", "accuracy", "model", "c", "version", "1"), T - 10 * M, 0.5)
                .add(labels("__name__", "error_rate", "model", "a", "version", "1"), T, 0.02)
                .add(labels("__name__", "error_rate", "model", "b", "version", "1"), T - M / 2, 0.10)
                .add(labels("__name__", "count", "model", "a"),
                        T - 5 * M, 100, T - 4 * M, 160, T - 3 * M, 220, T - 2 * M, 40, T - M, 100, T, 160)
                .add(labels("__name__", "latency_p95_ms", "model", "a"), T - 3 * M, 10, T - 2 * M, 12, T - M, 14, T, 20)
                .add(labels("__name__", "latency_p95_ms", "model", "b"), T, Double.NaN)
                .add(labels("__name__", "throughput", "model", "a"),
                        T - 3 * DAY, 14, T - 2 * DAY, 12, T - DAY, 10, T - 3 * M, 99, T, 20);
    }

    private static Map<String, Double> m(Object... labelsAndValues) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            out.put((String) labelsAndValues[i], ((Number) labelsAndValues[i + 1]).doubleValue());
        }
        return out;
    }

    private static final String A = "{model=\"a\", version=\"1\"}";
    private static final String B = "{model=\"b\", version=\"1\"}";

    static Stream<Arguments> table() {
        return Stream.of(
                // threshold filters keep the series (with its name) and its value; c is stale (10m > 5m lookback)
                Arguments.of("accuracy{model=\"a\"} < 0.9", m("accuracy" + A, 0.85)),
                Arguments.of("accuracy < 0.9", m("accuracy" + A, 0.85)),
                Arguments.of("0.9 > accuracy", m("accuracy" + A, 0.85)),
                Arguments.of("accuracy < bool 0.9", m(A, 1, B, 0)),
                Arguments.of("accuracy{model=~\"a|b\", version!=\"2\"} >= 0.97", m("accuracy" + B, 0.97)),
                // arithmetic between two series: matched on all labels but the name, name dropped
                Arguments.of("accuracy + error_rate", m(A, 0.85 + 0.02, B, 0.97 + 0.10)),
                Arguments.of("accuracy - on(model) error_rate", m("{model=\"a\"}", 0.83, "{model=\"b\"}", 0.87)),
                Arguments.of("accuracy / ignoring(version) error_rate", m("{model=\"a\"}", 42.5, "{model=\"b\"}", 9.7)),
                // comparison between series filters the left side: 0.85 > 0.18 and 0.97 > 0.9
                Arguments.of("accuracy > error_rate * 9", m("accuracy" + A, 0.85, "accuracy" + B, 0.97)),
                Arguments.of("accuracy > bool error_rate * 9.8", m(A, 1, B, 0)), // 0.85 > 0.196, 0.97 < 0.98
                Arguments.of("1 - accuracy", m(A, 1 - 0.85, B, 1 - 0.97)),
                Arguments.of("-accuracy{model=\"b\"}", m(B, -0.97)),
                Arguments.of("accuracy{model=\"a\"} ^ 2 * 100 % 7", m(A, (0.85 * 0.85 * 100) % 7)),
                // aggregations
                Arguments.of("sum by (version) (accuracy)", m("{version=\"1\"}", 0.85 + 0.97)),
                Arguments.of("avg(accuracy)", m("{}", (0.85 + 0.97) / 2)),
                Arguments.of("count without (model) (accuracy)", m("{version=\"1\"}", 2)),
                Arguments.of("max by (model) (accuracy)", m("{model=\"a\"}", 0.85, "{model=\"b\"}", 0.97)),
                Arguments.of("min(accuracy) by (version)", m("{version=\"1\"}", 0.85)),
                Arguments.of("sum(accuracy) by (model) > 0.9", m("{model=\"b\"}", 0.97)),
                // range functions over (T - 5m, T]: 0.95, 0.94, 0.93, 0.92, 0.85
                Arguments.of("avg_over_time(accuracy{model=\"a\"}[5m])", m(A, 4.59 / 5)),
                Arguments.of("sum_over_time(accuracy{model=\"a\"}[5m])", m(A, 4.59)),
                Arguments.of("min_over_time(accuracy{model=\"a\"}[5m])", m(A, 0.85)),
                Arguments.of("max_over_time(accuracy{model=\"a\"}[5m])", m(A, 0.95)),
                Arguments.of("count_over_time(accuracy{model=\"a\"}[5m])", m(A, 5)),
                Arguments.of("last_over_time(accuracy{model=\"a\"}[5m])", m("accuracy" + A, 0.85)),
                // (T - 3m, T]: a has 3 samples, b 1, c none
                Arguments.of("count_over_time(accuracy[3m])", m(A, 3, B, 1)),
                // sorted 0.85 0.92 0.93 0.94 0.95; rank 0.5 * 4 = 2 -> 0.93; rank 0.9 * 4 = 3.6 -> 0.4 * 0.94 + 0.6 * 0.95
                Arguments.of("quantile_over_time(0.5, accuracy{model=\"a\"}[5m])", m(A, 0.93)),
                Arguments.of("quantile_over_time(0.9, accuracy{model=\"a\"}[5m])", m(A, 0.4 * 0.94 + 0.6 * 0.95)),
                Arguments.of("quantile_over_time(2, accuracy{model=\"a\"}[5m])", m(A, Double.POSITIVE_INFINITY)),
                // counter 160 220 | 40 100 160 in (T-5m, T] (the sample at T-5m is outside: left-open):
                // 160 - 160 + 220 (reset) = 220 over 240 s sampled; 60 s to the range start < 1.1 * 60 s
                // average interval, zero point 240 * 160 / 220 = 174.5 s away: extrapolate 60 s; end 0 s:
                // 220 * 300 / 240 = 275, rate 275 / 300 s
                Arguments.of("increase(count[5m])", m("{model=\"a\"}", 275)),
                Arguments.of("rate(count[5m])", m("{model=\"a\"}", 275.0 / 300)),
                // gauge: 0.85 - 0.95 extrapolated by the same 300 / 240
                Arguments.of("delta(accuracy{model=\"a\"}[5m])", m(A, (0.85 - 0.95) * 300 / 240)),
                // (T - 10m, T]: 100 160 220 | 40 100 160 at T-5m..T: 300 s sampled, 300 s to the start is over
                // 1.1 * 60 s: extrapolate half an interval (30 s), but the zero point is 300 * 100 / 280 = 107 s
                // away, so 30 s; 280 * 330 / 300 = 308
                Arguments.of("increase(count[10m])", m("{model=\"a\"}", 280.0 * 330 / 300)),
                // a series with one sample has no rate
                Arguments.of("rate(accuracy{model=\"b\"}[5m])", m()),
                // absent
                Arguments.of("absent(accuracy{model=\"z\", version=~\"1\"})", m("{model=\"z\"}", 1)),
                Arguments.of("absent(accuracy{model=\"a\"})", m()),
                Arguments.of("absent(nonexistent)", m("{}", 1)),
                Arguments.of("absent(accuracy{model=\"a\"} > 2)", m("{}", 1)),
                Arguments.of("absent_over_time(accuracy{model=\"c\"}[5m])", m("{model=\"c\"}", 1)),
                Arguments.of("absent_over_time(accuracy{model=\"c\"}[15m])", m()),
                // offset
                Arguments.of("accuracy{model=\"a\"} offset 2m", m("accuracy" + A, 0.93)),
                Arguments.of("accuracy offset 9m", m("accuracy{model=\"c\", version=\"1\"}", 0.5)),
                Arguments.of("avg_over_time(accuracy{model=\"a\"}[2m] offset 2m)", m(A, (0.94 + 0.93) / 2)),
                Arguments.of("accuracy{model=\"a\"} - accuracy{model=\"a\"} offset 4m", m(A, 0.85 - 0.95)),
                // NaN: compares false (but !=), propagates through arithmetic and sum, ignored by max
                Arguments.of("latency_p95_ms > 0", m("latency_p95_ms{model=\"a\"}", 20)),
                Arguments.of("latency_p95_ms != 5", m("latency_p95_ms{model=\"a\"}", 20, "latency_p95_ms{model=\"b\"}", Double.NaN)),
                Arguments.of("latency_p95_ms + 1", m("{model=\"a\"}", 21, "{model=\"b\"}", Double.NaN)),
                Arguments.of("sum(latency_p95_ms)", m("{}", Double.NaN)),
                Arguments.of("max(latency_p95_ms)", m("{}", 20)),
                // set operators
                Arguments.of("accuracy and error_rate", m("accuracy" + A, 0.85, "accuracy" + B, 0.97)),
                Arguments.of("accuracy unless on(model) error_rate{model=\"a\"}", m("accuracy" + B, 0.97)),
                Arguments.of("error_rate{model=\"a\"} or accuracy", m("error_rate" + A, 0.02, "accuracy" + B, 0.97)),
                // instant functions
                Arguments.of("clamp_min(accuracy, 0.96)", m(A, 0.96, B, 0.97)),
                Arguments.of("clamp_max(accuracy, 0.9)", m(A, 0.85, B, 0.9)),
                Arguments.of("abs(-accuracy{model=\"a\"})", m(A, 0.85)),
                // detectors: last value 20 against 10, 12, 14 (mean 12, s 2; median 12, MAD 2)
                Arguments.of("zscore(latency_p95_ms{model=\"a\"}[5m])", m("{model=\"a\"}", 4)),
                Arguments.of("zscore(latency_p95_ms[5m]) > 3", m("{model=\"a\"}", 4)),
                Arguments.of("mad_score(latency_p95_ms{model=\"a\"}[5m])", m("{model=\"a\"}", 8 / (2 * 1.482602218505602))),
                // IQR of 10, 12, 14 (type 7): 13 - 11 = 2
                Arguments.of("iqr_score(latency_p95_ms{model=\"a\"}[5m])", m("{model=\"a\"}", 8 / (2 / 1.3489795003921634))),
                // EWMA alpha 0.5 over 10, 12, 14: m 10 -> 11 -> 12.5, v 0 -> 0.5 (0 + 2 * 1) = 1 -> 0.5 (1 + 3 * 1.5) = 2.75;
                // weights 0.25, 0.25, 0.5: S = 0.375; half-width t^-1(Phi(1)) with 1/S - 1 = 5/3 degrees of freedom
                // times sqrt(2.75) sqrt(1.375 / 0.625); 20 - 12.5 = 7.5 beyond it by 7.5 / half - 1
                Arguments.of("ewma_band(latency_p95_ms{model=\"a\"}[5m], 0.5, 1)", m("{model=\"a\"}", 7.5 / (
                        new TDistribution(null, 5.0 / 3).inverseCumulativeProbability(NORMAL.cumulativeProbability(1))
                                * Math.sqrt(2.75) * Math.sqrt(1.375 / 0.625)) - 1)),
                // a NaN-only window: no baseline
                Arguments.of("zscore(latency_p95_ms{model=\"b\"}[5m])", m("{model=\"b\"}", Double.NaN)),
                // seasonal: 20 now against 10, 12, 14 one, two, three days earlier (99 at T-3m is not a period)
                // in normal-equivalent sds: the predictive t, z / sqrt(1 + 1/n) with n - 1 degrees of freedom
                Arguments.of("seasonal_score(throughput{model=\"a\"}, 1d, 3)", m("{model=\"a\"}", predictive(4, 3))),
                Arguments.of("seasonal_score(throughput{model=\"a\"}, 1d, 4)", m("{model=\"a\"}", predictive(4, 3))),
                Arguments.of("seasonal_score(throughput{model=\"a\"}, 1d, 2)", m("{model=\"a\"}",
                        predictive((20 - 11) / Math.sqrt(2), 2))),
                // scalars: one sample without labels
                Arguments.of("1 + 2 * 3", m("{}", 7)),
                Arguments.of("2 ^ 3 ^ 2", m("{}", 512)),
                Arguments.of("-2 ^ 2", m("{}", -4)),
                Arguments.of("1 < bool 2", m("{}", 1)),
                Arguments.of("NaN == bool NaN", m("{}", 0)),
                Arguments.of("1 ^ NaN", m("{}", 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void evaluatesToHandComputedValues(String expression, Map<String, Double> expected) {
        List<InstantSample> result = RuleExpression.parse(expression).evaluate(source(), T);

        Map<String, Double> actual = new LinkedHashMap<>();
        for (InstantSample s : result) {
            actual.put(s.labels().toString(), s.value());
        }
        assertThat(actual.keySet()).as(expression).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            double v = actual.get(e.getKey());
            if (Double.isNaN(e.getValue())) {
                assertThat(v).as("%s %s", expression, e.getKey()).isNaN();
            } else if (Double.isInfinite(e.getValue())) {
                assertThat(v).as("%s %s", expression, e.getKey()).isEqualTo(e.getValue());
            } else {
                assertThat(v).as("%s %s", expression, e.getKey()).isCloseTo(e.getValue(), within(1e-12 * Math.max(1, Math.abs(e.getValue()))));
            }
        }
    }

    @Test
    void resultIsSortedByLabels() {
        List<InstantSample> result = RuleExpression.parse("accuracy or error_rate offset 1m or latency_p95_ms").evaluate(source(), T);

        assertThat(result).extracting(s -> s.labels().toString()).containsExactly(
                "accuracy{model=\"a\", version=\"1\"}", "accuracy{model=\"b\", version=\"1\"}",
                "latency_p95_ms{model=\"a\"}", "latency_p95_ms{model=\"b\"}");
        assertThat(result.get(0).toString()).isEqualTo("accuracy{model=\"a\", version=\"1\"} 0.85");
    }

    @Test
    void lookbackDeltaDecidesWhichSeriesAreStale() {
        RuleExpression rule = RuleExpression.parse("accuracy");

        assertThat(rule.evaluate(source(), T)).hasSize(2);
        assertThat(rule.evaluate(source(), T, 15 * M)).extracting(s -> s.labels().get("model"))
                .containsExactly("a", "b", "c");
        assertThat(rule.evaluate(source(), T, M / 2)).extracting(s -> s.labels().get("model")).containsExactly("a");
    }

    @Test
    void selectorsAskTheSourceForTheirWindowShiftedByTheOffset() {
        InMemorySeriesSource source = source();

        RuleExpression.parse("accuracy{model=\"a\"} offset 1h > avg_over_time(accuracy{model=\"a\"}[10m])")
                .evaluate(source, T);

        assertThat(source.calls).containsExactly(
                new InMemorySeriesSource.Call("accuracy", List.of(LabelMatcher.equal("model", "a")),
                        T - 60 * M - 5 * M, T - 60 * M),
                new InMemorySeriesSource.Call("accuracy", List.of(LabelMatcher.equal("model", "a")), T - 10 * M, T));
    }

    @Test
    void oneParsedRuleEvaluatesAtManyTimes() {
        RuleExpression rule = RuleExpression.parse("accuracy{model=\"a\"} < 0.935");
        InMemorySeriesSource source = source();

        assertThat(rule.evaluate(source, T - 4 * M)).isEmpty(); // 0.95
        assertThat(rule.evaluate(source, T - 2 * M)).extracting(InstantSample::value).containsExactly(0.93);
        assertThat(rule.evaluate(source, T - M)).extracting(InstantSample::value).containsExactly(0.92);
        assertThat(rule.evaluate(source, T + 6 * M)).isEmpty(); // stale
    }

    @Test
    void manyToOneMatchingIsAnErrorNamingTheMatchGroup() {
        RuleExpression leftMany = RuleExpression.parse("accuracy + on(version) sum by (version) (error_rate)");
        RuleExpression rightMany = RuleExpression.parse("sum by (version) (error_rate) + on(version) accuracy");

        assertThatThrownBy(() -> leftMany.evaluate(source(), T)).isInstanceOf(RuleEvaluationException.class)
                .hasMessage("many-to-one matching is not supported: more than one series on the left of '+' matches"
                        + " the group {version=\"1\"} on the right; match on labels that tell them apart with"
                        + " on(...)/ignoring(...), or aggregate that side");
        assertThatThrownBy(() -> rightMany.evaluate(source(), T)).isInstanceOf(RuleEvaluationException.class)
                .hasMessage("many-to-one matching is not supported: more than one series on the right of '+' has the"
                        + " match group {version=\"1\"}; match on labels that tell them apart with on(...)/ignoring(...),"
                        + " or aggregate that side");
    }

    @Test
    void filteredOutSamplesDoNotCountAsManyToOne() {
        // both accuracy series match {version="1"} (0.12 * 7.5 = 0.9), but only a's 0.85 passes the filter (as Prometheus)
        List<InstantSample> r = RuleExpression.parse("accuracy < on(version) sum by (version) (error_rate) * 7.5")
                .evaluate(source(), T);

        assertThat(r).extracting(s -> s.labels().toString()).containsExactly("{version=\"1\"}");
        assertThat(r.get(0).value()).isEqualTo(0.85);
    }

    @Test
    void aSourceReturningDuplicateSeriesIsReported() {
        SeriesLabels same = labels("__name__", "x", "model", "a");
        SeriesSource twice = (name, matchers, from, to) -> List.of(
                new RangeSeries(same, new long[] {T}, new double[] {1}),
                new RangeSeries(same, new long[] {T}, new double[] {2}));

        assertThatThrownBy(() -> RuleExpression.parse("x").evaluate(twice, T))
                .isInstanceOf(RuleEvaluationException.class)
                .hasMessageStartingWith("the result holds two series with the labels x{model=\"a\"}");
    }

    @Test
    void cusumAndPageHinkleyRulesFireWithinTenMinutesOfAThreeSigmaShift() {
        // one sample a minute, unit normal noise around 0.9 scaled by 0.01, shifted down by 3 sigma at minute 200
        Random random = new Random(5);
        int n = 260;
        long start = T - (n - 1) * M;
        long[] ts = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = start + i * M;
            v[i] = 0.9 + 0.01 * random.nextGaussian() - (i >= 200 ? 0.03 : 0);
        }
        InMemorySeriesSource source = new InMemorySeriesSource()
                .add(new RangeSeries(labels("__name__", "accuracy", "model", "a"), ts, v));
        RuleExpression cusum = RuleExpression.parse("cusum(accuracy[2h], 0.5, 10)");
        RuleExpression consistent = RuleExpression.parse(
                "cusum(accuracy[2h], 0.5, 10) == bool (cusum_statistic(accuracy[2h], 0.5) > bool 10)");
        RuleExpression pageHinkley = RuleExpression.parse("page_hinkley(accuracy[2h], 0.005, 0.15)");

        List<Integer> cusumFired = new ArrayList<>();
        List<Integer> pageHinkleyFired = new ArrayList<>();
        for (int i = 130; i < n; i++) {
            if (cusum.evaluate(source, ts[i]).get(0).value() == 1) {
                cusumFired.add(i);
            }
            if (pageHinkley.evaluate(source, ts[i]).get(0).value() == 1) {
                pageHinkleyFired.add(i);
            }
            assertThat(consistent.evaluate(source, ts[i]).get(0).value()).isEqualTo(1.0);
        }
        assertThat(cusumFired).isNotEmpty();
        assertThat(cusumFired.get(0)).isBetween(200, 209);
        assertThat(cusumFired).isEqualTo(rangeClosed(cusumFired.get(0), n - 1));
        assertThat(pageHinkleyFired).isNotEmpty();
        assertThat(pageHinkleyFired.get(0)).isBetween(200, 209);
    }

    private static List<Integer> rangeClosed(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.add(i);
        }
        return l;
    }
}
