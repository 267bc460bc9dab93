package dev.modelwatch.core.drift.multivariate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link CoMoments} against an independent two-pass computation written here: means over each
 * feature's present values, then {@code sum (x_i - a)(x_j - b) / (n_ij - 1)} over the rows where both are
 * present, with {@code a, b} the means over those same rows (pandas' pairwise-complete {@code cov()}).
 */
class CoMomentsTest {
    private static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f");

    /**
     * Correlated rows x = offset + A g (g standard normal), with large offsets so that the naive
     * {@code sum xy - n mean_x mean_y} would lose its digits; each value missing with {@code missingRate}.
     */
    static double[][] rows(long seed, int n, int d, double missingRate) {
        Random random = new Random(seed);
        double[][] a = new double[d][d];
        for (double[] r : a) {
            for (int j = 0; j < d; j++) {
                r[j] = random.nextGaussian();
            }
        }
        double[][] rows = new double[n][d];
        double[] g = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                g[j] = random.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double x = 1e6 * (i + 1);
                for (int j = 0; j < d; j++) {
                    x += a[i][j] * g[j] * (i + 1);
                }
                row[i] = random.nextDouble() < missingRate ? (i % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY) : x;
            }
        }
        return rows;
    }

    static CoMoments accumulate(List<String> names, double[][] rows, int from, int to) {
        CoMoments c = new CoMoments(names);
        for (int r = from; r < to; r++) {
            c.add(rows[r]);
        }
        return c;
    }

    /** Two-pass pairwise-complete statistics: [n_ij, mean of i over P_ij, cov_ij]. */
    static double[] twoPass(double[][] rows, int i, int j) {
        double n = 0;
        double si = 0;
        double sj = 0;
        for (double[] row : rows) {
            if (Double.isFinite(row[i]) && Double.isFinite(row[j])) {
                n++;
                si += row[i];
                sj += row[j];
            }
        }
        double mi = si / n;
        double mj = sj / n;
        double s = 0;
        for (double[] row : rows) {
            if (Double.isFinite(row[i]) && Double.isFinite(row[j])) {
                s += (row[i] - mi) * (row[j] - mj);
            }
        }
        return new double[] {n, mi, s / (n - 1)};
    }

    /** {@code sqrt(var_i var_j)} by the two-pass formula. */
    static double scale(double[][] rows, int i, int j) {
        return Math.sqrt(twoPass(rows, i, i)[2] * twoPass(rows, j, j)[2]);
    }

    static void assertRelative(double actual, double expected, double tolerance) {
        assertThat(Math.abs(actual - expected)).as("%s vs %s", actual, expected)
                .isLessThanOrEqualTo(tolerance * Math.max(1e-300, Math.abs(expected)));
    }

    /** A covariance to {@code tolerance} relative to {@code sqrt(var_i var_j)}: a covariance may be near 0. */
    static void assertCovariance(double actual, double expected, double scale, double tolerance) {
        assertThat(Math.abs(actual - expected)).as("%s vs %s", actual, expected)
                .isLessThanOrEqualTo(tolerance * scale);
    }

    static void assertSameStatistics(CoMoments actual, CoMoments expected, double tolerance) {
        assertThat(actual.count()).isEqualTo(expected.count());
        int d = expected.dimension();
        for (int i = 0; i < d; i++) {
            assertThat(actual.count(i)).isEqualTo(expected.count(i));
            assertRelative(actual.mean(i), expected.mean(i), tolerance);
            for (int j = i; j < d; j++) {
                assertThat(actual.count(i, j)).isEqualTo(expected.count(i, j));
                assertCovariance(actual.covariance(i, j), expected.covariance(i, j),
                        Math.sqrt(expected.covariance(i, i) * expected.covariance(j, j)), tolerance);
            }
        }
    }

    @Test
    void matchesTwoPassTextbookCovariance() {
        double[][] rows = rows(1, 5_000, NAMES.size(), 0);
        CoMoments c = accumulate(NAMES, rows, 0, rows.length);

        assertThat(c.count()).isEqualTo(5_000);
        assertThat(c.hasMissing()).isFalse();
        for (int i = 0; i < NAMES.size(); i++) {
            assertRelative(c.mean(i), twoPass(rows, i, i)[1], 1e-12);
            for (int j = 0; j < NAMES.size(); j++) {
                assertCovariance(c.covariance(i, j), twoPass(rows, i, j)[2], scale(rows, i, j), 1e-9);
            }
        }
    }

    @Test
    void missingValuesArePairwiseComplete() {
        double[][] rows = rows(2, 5_000, NAMES.size(), 0.1);
        CoMoments c = accumulate(NAMES, rows, 0, rows.length);

        assertThat(c.hasMissing()).isTrue();
        assertThat(c.count()).isEqualTo(5_000);
        for (int i = 0; i < NAMES.size(); i++) {
            double[] own = twoPass(rows, i, i);
            assertThat(c.count(i)).isEqualTo((long) own[0]).isLessThan(5_000);
            assertRelative(c.mean(i), own[1], 1e-12);
            for (int j = 0; j < NAMES.size(); j++) {
                double[] pair = twoPass(rows, i, j);
                assertThat(c.count(i, j)).isEqualTo((long) pair[0]);
                assertCovariance(c.covariance(i, j), pair[2], scale(rows, i, j), 1e-9);
                // the sum of products about any point is C_ij + n_ij (a - ci)(b - cj)
                double ci = 1e6 * (i + 1) + 0.5;
                double cj = 1e6 * (j + 1) - 0.25;
                double direct = 0;
                for (double[] row : rows) {
                    if (Double.isFinite(row[i]) && Double.isFinite(row[j])) {
                        direct += (row[i] - ci) * (row[j] - cj);
                    }
                }
                assertCovariance(c.crossProductAbout(i, j, ci, cj), direct, pair[0] * (scale(rows, i, j) + 1), 1e-9);
            }
        }
    }

    @Test
    void missingValuesAfterCompleteRowsSwitchExactly() {
        double[][] complete = rows(3, 2_000, NAMES.size(), 0);
        double[][] gappy = rows(4, 2_000, NAMES.size(), 0.2);
        double[][] all = new double[4_000][];
        System.arraycopy(complete, 0, all, 0, 2_000);
        System.arraycopy(gappy, 0, all, 2_000, 2_000);

        CoMoments c = accumulate(NAMES, all, 0, all.length);

        for (int i = 0; i < NAMES.size(); i++) {
            for (int j = 0; j < NAMES.size(); j++) {
                double[] pair = twoPass(all, i, j);
                assertThat(c.count(i, j)).isEqualTo((long) pair[0]);
                assertCovariance(c.covariance(i, j), pair[2], scale(all, i, j), 1e-9);
            }
        }
    }

    @Test
    void mergeOfTwoHalvesEqualsOnePassOverAll() {
        for (double missing : new double[] {0, 0.1}) {
            double[][] rows = rows(5, 6_000, NAMES.size(), missing);
            CoMoments all = accumulate(NAMES, rows, 0, rows.length);
            CoMoments first = accumulate(NAMES, rows, 0, 2_500);
            CoMoments second = accumulate(NAMES, rows, 2_500, rows.length);
            CoMoments firstThenSecond = first.copy();
            firstThenSecond.merge(second);
            CoMoments secondThenFirst = second.copy();
            secondThenFirst.merge(first);

            assertSameStatistics(firstThenSecond, all, 1e-9);
            assertSameStatistics(secondThenFirst, all, 1e-9);
        }
    }

    @Test
    void mergeOfManyWindowsInAnyOrderEqualsOnePass() {
        double[][] rows = rows(6, 10_000, NAMES.size(), 0.05);
        CoMoments all = accumulate(NAMES, rows, 0, rows.length);
        List<CoMoments> windows = new ArrayList<>();
        // windows of uneven size, some complete (dense) and some not
        int[] bounds = {0, 7, 1_000, 1_001, 4_000, 6_500, 10_000};
        for (int w = 0; w + 1 < bounds.length; w++) {
            windows.add(accumulate(NAMES, rows, bounds[w], bounds[w + 1]));
        }
        windows.add(new CoMoments(NAMES)); // an empty window changes nothing
        Collections.shuffle(windows, new Random(7));

        CoMoments merged = new CoMoments(NAMES);
        windows.forEach(merged::merge);

        assertSameStatistics(merged, all, 1e-9);
    }

    @Test
    void mergeOfDenseWindowsIntoEmptyIsAnExactCopy() {
        double[][] rows = rows(8, 1_000, NAMES.size(), 0);
        CoMoments window = accumulate(NAMES, rows, 0, rows.length);
        CoMoments empty = new CoMoments(NAMES);

        empty.merge(window);

        assertThat(empty.toBytes()).isEqualTo(window.toBytes());
    }

    @Test
    void mergeWithItselfDoublesTheRows() {
        double[][] rows = rows(9, 1_000, NAMES.size(), 0.1);
        CoMoments c = accumulate(NAMES, rows, 0, rows.length);
        CoMoments twice = accumulate(NAMES, rows, 0, rows.length);
        twice.merge(accumulate(NAMES, rows, 0, rows.length));

        c.merge(c);

        assertSameStatistics(c, twice, 1e-12);
    }

    @Test
    void toBytesRoundTripsDenseAndPairwise() {
        for (double missing : new double[] {0, 0.1}) {
            double[][] rows = rows(10, 3_000, NAMES.size(), missing);
            CoMoments c = accumulate(NAMES, rows, 0, 2_000);

            byte[] bytes = c.toBytes();
            CoMoments back = CoMoments.fromBytes(bytes);

            assertThat(bytes[0]).isEqualTo((byte) 1);
            assertThat(back.featureNames()).isEqualTo(NAMES);
            assertThat(back.hasMissing()).isEqualTo(missing > 0);
            assertThat(back.toBytes()).isEqualTo(bytes);
            assertSameStatistics(back, c, 0);
            // and it goes on accumulating exactly as the original
            for (int r = 2_000; r < 3_000; r++) {
                c.add(rows[r]);
                back.add(rows[r]);
            }
            assertThat(back.toBytes()).isEqualTo(c.toBytes());
        }
        CoMoments empty = new CoMoments(List.of("only"));
        assertThat(CoMoments.fromBytes(empty.toBytes()).count()).isZero();
    }

    @Test
    void denseEncodingIsCompactLittleEndian() {
        CoMoments c = new CoMoments(List.of("x", "y"));
        c.add(new double[] {1, 2});
        c.add(new double[] {3, 5});

        byte[] bytes = c.toBytes();

        // version, mode, d, 2 x (length + 1 byte), rows, 2 means, 3 co-moments
        assertThat(bytes).hasSize(1 + 1 + 4 + 2 * 5 + 8 + 8 * 2 + 8 * 3);
        assertThat(bytes[2]).isEqualTo((byte) 2); // d = 2, low byte first
        assertThat(c.mean(0)).isEqualTo(2);
        assertThat(c.covariance(0, 1)).isEqualTo(3); // (1-2)(2-3.5) + (3-2)(5-3.5) = 3, over n - 1 = 1
    }

    @Test
    void fromBytesRejectsInvalidEncodingsWithClearErrors() {
        CoMoments c = accumulate(NAMES, rows(11, 100, NAMES.size(), 0.1), 0, 100);
        byte[] good = c.toBytes();

        byte[] version = good.clone();
        version[0] = 9;
        assertThatThrownBy(() -> CoMoments.fromBytes(version)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format version 9");
        byte[] mode = good.clone();
        mode[1] = 7;
        assertThatThrownBy(() -> CoMoments.fromBytes(mode)).hasMessageContaining("mode 7");
        assertThatThrownBy(() -> CoMoments.fromBytes(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes of moments");
        assertThatThrownBy(() -> CoMoments.fromBytes(Arrays.copyOf(good, good.length + 8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes of moments");
        assertThatThrownBy(() -> CoMoments.fromBytes(Arrays.copyOf(good, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> CoMoments.fromBytes(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        byte[] features = good.clone();
        features[2] = 65;
        assertThatThrownBy(() -> CoMoments.fromBytes(features)).hasMessageContaining("feature count");
    }

    @Test
    void constructorAndAddValidateTheirArguments() {
        assertThatThrownBy(() -> new CoMoments(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("featureNames");
        assertThatThrownBy(() -> new CoMoments(List.of("a", "b", "a"))).hasMessageContaining("'a' is repeated");
        List<String> tooMany = IntStream.range(0, CoMoments.MAX_FEATURES + 1).mapToObj(i -> "f" + i).toList();
        assertThatThrownBy(() -> new CoMoments(tooMany)).hasMessageContaining("at most 64");
        CoMoments c = new CoMoments(List.of("a", "b"));
        assertThatThrownBy(() -> c.add(new double[3])).hasMessageContaining("row must have 2 values, had 3");
        assertThatThrownBy(() -> c.merge(new CoMoments(List.of("b", "a"))))
                .hasMessageContaining("same features in the same order");
    }

    @Test
    void featureThatIsNeverPresentHasNoMeanOrCovariance() {
        CoMoments c = new CoMoments(List.of("x", "never"));
        c.add(new double[] {1, Double.NaN});
        c.add(new double[] {2, Double.NEGATIVE_INFINITY});
        c.add(new double[] {4, Double.NaN});

        assertThat(c.count()).isEqualTo(3);
        assertThat(c.count(1)).isZero();
        assertThat(c.count(0, 1)).isZero();
        assertThat(c.mean(0)).isCloseTo(7.0 / 3, within(1e-15));
        assertThat(c.covariance(0, 0)).isCloseTo(7.0 / 3, within(1e-15));
        assertThat(c.mean(1)).isNaN();
        assertThat(c.covariance(0, 1)).isNaN();
        assertThat(c.covariance(1, 1)).isNaN();
    }

    @Test
    void unionOfWindowsWithDifferentFeaturesKeepsEveryPairTheyShare() {
        Random r = new Random(11);
        CoMoments a = new CoMoments(List.of("x", "y"));
        CoMoments b = new CoMoments(List.of("z", "y"));
        CoMoments expected = new CoMoments(List.of("x", "y", "z"));
        for (int i = 0; i < 500; i++) {
            double x = r.nextGaussian();
            double y = x + r.nextGaussian();
            a.add(new double[] {x, i % 7 == 0 ? Double.NaN : y});
            expected.add(new double[] {x, i % 7 == 0 ? Double.NaN : y, Double.NaN});
        }
        for (int i = 0; i < 300; i++) {
            double z = 3 + r.nextGaussian();
            double y = 2 * z + r.nextGaussian();
            b.add(new double[] {z, y});
            expected.add(new double[] {Double.NaN, y, z});
        }
        CoMoments u = CoMoments.union(a, b);
        assertThat(u.featureNames()).containsExactly("x", "y", "z");
        assertThat(u.count()).isEqualTo(800);
        for (int i = 0; i < 3; i++) {
            assertThat(u.count(i)).isEqualTo(expected.count(i));
            assertThat(u.mean(i)).isCloseTo(expected.mean(i), within(1e-12));
            for (int j = 0; j < 3; j++) {
                assertThat(u.count(i, j)).isEqualTo(expected.count(i, j));
                if (expected.count(i, j) >= 2) {
                    assertThat(u.covariance(i, j)).isCloseTo(expected.covariance(i, j), within(1e-9));
                } else {
                    assertThat(u.covariance(i, j)).isNaN();
                }
            }
        }

        CoMoments selected = u.select(List.of("z", "x", "w"));
        assertThat(selected.count(0)).isEqualTo(300);
        assertThat(selected.count(2)).isZero();
        assertThat(selected.mean(0)).isCloseTo(expected.mean(2), within(1e-12));
        assertThat(selected.covariance(0, 0)).isCloseTo(expected.covariance(2, 2), within(1e-9));
        assertThat(CoMoments.fromBytes(selected.toBytes()).covariance(1, 1)).isCloseTo(expected.covariance(0, 0), within(1e-9));
    }
}
