package dev.modelwatch.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.MetricCatalog.MetricValue;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.quality.DataQualityIssue.Kind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.datasketches.kll.KllSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each data-quality rule with windows that must and must not raise it. Expected values are written
 * out from the rule's definition (Fisher's and the beta-binomial tails by hand where they decide,
 * shares as counts over totals); the tails themselves are checked against scipy in {@link CountTestsTest}.
 */
class DataQualityCheckTest {
    private static final DataQualityPolicy POLICY = DataQualityPolicy.DEFAULT;

    // --- missing rate ---

    @ParameterizedTest(name = "{0}/{1} missing, then {2}/{3}: {4}")
    @CsvSource({
            "1000, 20, 1000, 100, true",      // +8 points, p < 1e-12
            "1000, 0, 1000, 50, true",        // +5 points exactly, p = 2^-50 about
            "20, 0, 20, 2, false",            // +10 points, but p = C(20,2)/C(40,2) = 0.24: chance on 20 events
            "100000, 1000, 100000, 3000, false", // p < 1e-100, but +2 points only
            "1000, 100, 1000, 40, false"})    // fewer missing
    void missingRateNeedsBothAnIncreaseOfFivePointsAndSignificance(long nRef, long missingRef, long nCur,
            long missingCur, boolean flagged) {
        ProfiledWindow ref = window(nRef, Map.of("age", numbers(nRef - missingRef, missingRef / 2)));
        ProfiledWindow cur = window(nCur, Map.of("age", numbers(nCur - missingCur, missingCur / 2)));

        List<DataQualityIssue> issues = issuesOf(Kind.MISSING_RATE, ref, cur);

        if (flagged) {
            assertThat(issues).singleElement().satisfies(i -> {
                assertThat(i.feature()).isEqualTo("age");
                assertThat(i.value()).isEqualTo((double) missingCur / nCur);
                assertThat(i.reference()).isEqualTo((double) missingRef / nRef);
                assertThat(i.message()).contains(missingCur + " of the window's " + nCur + " events");
            });
        } else {
            assertThat(issues).isEmpty();
        }
    }

    // --- type mismatch ---

    @ParameterizedTest(name = "{0} reference with {1}/{2} of the other type, current {3}/{4}: {5}")
    @CsvSource({
            "numerical, 0, 1000, 20, 1000, true",     // 2% strings
            "numerical, 0, 1000, 5, 1000, false",     // 0.5%
            "numerical, 50, 1000, 60, 1000, false",   // mixed already in the reference (5%)
            "numerical, 0, 1000, 5, 20, false",       // 25%, but only 20 values
            "categorical, 0, 1000, 30, 1000, true",   // 3% numbers
            "categorical, 0, 1000, 10, 1000, false"}) // 1% exactly is not above 1%
    void valuesOfTheOtherTypeAboveOnePercent(String type, int refOther, int refTotal, int curOther, int curTotal,
            boolean flagged) {
        boolean numerical = type.equals("numerical");
        ProfiledWindow ref = window(refTotal, Map.of("f", mixed(numerical, refTotal - refOther, refOther)));
        ProfiledWindow cur = window(curTotal, Map.of("f", mixed(numerical, curTotal - curOther, curOther)));

        List<DataQualityIssue> issues = issuesOf(Kind.TYPE_MISMATCH, ref, cur);

        if (flagged) {
            assertThat(issues).singleElement().satisfies(i -> {
                assertThat(i.value()).isEqualTo((double) curOther / curTotal);
                assertThat(i.reference()).isEqualTo((double) refOther / refTotal);
                assertThat(i.message()).contains(numerical ? "strings in a numerical" : "numbers in a categorical");
            });
        } else {
            assertThat(issues).isEmpty();
        }
    }

    // --- out of range ---

