package dev.modelwatch.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.fixture.Fixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ROC AUC from binned scores against the exact Mann–Whitney statistic, computed here from the
 * raw scores by sorting and mid-ranks (ties count one half): {@code AUC = (R+ - P(P+1)/2) / (P N)},
 * where {@code R+} is the sum of the positives' ranks. The binned value must lie within the bound
 * the histogram reports.
 */
class ScoreHistogramTest {
    private static final long SEED = 20260103L;

    /** Exact ROC AUC by the Mann–Whitney U statistic with mid-ranks for ties, O(n log n). */
    static double exactAuc(double[] positives, double[] negatives) {
        int p = positives.length;
        int n = negatives.length;
        double[][] all = new double[p + n][];
        for (int i = 0; i < p; i++) {
            all[i] = new double[] {positives[i], 1};
        }
        for (int i = 0; i < n; i++) {
            all[p + i] = new double[] {negatives[i], 0};
        }
        Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < all.length) {
            int j = i;
            while (j < all.length && all[j][0] == all[i][0]) {
                j++;
            }
            double midRank = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
            for (int k = i; k < j; k++) {
                positiveRankSum += all[k][1] * midRank;
            }
            i = j;
        }
        return (positiveRankSum - p * (p + 1) / 2.0) / ((double) p * n);
    }

    static ScoreHistogram histogram(double[] scores) {
        ScoreHistogram h = new ScoreHistogram();
        for (double s : scores) {
            h.add(s);
        }
        return h;
    }

    /** Scores of a classifier: sigmoid of a normal log-odds, shifted by {@code separation} for positives. */
    static double[] scores(Random random, int count, double separation, DoubleUnaryOperator rounding) {
        double[] s = new double[count];
        for (int i = 0; i < count; i++) {
            double z = random.nextGaussian() * 1.5 + separation;
            s[i] = rounding.applyAsDouble(1 / (1 + Math.exp(-z)));
        }
        return s;
    }

    static Stream<Arguments> scoreSets() {
        DoubleUnaryOperator none = x -> x;
        DoubleUnaryOperator twoDecimals = x -> Math.round(x * 100) / 100.0;
        DoubleUnaryOperator extremes = x -> x < 0.05 ? 0.0 : x > 0.95 ? 1.0 : x;
        return Stream.of(
                Arguments.of("continuous scores", 5000, 5000, 1.0, none),
                Arguments.of("imbalanced continuous scores", 150, 9850, 1.5, none),
                Arguments.of("scores rounded to two decimals (many ties)", 3000, 4000, 1.0, twoDecimals),
                Arguments.of("scores clipped to exactly 0 and 1 (ties at the ends)", 2000, 2000, 0.5, extremes),
                Arguments.of("one positive", 1, 500, 0.0, none),
                Arguments.of("indistinguishable classes", 2000, 2000, 0.0, none));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreSets")
    void binnedAucIsWithinItsBoundOfTheExactMannWhitneyAuc(String name, int positives, int negatives,
                                                            double separation, DoubleUnaryOperator rounding) {
        Random random = new Random(SEED);
        double[] pos = scores(random, positives, separation, rounding);
        double[] neg = scores(random, negatives, -separation, rounding);

        ScoreHistogram hp = histogram(pos);
        ScoreHistogram hn = histogram(neg);
        double exact = exactAuc(pos, neg);
        double bound = ScoreHistogram.aucTieBound(hp, hn);

        assertThat(bound).isBetween(0.0, 0.5);
        // 1e-12: the rounding of the sums on either side; the bound itself is exact arithmetic
        assertThat(ScoreHistogram.auc(hp, hn)).isCloseTo(exact, within(bound + 1e-12));
    }

    @Test
    void exactMannWhitneyAucMatchesScikitLearnOnTheBinaryFixture() {
        // checks the reference computation above against scikit-learn's roc_auc_score
        Fixture fx = Fixture.load("binary");
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        for (LabelEvent l : fx.labels()) {
            double score = fx.prediction(l.id()).score();
            ("1".equals(l.labelClass()) ? pos : neg).add(score);
        }

        double exact = exactAuc(pos.stream().mapToDouble(d -> d).toArray(), neg.stream().mapToDouble(d -> d).toArray());

        double sklearn = fx.scopes().get(0).expected().get("roc_auc").asDouble();
        assertThat(exact).isCloseTo(sklearn, within(1e-12));
    }

    @Test
    void binnedAucOfContinuousScoresIsWithinAThousandth() {
        Random random = new Random(SEED);
        double[] pos = scores(random, 5000, 1.0, x -> x);
        double[] neg = scores(random, 5000, -1.0, x -> x);

        ScoreHistogram hp = histogram(pos);
        ScoreHistogram hn = histogram(neg);

        assertThat(ScoreHistogram.aucTieBound(hp, hn)).isLessThan(0.001);
        assertThat(ScoreHistogram.auc(hp, hn)).isCloseTo(exactAuc(pos, neg), within(0.001));
    }

    @Test
    void exactTiesCountOneHalfWithNoError() {
        ScoreHistogram hp = histogram(new double[] {0.3, 0.3, 0.8});
        ScoreHistogram hn = histogram(new double[] {0.3, 0.1});

        // pairs: (0.3, 0.3) x2 ties = 1, (0.3, 0.1) x2 = 2, (0.8, *) = 2 -> 5 of 6
        assertThat(exactAuc(new double[] {0.3, 0.3, 0.8}, new double[] {0.3, 0.1})).isEqualTo(5.0 / 6);
        assertThat(ScoreHistogram.auc(hp, hn)).isEqualTo(5.0 / 6);
    }

    @Test
    void perfectAndInvertedRankingsGiveOneAndZero() {
        double[] high = {0.7, 0.8, 0.95, 0.99};
        double[] low = {0.01, 0.2, 0.4, 0.6};

        assertThat(ScoreHistogram.auc(histogram(high), histogram(low))).isEqualTo(1.0);
        assertThat(ScoreHistogram.auc(histogram(low), histogram(high))).isEqualTo(0.0);
        assertThat(ScoreHistogram.aucTieBound(histogram(high), histogram(low))).isZero();
    }

    @Test
    void aucWithoutPositivesOrNegativesIsNaN() {
        ScoreHistogram some = histogram(new double[] {0.2, 0.9});

        assertThat(ScoreHistogram.auc(new ScoreHistogram(), some)).isNaN();
        assertThat(ScoreHistogram.auc(some, new ScoreHistogram())).isNaN();
        assertThat(ScoreHistogram.aucTieBound(some, new ScoreHistogram())).isNaN();
    }

    @Test
    void nanScoresAreNotCounted() {
        ScoreHistogram h = histogram(new double[] {0.2, Double.NaN, 0.9});

        assertThat(h.total()).isEqualTo(2);
    }

    @Test
    void mergedHistogramsGiveTheAucOfAllScores() {
        Random random = new Random(SEED);
        double[] pos = scores(random, 3000, 1.0, x -> x);
        double[] neg = scores(random, 3000, -1.0, x -> x);
        ScoreHistogram mergedPos = new ScoreHistogram();
        ScoreHistogram mergedNeg = new ScoreHistogram();
        for (int part = 0; part < 6; part++) {
            mergedPos.merge(histogram(Arrays.copyOfRange(pos, part * 500, (part + 1) * 500)));
            mergedNeg.merge(histogram(Arrays.copyOfRange(neg, part * 500, (part + 1) * 500)));
        }

        assertThat(mergedPos.total()).isEqualTo(3000);
        assertThat(ScoreHistogram.auc(mergedPos, mergedNeg)).isEqualTo(ScoreHistogram.auc(histogram(pos), histogram(neg)));
        assertThat(ScoreHistogram.aucTieBound(mergedPos, mergedNeg))
                .isEqualTo(ScoreHistogram.aucTieBound(histogram(pos), histogram(neg)));
    }
}
