package dev.modelwatch.core.profile;

import static dev.modelwatch.core.fixture.ReferenceAssertions.assertAtRank;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.fixture.Fixture;
import dev.modelwatch.core.fixture.ReferenceAssertions;
import dev.modelwatch.core.metrics.ClassificationMetrics;
import dev.modelwatch.core.metrics.ProfileSummary;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mergeability, property-style with a fixed seed: the fixtures' events split at random into parts,
 * each part profiled on its own, then merged in shuffled orders and random groupings, must give
 * the profile of all events: counts, confusion cells, score histograms and extremes exactly;
 * sums, means and standard deviations within 1e-9 (floating-point addition is not associative);
 * quantiles within the KLL rank error of the exact data.
 */
class WindowProfileMergeTest {
    private static final long SEED = 20260102L;
    private static final int TRIALS = 8;
    private static final double RELATIVE = ReferenceAssertions.EXACT_RELATIVE;

    static Stream<Fixture> fixtures() {
        return Fixture.NAMES.stream().map(Fixture::load);
    }

    @BeforeEach
    void seedSketches() {
        KllSeed.set(SEED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void mergingRandomPartsInAnyOrderAndGroupingGivesTheProfileOfAllEvents(Fixture fx) {
        Random random = new Random(SEED);
        WindowProfile whole = fx.profile(fx.predictions());

        for (int trial = 0; trial < TRIALS; trial++) {
            List<WindowProfile> parts = split(fx, random, 2 + random.nextInt(15));

            Collections.shuffle(parts, random);
            WindowProfile leftFold = leftFold(parts);
            Collections.shuffle(parts, random);
            WindowProfile rightFold = rightFold(parts);
            Collections.shuffle(parts, random);
            WindowProfile tree = randomTree(parts, random);

            for (WindowProfile merged : List.of(leftFold, rightFold, tree)) {
                assertSameExactFields(whole, merged);
                assertQuantilesAtTheirRank(fx, merged);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void mergedMetricsEqualTheMetricsOfAllEvents(Fixture fx) {
        WindowProfile whole = fx.profile(fx.predictions());
        WindowProfile merged = leftFold(split(fx, new Random(SEED), 7));

        if (fx.spec().task().isClassification()) {
            ClassificationMetrics a = ClassificationMetrics.of(whole, fx.spec());
            ClassificationMetrics b = ClassificationMetrics.of(merged, fx.spec());
            // counts and histogram bins merge exactly, so everything derived from them is identical
            assertThat(b.confusion()).isEqualTo(a.confusion());
            assertThat(b.accuracy()).isEqualTo(a.accuracy());
            assertThat(b.f1()).isEqualTo(a.f1());
            assertThat(b.perClass()).isEqualTo(a.perClass());
            assertThat(b.rocAuc()).isEqualTo(a.rocAuc());
            assertThat(b.rocAucErrorBound()).isEqualTo(a.rocAucErrorBound());
            assertThat(b.logLoss()).isCloseTo(a.logLoss(), within(RELATIVE * a.logLoss()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void serializedProfilesReadBackToTheSameSummary(Fixture fx) {
        List<WindowProfile> profiles = new ArrayList<>();
        profiles.add(fx.profile(fx.predictions()));
        profiles.add(leftFold(split(fx, new Random(SEED), 5)));
        profiles.add(fx.profile(fx.predictions().subList(0, 1)));
        profiles.add(new WindowProfile(SketchSettings.DEFAULT));

        for (WindowProfile p : profiles) {
            // (the bytes themselves need not repeat: a frequent-items sketch writes its items in hash-table
            // order, which depends on the order they were inserted in)
            WindowProfile back = WindowProfile.fromBytes(p.toBytes(), SketchSettings.DEFAULT);
            WindowProfile again = WindowProfile.fromBytes(back.toBytes(), SketchSettings.DEFAULT);

            ProfileSummary summary = ProfileSummary.of(p, fx.spec());
            assertThat(ProfileSummary.of(back, fx.spec())).isEqualTo(summary);
            assertThat(ProfileSummary.of(again, fx.spec())).isEqualTo(summary);
            assertSameExactFields(p, back);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void mergingWithAnEmptyProfileChangesNothing(Fixture fx) {
        WindowProfile p = fx.profile(fx.predictions());
        ProfileSummary summary = ProfileSummary.of(p, fx.spec());
        byte[] bytes = p.toBytes();

        p.merge(new WindowProfile(SketchSettings.DEFAULT));
        assertThat(ProfileSummary.of(p, fx.spec())).isEqualTo(summary);
        assertThat(p.toBytes()).isEqualTo(bytes);

        WindowProfile intoEmpty = new WindowProfile(SketchSettings.DEFAULT);
        intoEmpty.merge(p);
        assertThat(ProfileSummary.of(intoEmpty, fx.spec())).isEqualTo(summary);
        assertThat(ProfileSummary.of(p.copy(), fx.spec())).isEqualTo(summary);
    }

    @Test
    void aProfileMergedIntoAnEmptyOneKeepsItsMomentsBitForBit() {
        // Chan's update into an empty side computes mean * n / n, e.g. 0.1 * 3 / 3 = 0.10000000000000002
        Random random = new Random(SEED);
        for (int trial = 0; trial < 200; trial++) {
            WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
            int n = 1 + random.nextInt(40);
            for (int i = 0; i < n; i++) {
                Map<String, Object> features = Map.of("x", random.nextGaussian() * 10, "tenth", 0.1);
                p.addPrediction(new PredictionEvent("m", "p-" + i, "v1", Fixture.BASE_MS + i, features, 1.0,
                        null, null, Double.NaN, null, Map.of()));
            }

            WindowProfile intoEmpty = new WindowProfile(SketchSettings.DEFAULT);
            intoEmpty.merge(p);

            for (WindowProfile other : List.of(intoEmpty, p.copy())) {
                for (String name : List.of("x", "tenth")) {
                    FeatureProfile expected = p.features().get(name);
                    FeatureProfile actual = other.features().get(name);
                    assertThat(actual.mean()).as("%s mean of %s values", name, n).isEqualTo(expected.mean());
                    assertThat((Object) actual.std()).as("%s std of %s values", name, n).isEqualTo(expected.std());
                }
            }
        }
    }

    @Test
    void anEmptyProfileMergedWithAnEmptyProfileIsEmpty() {
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        p.merge(new WindowProfile(SketchSettings.DEFAULT));

        assertThat(p.isEmpty()).isTrue();
        assertThat(p.toBytes()).isEqualTo(new WindowProfile(SketchSettings.DEFAULT).toBytes());
    }

    // ---- building and merging parts ----

    /** Each prediction goes to one of {@code n} parts at random; its label goes with it. */
    private static List<WindowProfile> split(Fixture fx, Random random, int n) {
        List<List<PredictionEvent>> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(new ArrayList<>());
        }
        for (PredictionEvent e : fx.predictions()) {
            members.get(random.nextInt(n)).add(e);
        }
        List<WindowProfile> parts = new ArrayList<>();
        for (List<PredictionEvent> m : members) {
            parts.add(fx.profile(m));
        }
        return parts;
    }

    private static WindowProfile leftFold(List<WindowProfile> parts) {
        WindowProfile acc = new WindowProfile(SketchSettings.DEFAULT);
        for (WindowProfile p : parts) {
            acc.merge(p);
        }
        return acc;
    }

    /** {@code p1 + (p2 + (... + pn))}, each inner sum a fresh profile. */
    private static WindowProfile rightFold(List<WindowProfile> parts) {
        WindowProfile acc = parts.get(parts.size() - 1).copy();
        for (int i = parts.size() - 2; i >= 0; i--) {
            WindowProfile next = parts.get(i).copy();
            next.merge(acc);
            acc = next;
        }
        return acc;
    }

    /** Merges the parts as the leaves of a random binary tree. */
    private static WindowProfile randomTree(List<WindowProfile> parts, Random random) {
        if (parts.size() == 1) {
            return parts.get(0).copy();
        }
        int cut = 1 + random.nextInt(parts.size() - 1);
        WindowProfile left = randomTree(parts.subList(0, cut), random);
        left.merge(randomTree(parts.subList(cut, parts.size()), random));
        return left;
    }

    // ---- comparisons ----

    static void assertSameExactFields(WindowProfile expected, WindowProfile actual) {
        assertThat(actual.count()).as("count").isEqualTo(expected.count());
        assertThat(actual.errors()).as("errors").isEqualTo(expected.errors());
        assertThat(actual.labeled()).as("labeled").isEqualTo(expected.labeled());
        assertThat(actual.droppedOutcomes()).as("dropped outcomes").isEqualTo(expected.droppedOutcomes());
        assertThat(actual.droppedFeatureValues()).as("dropped feature values").isEqualTo(expected.droppedFeatureValues());
        assertThat(actual.minTimestampMs()).as("min timestamp").isEqualTo(expected.minTimestampMs());
        assertThat(actual.maxTimestampMs()).as("max timestamp").isEqualTo(expected.maxTimestampMs());
        assertSameSketchExtremes("latency", expected.latency(), actual.latency());

        assertThat(actual.features().keySet()).as("features").isEqualTo(expected.features().keySet());
        expected.features().forEach((name, f) -> assertSameFeature(name, f, actual.features().get(name)));
        assertSameFeature("output", expected.output(), actual.output());
        assertSameFeature("score", expected.score(), actual.score());

        assertThat(actual.confusion()).as("confusion").isEqualTo(expected.confusion());
        assertThat(histogramBytes(actual.binaryScoresByActual(), h -> new ScoreHistogram[] {h}))
                .as("binary score histograms").isEqualTo(histogramBytes(expected.binaryScoresByActual(),
                        h -> new ScoreHistogram[] {h}));
        assertThat(histogramBytes(actual.oneVsRest(), h -> h)).as("one-vs-rest histograms")
                .isEqualTo(histogramBytes(expected.oneVsRest(), h -> h));
        assertThat(actual.binaryLogLossByActual().keySet()).isEqualTo(expected.binaryLogLossByActual().keySet());
        expected.binaryLogLossByActual().forEach((c, sums) -> {
            assertClose("log loss sum of " + c, actual.binaryLogLossByActual().get(c)[0], sums[0]);
            assertClose("log loss complement sum of " + c, actual.binaryLogLossByActual().get(c)[1], sums[1]);
        });
        assertThat(actual.multiLogLossCount()).as("multiclass log loss count").isEqualTo(expected.multiLogLossCount());
        assertClose("multiclass log loss sum", actual.multiLogLossSum(), expected.multiLogLossSum());

        assertThat(actual.regressionCount()).as("regression count").isEqualTo(expected.regressionCount());
        assertClose("absolute error sum", actual.absErrorSum(), expected.absErrorSum());
        assertClose("squared error sum", actual.squaredErrorSum(), expected.squaredErrorSum());
        assertClose("absolute percent error sum", actual.absPercentErrorSum(), expected.absPercentErrorSum());
        assertClose("target sum of squares", actual.targetSumOfSquares(), expected.targetSumOfSquares());
    }

    private static void assertSameFeature(String name, FeatureProfile expected, FeatureProfile actual) {
        if (expected == null) {
            assertThat(actual).as(name).isNull();
            return;
        }
        assertThat(actual).as(name).isNotNull();
        assertThat(actual.nulls()).as(name + " nulls").isEqualTo(expected.nulls());
        assertThat(actual.numericCount()).as(name + " numeric").isEqualTo(expected.numericCount());
        assertThat(actual.nanCount()).as(name + " NaN").isEqualTo(expected.nanCount());
        assertThat(actual.infCount()).as(name + " infinities").isEqualTo(expected.infCount());
        assertThat(actual.stringCount()).as(name + " strings").isEqualTo(expected.stringCount());
        // boxed, so that NaN (no numerical values) equals NaN
        assertThat((Object) actual.min()).as(name + " min").isEqualTo(expected.min());
        assertThat((Object) actual.max()).as(name + " max").isEqualTo(expected.max());
        assertClose(name + " mean", actual.mean(), expected.mean());
        assertClose(name + " std", actual.std(), expected.std());
        assertSameSketchExtremes(name, expected.quantileSketch(), actual.quantileSketch());
        ItemsSketch<String> items = expected.frequentItems();
        if (items == null) {
            assertThat(actual.frequentItems()).as(name + " frequent items").isNull();
        } else {
            // fewer distinct values than the map holds: every count is exact
            assertThat(actual.frequentItems().getMaximumError()).isZero();
            for (ItemsSketch.Row<String> row : items.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
                assertThat(actual.frequentItems().getEstimate(row.getItem())).as(name + " count of " + row.getItem())
                        .isEqualTo(row.getEstimate());
            }
            assertThat(actual.frequentItems().getNumActiveItems()).isEqualTo(items.getNumActiveItems());
            double hll = 3 * 1.04 / Math.sqrt(1 << SketchSettings.DEFAULT.hllLgK());
            assertThat(actual.distinctEstimate()).as(name + " distinct")
                    .isCloseTo(expected.distinctEstimate(), within(hll * expected.distinctEstimate()));
        }
    }

    private static void assertSameSketchExtremes(String name, KllDoublesSketch expected, KllDoublesSketch actual) {
        if (expected == null || expected.isEmpty()) {
            assertThat(actual == null || actual.isEmpty()).as(name + " sketch empty").isTrue();
            return;
        }
        assertThat(actual.getN()).as(name + " sketch n").isEqualTo(expected.getN());
        assertThat(actual.getMinItem()).as(name + " sketch min").isEqualTo(expected.getMinItem());
        assertThat(actual.getMaxItem()).as(name + " sketch max").isEqualTo(expected.getMaxItem());
    }

    private static void assertClose(String what, double actual, double expected) {
        if (Double.isNaN(expected)) {
            assertThat(actual).as(what).isNaN();
        } else {
            assertThat(actual).as(what).isCloseTo(expected, within(RELATIVE * Math.abs(expected)));
        }
    }

    /** Every feature's, the latency's and the score's quantiles sit at their rank of the exact data. */
    private static void assertQuantilesAtTheirRank(Fixture fx, WindowProfile merged) {
        List<PredictionEvent> all = fx.predictions();
        for (Map.Entry<String, FeatureProfile> f : merged.features().entrySet()) {
            KllDoublesSketch sketch = f.getValue().quantileSketch();
            if (sketch == null) {
                continue;
            }
            double[] exact = ReferenceAssertions.sorted(all.stream().map(e -> e.features().get(f.getKey()))
                    .filter(v -> v instanceof Double).mapToDouble(v -> (Double) v).toArray());
            assertSketchAtRanks(f.getKey(), sketch, exact);
        }
        assertSketchAtRanks("latency", merged.latency(),
                ReferenceAssertions.sorted(all.stream().mapToDouble(PredictionEvent::latencyMs).toArray()));
        if (merged.score() != null) {
            assertSketchAtRanks("score", merged.score().quantileSketch(), ReferenceAssertions.sorted(
                    all.stream().map(PredictionEvent::score).filter(Objects::nonNull).mapToDouble(s -> s).toArray()));
        }
    }

    private static void assertSketchAtRanks(String name, KllDoublesSketch sketch, double[] exact) {
        for (double rank : ProfileSummary.QUANTILES) {
            assertAtRank(name + " q" + rank, sketch.getQuantile(rank), exact, rank,
                    sketch.getNormalizedRankError(false));
        }
    }

    /** The histograms in their serialized form (bins in ascending order), hex-encoded for comparison. */
    private static <T> Map<String, List<String>> histogramBytes(Map<String, T> histograms,
                                                              Function<T, ScoreHistogram[]> parts) {
        Map<String, List<String>> m = new TreeMap<>();
        histograms.forEach((k, v) -> {
            List<String> bytes = new ArrayList<>();
            for (ScoreHistogram h : parts.apply(v)) {
                bytes.add(HexFormat.of().formatHex(bytes(h)));
            }
            m.put(k, bytes);
        });
        return m;
    }

    private static byte[] bytes(ScoreHistogram h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            h.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