    @Test
    void valuesBeyondTheReferenceRangeAreEstimatedFromTheCurrentSketch() {
        ProfiledWindow ref = window(10_000, Map.of("x", normal(10_000, 1, 0)));
        FeatureProfile drifted = normal(1940, 2, 0);
        for (int i = 0; i < 60; i++) {
            drifted.add(10.0 + i); // 3% far above the reference's max
        }

        List<DataQualityIssue> issues = issuesOf(Kind.OUT_OF_RANGE, ref, window(2000, Map.of("x", drifted)));

        double eps = drifted.quantileSketch().getNormalizedRankError(false);
        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.value()).isCloseTo(0.03, within(eps));
            assertThat(i.reference()).isZero();
            assertThat(i.message()).contains("outside the reference's range");
        });
    }

    @Test
    void anUnchangedDistributionIsNotOutOfRange() {
        ProfiledWindow ref = window(10_000, Map.of("x", normal(10_000, 3, 0)));

        assertThat(issuesOf(Kind.OUT_OF_RANGE, ref, window(5000, Map.of("x", normal(5000, 4, 0))))).isEmpty();
    }

    @Test
    void aSmallReferenceDoesNotKnowItsRangeSoMoreFallsOutsideIt() {
        // 100 reference values leave Beta(2, 99) of their distribution outside their range: 2% on average
        ProfiledWindow ref = window(100, Map.of("x", normal(100, 5, 0)));
        ProfiledWindow cur = window(5000, Map.of("x", normal(5000, 6, 0)));

        double outside = DataQualityMetrics.outOfRangeFraction(ref.features().get("x"), cur.features().get("x"));

        assertThat(outside).isGreaterThan(0.01);
        assertThat(DataQualityCheck.unchangedCountOutside(Math.round(outside * 5000), 5000, 100)).isGreaterThan(0.01);
        assertThat(issuesOf(Kind.OUT_OF_RANGE, ref, cur)).isEmpty();
        // one value of 100 outside a range of 1,000 reference values: 17% of clean windows have as many
        assertThat(DataQualityCheck.unchangedCountOutside(1, 100, 1000)).isCloseTo(0.17362891885224307, within(1e-9));
    }

    @Test
    void anExtremeOutsideTheRangeCountsAtLeastOneValue() {
        FeatureProfile ref = numbers(1000, 0);
        FeatureProfile cur = numbers(999, 0);
        cur.add(-5.0);

        assertThat(DataQualityMetrics.outOfRangeFraction(ref, cur)).isGreaterThanOrEqualTo(1.0 / 1000);
        assertThat(DataQualityMetrics.outOfRangeFraction(ref, numbers(500, 0))).isZero();
    }

    // --- new category ---

    @ParameterizedTest(name = "{0} of 1000 new")
    @CsvSource({"30, true", "10, true", "4, false"})
    void categoriesUnknownToTheReferenceAboveHalfAPercent(int newCount, boolean flagged) {
        ProfiledWindow ref = window(1000, Map.of("country", categories(Map.of("DE", 500, "FR", 500))));
        ProfiledWindow cur = window(1000, Map.of("country",
                categories(Map.of("DE", 500, "FR", 500 - newCount, "PL", newCount))));

        List<DataQualityIssue> issues = issuesOf(Kind.NEW_CATEGORY, ref, cur);

        if (flagged) {
            assertThat(issues).singleElement().satisfies(i -> {
                assertThat(i.value()).isEqualTo(newCount / 1000.0);
                assertThat(i.reference()).isZero();
                assertThat(i.message()).contains("\"PL\"").contains("1 categories");
            });
        } else {
            assertThat(issues).isEmpty();
        }
    }

    @Test
    void aReferenceThatDroppedCategoriesSaysHowOftenTheNewOneCouldHaveBeenThere() {
        // two frequent categories and 100 rare ones, in a map that holds 6: the rare ones are dropped
        FeatureProfile ref = new FeatureProfile(new SketchSettings(200, 8, 12));
        for (int i = 0; i < 1000; i++) {
            ref.add(i % 10 < 5 ? "a" : i % 10 < 8 ? "b" : "rare" + (i % 100));
        }
        // the reference's untracked 20% could hold a dropped category, so the new one must stand out against them
        ProfiledWindow cur = window(1000, Map.of("c", categories(Map.of("a", 350, "b", 200, "brand-new", 450))));

        List<DataQualityIssue> issues = issuesOf(Kind.NEW_CATEGORY, window(1000, Map.of("c", ref)), cur);

        assertThat(ref.frequentItems().getMaximumError()).isPositive();
        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.value()).isEqualTo(0.45);
            assertThat(i.reference()).isEqualTo(ref.frequentItems().getMaximumError() / 1000.0);
            assertThat(i.message()).contains("\"brand-new\"").contains("may have had up to");
        });
    }

    @ParameterizedTest(name = "{0} of 500 in {1} new categories")
    @CsvSource({"250, 1000, true", "100, 300, true", "20, 20, false", "0, 0, false"})
    void manyNewCategoriesEachTooRareToListAreOneIssueTogether(int scattered, int categories, boolean flagged) {
        // an id leaking into a category: more distinct values than the window's sketch holds, each under 0.5%
        ProfiledWindow ref = window(2000, Map.of("channel", categories(Map.of("app", 500, "partner", 500, "email", 500,
                "search", 500))));
        FeatureProfile cur = new FeatureProfile(SketchSettings.DEFAULT);
        String[] known = {"app", "partner", "email", "search"};
        for (int i = 0; i < 500; i++) {
            cur.add(i < scattered ? "c-" + (i * 7919 % categories) : known[i % 4]);
        }

        List<DataQualityIssue> issues = issuesOf(Kind.NEW_CATEGORY, ref, window(500, Map.of("channel", cur)));

        if (flagged) {
            assertThat(issues).singleElement().satisfies(i -> {
                assertThat(i.value()).isGreaterThanOrEqualTo(0.05).isLessThanOrEqualTo(scattered / 500.0);
                assertThat(i.message()).contains("in categories not in the reference, each below 0.50%");
            });
        } else {
            assertThat(issues).isEmpty();
        }
    }

    // --- constant ---

    @Test
    void aNumericalFeatureStuckAtOneValueIsConstant() {
        ProfiledWindow ref = window(1000, Map.of("x", normal(1000, 7, 0)));
        FeatureProfile stuck = constant(100, 5.0);

        List<DataQualityIssue> issues = issuesOf(Kind.CONSTANT, ref, window(100, Map.of("x", stuck)));

        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.value()).isZero();
            assertThat(i.reference()).isEqualTo(ref.features().get("x").std());
            assertThat(i.message()).contains("all 100 finite values are 5.0");
        });
        assertThat(issuesOf(Kind.CONSTANT, ref, window(29, Map.of("x", constant(29, 5.0))))).as("too few").isEmpty();
        assertThat(issuesOf(Kind.CONSTANT, window(100, Map.of("x", constant(100, 5.0))),
                window(100, Map.of("x", constant(100, 5.0))))).as("constant already").isEmpty();
        assertThat(issuesOf(Kind.CONSTANT, ref, window(100, Map.of("x", normal(100, 8, 0))))).isEmpty();
    }

    @Test
    void aCategoricalFeatureStuckAtOneCategoryIsConstant() {
        ProfiledWindow ref = window(100, Map.of("c", categories(Map.of("a", 50, "b", 50))));

        List<DataQualityIssue> issues = issuesOf(Kind.CONSTANT, ref,
                window(100, Map.of("c", categories(Map.of("a", 100)))));

        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.value()).isEqualTo(1.0);
            assertThat(i.reference()).isEqualTo(2.0);
        });
        assertThat(issuesOf(Kind.CONSTANT, ref, window(100, Map.of("c", categories(Map.of("a", 90, "b", 10))))))
                .isEmpty();
    }

    // --- schema ---

    @Test
    void aReferenceFeatureAbsentFromAWindowWithEventsIsASchemaIssue() {
        ProfiledWindow ref = window(100, Map.of("a", numbers(100, 0), "b", numbers(100, 0)));
        FeatureProfile onlyNulls = numbers(0, 100);

        List<DataQualityIssue> issues = DataQualityCheck.compare(ref,
                window(100, Map.of("a", numbers(100, 0), "b", onlyNulls)), POLICY);
        List<DataQualityIssue> absent = DataQualityCheck.compare(ref, window(100, Map.of("a", numbers(100, 0))),
                POLICY);

        for (List<DataQualityIssue> found : List.of(issues, absent)) {
            assertThat(found).singleElement().satisfies(i -> {
                assertThat(i.feature()).isEqualTo("b");
                assertThat(i.issue()).isEqualTo(Kind.SCHEMA);
                assertThat(i.value()).isZero();
                assertThat(i.reference()).isEqualTo(1.0);
            });
        }
        assertThat(DataQualityCheck.compare(ref, window(0, Map.of()), POLICY)).as("an empty window").isEmpty();
    }

    @Test
    void aFeatureTheReferenceNeverHadIsASchemaIssue() {
        ProfiledWindow ref = window(100, Map.of("a", numbers(100, 0), "nulls", numbers(0, 100)));
        Map<String, FeatureProfile> cur = new LinkedHashMap<>();
        cur.put("a", numbers(100, 0));
        cur.put("nulls", numbers(40, 60));
        cur.put("new", numbers(25, 0));

        List<DataQualityIssue> issues = DataQualityCheck.compare(ref, window(100, cur), POLICY);

        assertThat(issues).extracting(DataQualityIssue::feature, DataQualityIssue::issue, DataQualityIssue::value)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("nulls", Kind.SCHEMA, 0.4),
                        org.assertj.core.groups.Tuple.tuple("new", Kind.SCHEMA, 0.25));
    }

    // --- non-finite ---

    @Test
    void nanAndInfinityInAFeatureAreIssuesWhenSignificantlyMoreThanInTheReference() {
        FeatureProfile withNan = numbers(995, 0);
        for (int i = 0; i < 4; i++) {
            withNan.add(Double.NaN);
        }
        withNan.add(Double.POSITIVE_INFINITY);
        ProfiledWindow clean = window(10_000, Map.of("x", numbers(10_000, 0)));
        FeatureProfile refWithNan = numbers(999, 0);
        refWithNan.add(Double.NaN);
        FeatureProfile manyNan = numbers(900, 0);
        for (int i = 0; i < 100; i++) {
            manyNan.add(Double.NaN);
        }

        // 5 of 1,000 against 0 of 10,000: p = C(1000,5) / C(11000,5), about 6e-6
        List<DataQualityIssue> issues = issuesOf(Kind.NON_FINITE, clean, window(1000, Map.of("x", withNan)));

        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.value()).isEqualTo(5 / 1000.0);
            assertThat(i.reference()).isZero();
            assertThat(i.message()).contains("4 NaN and 1 infinite");
        });
        // 0 of 1,000 is no proof of a rate below 0.5%: p = C(1000,5) / C(2000,5) = 0.031
        assertThat(issuesOf(Kind.NON_FINITE, window(1000, Map.of("x", numbers(1000, 0))),
                window(1000, Map.of("x", withNan)))).isEmpty();
        assertThat(issuesOf(Kind.NON_FINITE, window(1000, Map.of("x", refWithNan)), window(1000, Map.of("x", withNan))))
                .isEmpty();
        // a reference with NaN does not hide a jump to 10%
        assertThat(issuesOf(Kind.NON_FINITE, window(1000, Map.of("x", refWithNan)), window(1000, Map.of("x", manyNan))))
                .singleElement().satisfies(i -> assertThat(i.reference()).isEqualTo(0.001));
        assertThat(issuesOf(Kind.NON_FINITE, clean, clean)).isEmpty();
    }

    @Test
    void nanInTheOutputOrScoreIsAnIssueWhenTheReferenceHadNoneOrSignificantlyFewer() {
        FeatureProfile output = numbers(99, 0);
        output.add(Double.NaN);
        FeatureProfile score = probabilities(99, 1);
        score.add(Double.NEGATIVE_INFINITY);
        ProfiledWindow clean = new ProfiledWindow(100, Map.of(), numbers(100, 0), probabilities(100, 2));
        ProfiledWindow once = new ProfiledWindow(100, Map.of(), output, score);
        FeatureProfile manyNan = numbers(70, 0);
        for (int i = 0; i < 30; i++) {
            manyNan.add(Double.NaN);
        }

        List<DataQualityIssue> issues = issuesOf(Kind.NON_FINITE, clean, once);

        assertThat(issues).extracting(DataQualityIssue::feature).containsExactly("__output__", "__score__");
        assertThat(issues.get(0).value()).isEqualTo(0.01);
        assertThat(issues.get(0).reference()).isEqualTo(0.0);
        assertThat(issuesOf(Kind.NON_FINITE, once, once)).as("as often as in the reference").isEmpty();
        assertThat(issuesOf(Kind.NON_FINITE, once, new ProfiledWindow(100, Map.of(), manyNan, null)))
                .extracting(DataQualityIssue::feature).containsExactly("__output__");
        assertThat(issuesOf(Kind.NON_FINITE, once, clean)).isEmpty();
    }

    // --- score out of range ---

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1.2, true", "-0.1, true", "1.0, false", "0.0, false"})
    void scoresOutsideZeroToOneAreIssues(double odd, boolean flagged) {
        FeatureProfile score = probabilities(999, 3);
        score.add(odd);
        ProfiledWindow cur = new ProfiledWindow(1000, Map.of(), null, score);

        List<DataQualityIssue> issues = issuesOf(Kind.SCORE_OUT_OF_RANGE, window(10, Map.of()), cur);

        if (flagged) {
            assertThat(issues).singleElement().satisfies(i -> {
                assertThat(i.feature()).isEqualTo(DataQualityIssue.SCORE);
                assertThat(i.value()).isGreaterThanOrEqualTo(1.0 / 1000);
                assertThat(i.reference()).isNull();
            });
        } else {
            assertThat(issues).isEmpty();
        }
    }

    // --- shapes, series, policy ---

    @Test
    void perFeatureMeasuresAreMetricValuesLabelledByFeature() {
        FeatureProfile age = numbers(90, 0);
        age.add("n/a");
        age.add(Double.NaN);
        ProfiledWindow ref = window(100, Map.of("age", numbers(100, 0), "gone", numbers(100, 0),
                "country", categories(Map.of("DE", 60, "FR", 40))));
        Map<String, FeatureProfile> features = new LinkedHashMap<>();
        features.put("age", age);
        features.put("country", categories(Map.of("DE", 50, "FR", 40, "PL", 10)));
        ProfiledWindow cur = new ProfiledWindow(100, features, null, probabilities(100, 4));

        Map<String, Double> m = new HashMap<>();
        for (MetricValue v : DataQualityMetrics.metrics(ref, cur)) {
            assertThat(DataQualityMetrics.METRICS).contains(v.name());
            m.put(v.name() + "{" + v.labels().get("feature") + "}", v.value());
        }

        assertThat(m).containsEntry("missing_rate{age}", 0.08).containsEntry("type_mismatch_rate{age}", 1 / 92.0)
                .containsEntry("non_finite_rate{age}", 1 / 92.0).containsEntry("out_of_range_fraction{age}", 0.0)
                .containsEntry("missing_rate{country}", 0.0).containsEntry("new_category_share{country}", 0.1)
                .containsEntry("type_mismatch_rate{country}", 0.0).containsEntry("missing_rate{gone}", 1.0)
                .containsEntry("non_finite_rate{__score__}", 0.0)
                .containsEntry("score_out_of_range_fraction{__score__}", 0.0)
                .doesNotContainKey("out_of_range_fraction{country}").doesNotContainKey("type_mismatch_rate{gone}");
    }

    @Test
    void windowProfilesAreCheckedThroughTheirEvents() {
        WindowProfile ref = new WindowProfile(SketchSettings.DEFAULT);
        WindowProfile cur = new WindowProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 200; i++) {
            ref.addPrediction(event(i, Map.of("age", (double) (20 + i % 50)), 0.5));
            Map<String, Object> features = i % 2 == 0 ? Map.of("age", (double) (20 + i % 50)) : Map.of();
            cur.addPrediction(event(i, features, i == 0 ? 1.5 : 0.5));
        }

        List<DataQualityIssue> issues = DataQualityCheck.compare(ref, cur, POLICY);

        assertThat(issues).extracting(DataQualityIssue::feature, DataQualityIssue::issue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("age", Kind.MISSING_RATE),
                org.assertj.core.groups.Tuple.tuple("__score__", Kind.SCORE_OUT_OF_RANGE));
        assertThat(issues.get(0).value()).isEqualTo(0.5);
    }

    @Test
    void invalidPoliciesAreRejectedNamingTheField() {
        List<Consumer<DataQualityPolicy.Builder>> bad = List.of(b -> b.missingRateIncrease(0),
                b -> b.falseAlarmRate(1), b -> b.typeMismatchShare(1), b -> b.outOfRangeFraction(-1),
                b -> b.newCategoryShare(Double.NaN), b -> b.minimumCount(0));
        List<String> fields = List.of("missingRateIncrease", "falseAlarmRate", "typeMismatchShare", "outOfRangeFraction",
                "newCategoryShare", "minimumCount");
        for (int i = 0; i < bad.size(); i++) {
            DataQualityPolicy.Builder b = DataQualityPolicy.builder();
            bad.get(i).accept(b);
            assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(fields.get(i));
        }
        assertThat(POLICY).isEqualTo(new DataQualityPolicy(0.01, 0.05, 0.01, 0.01, 0.005, 30));
        assertThatThrownBy(() -> new ProfiledWindow(-1, Map.of(), null, null)).hasMessageContaining("events");
        assertThatThrownBy(() -> new DataQualityIssue("f", null, 0.0, 0.0, "m")).hasMessageContaining("issue");
    }

    // --- helpers ---

    private static List<DataQualityIssue> issuesOf(Kind kind, ProfiledWindow ref, ProfiledWindow cur) {
        return DataQualityCheck.compare(ref, cur, POLICY).stream().filter(i -> i.issue() == kind).toList();
    }

    private static ProfiledWindow window(long events, Map<String, FeatureProfile> features) {
        return new ProfiledWindow(events, features, null, null);
    }

    /** {@code values} numbers 0, 1, 2, ... (mod 97) and {@code nulls} nulls. */
    private static FeatureProfile numbers(long values, long nulls) {
        KllSeed.set(values);
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (long i = 0; i < values; i++) {
            p.add((double) (i % 97));
        }
        for (long i = 0; i < nulls; i++) {
            p.addNull();
        }
        return p;
    }

    private static FeatureProfile mixed(boolean numerical, int ownType, int otherType) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < ownType; i++) {
            if (numerical) {
                p.add((double) i);
            } else {
                p.add("c" + (i % 5));
            }
        }
        for (int i = 0; i < otherType; i++) {
            if (numerical) {
                p.add("n/a");
            } else {
                p.add((double) i);
            }
        }
        return p;
    }

    private static FeatureProfile normal(int n, long seed, double mean) {
        KllSeed.set(seed);
        SplittableRandom r = new SplittableRandom(seed);
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < n; i++) {
            p.add(mean + r.nextGaussian());
        }
        return p;
    }

    private static FeatureProfile probabilities(int n, long seed) {
        KllSeed.set(seed);
        SplittableRandom r = new SplittableRandom(seed);
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < n; i++) {
            p.add(r.nextDouble());
        }
        return p;
    }

    private static FeatureProfile constant(int n, double v) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < n; i++) {
            p.add(v);
        }
        return p;
    }

    private static FeatureProfile categories(Map<String, Integer> counts) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        counts.forEach((c, n) -> {
            for (int i = 0; i < n; i++) {
                p.add(c);
            }
        });
        return p;
    }

    private static PredictionEvent event(int i, Map<String, Object> features, double score) {
        return new PredictionEvent("m", "id" + i, PredictionEvent.DEFAULT_VERSION, 1_767_225_600_000L + i, features,
                "1", score, null, Double.NaN, null, Map.of());
    }
}
