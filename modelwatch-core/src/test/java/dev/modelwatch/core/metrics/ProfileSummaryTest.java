package dev.modelwatch.core.metrics;

import static dev.modelwatch.core.fixture.ReferenceAssertions.assertAtRank;
import static dev.modelwatch.core.fixture.ReferenceAssertions.assertAucMatches;
import static dev.modelwatch.core.fixture.ReferenceAssertions.assertMatches;
import static dev.modelwatch.core.fixture.ReferenceAssertions.assertReferenceAtRank;
import static dev.modelwatch.core.fixture.ReferenceAssertions.confusion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.fixture.Fixture;
import dev.modelwatch.core.fixture.Fixture.Scope;
import dev.modelwatch.core.fixture.ReferenceAssertions;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.datasketches.kll.KllSeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The summary map (the API's {@code summary} answer) against numpy and scikit-learn on all three
 * fixtures, over all traffic, per segment and per version. Exact statistics are compared within
 * 1e-9; sketched quantiles by rank, within the KLL sketch's normalized rank error (single rank, 99%
 * confidence: about 1.33% at k = 200, DataSketches' documented bound), with KLL's random source
 * seeded so the run is reproducible.
 */
class ProfileSummaryTest {
    private static final String[] LATENCY_KEYS = {"p50", "p95", "p99"};
    private static final double[] LATENCY_RANKS = {0.5, 0.95, 0.99};

    static Stream<Arguments> allScopes() {
        return Fixture.NAMES.stream().map(Fixture::load).flatMap(fx -> fx.scopes().stream().map(s -> Arguments.of(fx, s)));
    }

    @BeforeEach
    void seedSketches() {
        KllSeed.set(20260101L);
    }

    /**
     * A summary part by the names of the API's answer: a record's components under their snake_case
     * names (as the server's JSON mapper writes them), a map as it is.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : o.getClass().getRecordComponents()) {
            try {
                out.put(c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT), c.getAccessor().invoke(o));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("allScopes")
    void countsAndErrorRateMatchTheFixture(Fixture fx, Scope scope) {
        Map<String, Object> s = map(ProfileSummary.of(fx.profile(scope), fx.spec()));
        JsonNode e = scope.expected();

        assertThat(s.get("count")).isEqualTo(e.get("count").asLong());
        assertThat(s.get("labeled")).isEqualTo(e.get("labeled").asLong());
        assertMatches("error_rate", (Double) s.get("error_rate"), e.get("error_rate"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("allScopes")
    void latencyPercentilesSitAtTheirRankAndTheMaximumIsExact(Fixture fx, Scope scope) {
        WindowProfile p = fx.profile(scope);
        Map<String, Object> latency = map(map(ProfileSummary.of(p, fx.spec())).get("latency_ms"));
        JsonNode e = scope.expected().get("latency_ms");
        double[] exact = ReferenceAssertions.sorted(fx.predictions(scope).stream()
                .mapToDouble(PredictionEvent::latencyMs).toArray());
        double rankError = p.latency().getNormalizedRankError(false);

        assertThat(latency.get("count")).isEqualTo((long) exact.length);
        for (int i = 0; i < LATENCY_KEYS.length; i++) {
            assertReferenceAtRank("latency " + LATENCY_KEYS[i], e.get(LATENCY_KEYS[i]), exact, LATENCY_RANKS[i]);
            assertAtRank("latency " + LATENCY_KEYS[i], (Double) latency.get(LATENCY_KEYS[i]), exact, LATENCY_RANKS[i],
                    rankError);
        }
        assertThat((Double) latency.get("max")).isEqualTo(e.get("max").asDouble());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("allScopes")
    void numericalFeatureMomentsMatchNumpy(Fixture fx, Scope scope) {
        Map<String, Object> features = map(map(ProfileSummary.of(fx.profile(scope), fx.spec())).get("features"));

        for (Map.Entry<String, JsonNode> f : scope.expected().get("features").properties()) {
            JsonNode e = f.getValue();
            if (!e.has("mean")) {
                continue;
            }
            Map<String, Object> actual = map(features.get(f.getKey()));
            String name = f.getKey();
            assertThat(actual.get("type")).as(name).isEqualTo("numerical");
            assertThat(actual.get("count")).as(name + " count").isEqualTo(e.get("count").asLong());
            assertMatches(name + " missing_rate", (Double) actual.get("missing_rate"), e.get("missing_rate"));
            assertMatches(name + " mean", (Double) actual.get("mean"), e.get("mean"));
            assertMatches(name + " std", (Double) actual.get("std"), e.get("std"));
            assertThat((Double) actual.get("min")).as(name + " min").isEqualTo(e.get("min").asDouble());
            assertThat((Double) actual.get("max")).as(name + " max").isEqualTo(e.get("max").asDouble());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("allScopes")
    void numericalFeatureQuantilesSitAtTheirRank(Fixture fx, Scope scope) {
        WindowProfile p = fx.profile(scope);
        Map<String, Object> features = map(map(ProfileSummary.of(p, fx.spec())).get("features"));
        List<PredictionEvent> members = fx.predictions(scope);

        for (Map.Entry<String, JsonNode> f : scope.expected().get("features").properties()) {
            if (!f.getValue().has("quantiles")) {
                continue;
            }
            String name = f.getKey();
            double[] exact = ReferenceAssertions.sorted(members.stream().map(e -> e.features().get(name))
                    .filter(Objects::nonNull).mapToDouble(v -> (Double) v).toArray());
            double rankError = p.features().get(name).quantileSketch().getNormalizedRankError(false);
            Map<String, Object> quantiles = map(map(features.get(name)).get("quantiles"));
            for (Map.Entry<String, JsonNode> q : f.getValue().get("quantiles").properties()) {
                double rank = Double.parseDouble(q.getKey());
                assertReferenceAtRank(name + " q" + q.getKey(), q.getValue(), exact, rank);
                assertThat(quantiles).as(name + " quantiles").containsKey(q.getKey());
                assertAtRank(name + " q" + q.getKey(), (Double) quantiles.get(q.getKey()), exact, rank, rankError);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("allScopes")
    void categoricalFeatureCountsAreExactAndDistinctIsWithinHllError(Fixture fx, Scope scope) {
        Map<String, Object> features = map(map(ProfileSummary.of(fx.profile(scope), fx.spec())).get("features"));
        // HLL relative standard error 1.04 / sqrt(2^lgK); three of them, plus the rounding to a whole count
        double hllRelativeError = 3 * 1.04 / Math.sqrt(1 << SketchSettings.DEFAULT.hllLgK());

        for (Map.Entry<String, JsonNode> f : scope.expected().get("features").properties()) {
            JsonNode e = f.getValue();
            if (!e.has("distinct")) {
                continue;
            }
            String name = f.getKey();
            Map<String, Object> actual = map(features.get(name));
            assertThat(actual.get("type")).as(name).isEqualTo("categorical");
            assertThat(actual.get("count")).as(name + " count").isEqualTo(e.get("count").asLong());
            assertMatches(name + " missing_rate", (Double) actual.get("missing_rate"), e.get("missing_rate"));
            long distinct = e.get("distinct").asLong();
            assertThat(((Number) actual.get("distinct")).doubleValue()).as(name + " distinct")
                    .isCloseTo(distinct, within(hllRelativeError * distinct + 0.5));

            // the fixture lists every value by count descending; the summary its first ten, counted exactly
            List<Long> expectedCounts = new ArrayList<>();
            Map<String, Long> expectedByValue = new HashMap<>();
            for (JsonNode row : e.get("top")) {
                expectedCounts.add(row.get("count").asLong());
                expectedByValue.put(row.get("value").asText(), row.get("count").asLong());
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> top = ((List<Object>) actual.get("top")).stream().map(ProfileSummaryTest::map)
                    .toList();
            assertThat(top).as(name + " top").hasSize(Math.min(10, expectedCounts.size()));
            for (int i = 0; i < top.size(); i++) {
                String value = (String) top.get(i).get("value");
                assertThat(top.get(i).get("count")).as(name + " top " + value).isEqualTo(expectedByValue.get(value))
                        .isEqualTo(expectedCounts.get(i));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("allScopes")
    void summaryReportsEveryExpectedMetricUnderItsApiName(Fixture fx, Scope scope) {
        Map<String, Object> s = map(ProfileSummary.of(fx.profile(scope), fx.spec()));

        for (Map.Entry<String, JsonNode> m : scope.expected().properties()) {
            String key = m.getKey();
            assertThat(s).as("summary keys").containsKey(key);
            switch (key) {
                case "features", "latency_ms" -> { } // compared by the tests above
                case "count", "labeled" -> assertThat(s.get(key)).as(key).isEqualTo(m.getValue().asLong());
                case "roc_auc" -> assertAucMatches(key, (Double) s.get(key), (Double) s.get("roc_auc_error_bound"),
                        m.getValue());
                case "confusion_matrix" -> assertThat(s.get(key)).as(key).isEqualTo(confusion(m.getValue()));
                case "per_class" -> {
                    Map<String, Object> perClass = map(s.get(key));
                    assertThat(perClass.keySet()).containsExactlyInAnyOrderElementsOf(() -> m.getValue().fieldNames());
                    for (Map.Entry<String, JsonNode> c : m.getValue().properties()) {
                        Map<String, Object> row = map(perClass.get(c.getKey()));
                        for (String stat : new String[] {"precision", "recall", "f1"}) {
                            assertMatches(c.getKey() + " " + stat, (Double) row.get(stat), c.getValue().get(stat));
                        }
                        assertThat(row.get("support")).isEqualTo(c.getValue().get("support").asLong());
                    }
                }
                default -> assertMatches(key, (Double) s.get(key), m.getValue());
            }
        }
        assertThat(map(s.get("null_reasons"))).isEmpty();
    }
}
