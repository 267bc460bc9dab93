package dev.modelwatch.core.drift.multivariate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.drift.NumericalDrift;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PcaReconstructionModel} against independent references:
 * <ul>
 *   <li>scikit-learn ({@code fixtures/multivariate/make_multivariate_fixtures.py}): mean imputation,
 *       {@code StandardScaler}, {@code PCA(n_components=0.65)}, and the mean squared reconstruction error
 *       of the reference and of a drifted current sample, with and without missing values;</li>
 *   <li>the error computed row by row here: each row standardized, projected on the model's components
 *       and its squared residual averaged, against the model's formula from moments;</li>
 *   <li>the statistical behaviour: a flipped correlation with unchanged marginals is missed by every
 *       univariate test and caught here; fresh samples of the reference are not flagged.</li>
 * </ul>
 */
class PcaReconstructionModelTest {
    private static final List<String> FLIP_NAMES = List.of("x1", "x2", "x3", "x4");
    private static final int WINDOW = 5_000;
    /** The reference: 100,000 rows in chunks of 1,000 (see {@link #referenceChunks()}). */
    private static final int REFERENCE_CHUNKS = 100;
    private static final int CHUNK = 1_000;

    // ---- data ----

    /**
     * One row of the correlation-flip data: x1, x2 standard normal with correlation {@code rho}; x3 normal
     * with mean 5 and sd 2; x4 exponential with mean 1. The marginals do not depend on {@code rho}.
     */
    static double[] flipRow(SplittableRandom random, double rho) {
        double z1 = random.nextGaussian();
        double z2 = random.nextGaussian();
        return new double[] {z1, rho * z1 + Math.sqrt(1 - rho * rho) * z2, 5 + 2 * random.nextGaussian(),
            -Math.log(1 - random.nextDouble())};
    }

    static double[][] flipRows(long seed, int n, double rho) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] rows = new double[n][];
        for (int r = 0; r < n; r++) {
            rows[r] = flipRow(random, rho);
        }
        return rows;
    }

    static CoMoments moments(List<String> names, double[][] rows) {
        CoMoments c = new CoMoments(names);
        for (double[] row : rows) {
            c.add(row);
        }
        return c;
    }

    /**
     * The reference of the flip tests: 100 chunks of 1,000 rows with correlation +0.8. Many small chunks
     * estimate the per-row sd of the error to about 7%; 20 chunks of 5,000 would leave 16%, and x4's
     * heavy-tailed squared errors more (with them one of 20 fresh samples fell just outside the band).
     */
    static List<double[][]> referenceChunks() {
        List<double[][]> chunks = new ArrayList<>();
        for (int k = 0; k < REFERENCE_CHUNKS; k++) {
            chunks.add(flipRows(100 + k, CHUNK, 0.8));
        }
        return chunks;
    }

    static PcaReconstructionModel fit(List<String> names, List<double[][]> chunks) {
        List<CoMoments> moments = chunks.stream().map(c -> moments(names, c)).toList();
        CoMoments reference = new CoMoments(names);
        moments.forEach(reference::merge);
        return PcaReconstructionModel.fit(reference, moments);
    }

    /** Rows x = offset_i + scale_i (A g)_i with a random A, each value missing with {@code missingRate}. */
    static double[][] correlatedRows(long seed, long matrixSeed, int n, int d, double missingRate) {
        Random matrix = new Random(matrixSeed);
        double[][] a = new double[d][d];
        for (double[] r : a) {
            for (int j = 0; j < d; j++) {
                r[j] = matrix.nextGaussian();
            }
        }
        Random random = new Random(seed);
        double[][] rows = new double[n][d];
        double[] g = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                g[j] = random.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double x = 0;
                for (int j = 0; j < d; j++) {
                    x += a[i][j] * g[j];
                }
                row[i] = random.nextDouble() < missingRate ? Double.NaN : 100 * i + (i + 1) * x;
            }
        }
        return rows;
    }

    /**
     * The mean squared reconstruction error row by row, from the model's parameters: z = (x - mu) / sigma
     * (0 for a missing value: imputed at the reference mean), residual z - V^T (V z), its squared norm.
     */
    static double rowByRowError(PcaReconstructionModel model, double[][] rows) {
        List<String> used = model.featuresUsed();
        int[] index = used.stream().mapToInt(model.featureNames()::indexOf).toArray();
        double[] mu = model.referenceMeans();
        double[] sigma = model.referenceScales();
        double[][] v = model.componentVectors();
        double sum = 0;
        double[] z = new double[used.size()];
        for (double[] row : rows) {
            for (int a = 0; a < z.length; a++) {
                double x = row[index[a]];
                z[a] = Double.isFinite(x) ? (x - mu[a]) / sigma[a] : 0;
            }
            double[] residual = z.clone();
            for (double[] component : v) {
                double projection = 0;
                for (int a = 0; a < z.length; a++) {
                    projection += component[a] * z[a];
                }
                for (int a = 0; a < z.length; a++) {
                    residual[a] -= projection * component[a];
                }
            }
            for (double r : residual) {
                sum += r * r;
            }
        }
        return sum / rows.length;
    }

    static FeatureProfile profile(double[][] rows, int feature) {
        // k large enough that the sketches are (nearly) exact: the univariate tests miss the drift on
        // their own merits, not by sketch error
        FeatureProfile p = new FeatureProfile(new SketchSettings(32768, 64, 12));
        for (double[] row : rows) {
            p.add(row[feature]);
        }
        return p;
    }

    // ---- the moment formula ----

    @Test
    void momentFormulaEqualsTheRowByRowReconstructionError() {
        List<String> names = List.of("a", "b", "c", "d", "e", "f");
        for (double missing : new double[] {0, 0.07}) {
            List<double[][]> chunks = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                chunks.add(correlatedRows(k, 1, 2_000, names.size(), missing));
            }
            PcaReconstructionModel model = fit(names, chunks);
            assertThat(model.reason()).isNull();
            assertThat(model.components()).isBetween(1, 5);
            // a current sample from another covariance, shifted
            double[][] current = correlatedRows(99, 2, 3_000, names.size(), missing);

            double fromMoments = model.reconstructionError(moments(names, current));

            assertThat(fromMoments).isCloseTo(rowByRowError(model, current), within(1e-9 * fromMoments));
            double[][] reference = chunks.stream().flatMap(Arrays::stream).toArray(double[][]::new);
            double inSample = rowByRowError(model, reference);
            assertThat(model.reconstructionError(moments(names, reference))).isCloseTo(inSample,
                    within(1e-9 * inSample));
            // the band's center is the held-out error: fresh rows are reconstructed worse than the rows the
            // components were fitted on, by O(m k / N) relative
            assertThat(model.referenceError()).isGreaterThan(inSample).isLessThan(inSample * 1.01);
        }
    }

    @Test
    void mergedWindowsGiveTheErrorOfTheirUnion() {
        List<String> names = List.of("a", "b", "c", "d", "e");
        List<double[][]> chunks = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            chunks.add(correlatedRows(k, 3, 1_000, names.size(), 0.05));
        }
        PcaReconstructionModel model = fit(names, chunks);
        double[][] rows = correlatedRows(50, 4, 6_000, names.size(), 0.05);
        CoMoments merged = new CoMoments(names);
        for (int w = 0; w < 6; w++) {
            merged.merge(moments(names, Arrays.copyOfRange(rows, w * 1_000, (w + 1) * 1_000)));
        }

        double error = model.reconstructionError(merged);

        assertThat(error).isCloseTo(model.reconstructionError(moments(names, rows)), within(1e-12 * error));
        assertThat(error).isCloseTo(rowByRowError(model, rows), within(1e-9 * error));
    }

    // ---- against scikit-learn ----

    static Stream<JsonNode> fixtureCases() {
        try (InputStream in = PcaReconstructionModelTest.class
                .getResourceAsStream("/fixtures/multivariate/multivariate.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> cases = new ArrayList<>();
            root.get("cases").forEach(cases::add);
            return cases.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[][] fixtureRows(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            JsonNode row = rows.get(r);
            out[r] = new double[row.size()];
            for (int i = 0; i < row.size(); i++) {
                out[r][i] = row.get(i).isNull() ? Double.NaN : row.get(i).asLong() / 1e4;
            }
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureCases")
    void pcaMatchesScikitLearn(JsonNode fixture) {
        List<String> names = new ArrayList<>();
        fixture.get("features").forEach(n -> names.add(n.asText()));
        double[][] reference = fixtureRows(fixture.get("reference"));
        double[][] current = fixtureRows(fixture.get("current"));
        List<double[][]> chunks = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            chunks.add(Arrays.copyOfRange(reference, k * 300, (k + 1) * 300));
        }
        JsonNode expected = fixture.get("expected");

        PcaReconstructionModel model = fit(names, chunks);

        assertThat(model.reason()).isNull();
        assertThat(model.featuresUsed()).isEqualTo(names);
        double[] mean = doubles(expected.get("scaler_mean"));
        double[] scale = doubles(expected.get("scaler_scale"));
        for (int a = 0; a < names.size(); a++) {
            assertThat(model.referenceMeans()[a]).isCloseTo(mean[a], within(1e-12 * Math.max(1, Math.abs(mean[a]))));
            assertThat(model.referenceScales()[a]).isCloseTo(scale[a], within(1e-12 * scale[a]));
        }
        assertThat(model.explainedVarianceRatio())
                .containsExactly(doubles(expected.get("explained_variance_ratio")), within(1e-10));
        assertThat(model.components()).isEqualTo(expected.get("n_components").asInt());
        double[][] components = model.componentVectors();
        for (int c = 0; c < components.length; c++) {
            double[] sk = doubles(expected.get("components").get(c));
            double sign = Math.signum(dot(sk, components[c]));
            for (int a = 0; a < sk.length; a++) {
                assertThat(sign * components[c][a]).as("component %d[%d]", c, a).isCloseTo(sk[a], within(1e-8));
            }
        }
        double mseReference = expected.get("mse_reference").asDouble();
        double mseCurrent = expected.get("mse_current").asDouble();
        assertThat(model.reconstructionError(moments(names, reference))).isCloseTo(mseReference,
                within(1e-9 * mseReference));
        assertThat(model.reconstructionError(moments(names, current))).isCloseTo(mseCurrent,
                within(1e-9 * mseCurrent));
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    // ---- drift decisions ----

    @Test
    void correlationFlipIsCaughtWhenMarginalsAreUnchanged() {
        List<double[][]> chunks = referenceChunks();
        double[][] reference = chunks.stream().flatMap(Arrays::stream).toArray(double[][]::new);
        double[][] current = flipRows(1, WINDOW, -0.8);

        // the marginals are unchanged, so each KS p-value is uniform on [0, 1]: p > 0.01 for 99% of seeds
        // (measured over 300 seeds: 1.1%); for this one they are 0.07 to 0.62
        for (int i = 0; i < FLIP_NAMES.size(); i++) {
            NumericalDrift univariate = NumericalDrift.of(profile(reference, i), profile(current, i));
            assertThat(univariate.ks().pValue()).as("KS p-value of %s", FLIP_NAMES.get(i)).isGreaterThan(0.01);
            assertThat(univariate.wasserstein().normalized()).as("Wasserstein of %s", FLIP_NAMES.get(i))
                    .isLessThan(0.1);
            assertThat(univariate.psi().psi()).as("PSI of %s", FLIP_NAMES.get(i)).isLessThan(0.1);
        }

        PcaReconstructionModel model = fit(FLIP_NAMES, chunks);
        MultivariateDriftResult result = model.evaluate(moments(FLIP_NAMES, current));

        assertThat(result.reason()).isNull();
        assertThat(result.drifted()).isTrue();
        assertThat(result.reconstructionError()).isGreaterThan(result.upper());
        assertThat(result.rows()).isEqualTo(WINDOW);
        assertThat(result.featuresUsed()).isEqualTo(FLIP_NAMES);
        // eigenvalues of the standardized reference: 1.8 and 0.2 (x1, x2), about 1 and 1 (x3, x4);
        // 2 components explain 2.8 / 4 > 65%, leaving 0.2 + 1 in the reference and, with the flip,
        // the 1.8 of the direction (1, -1) / sqrt 2 plus 1
        assertThat(result.components()).isEqualTo(2);
        assertThat(result.referenceError()).isCloseTo(1.2, within(0.05));
        assertThat(result.reconstructionError()).isCloseTo(2.8, within(0.1));
    }

    @Test
    void freshSamplesOfTheReferenceAreNotDrifted() {
        // calibration measured over 3,000 fresh samples: (error - center) / (s / sqrt(n)) had mean -0.02 and
        // sd 0.97, and 2 fell outside +-3 (the normal's 0.27% would be 8)
        PcaReconstructionModel model = fit(FLIP_NAMES, referenceChunks());

        for (long seed = 1_000; seed < 1_020; seed++) {
            MultivariateDriftResult result = model.evaluate(moments(FLIP_NAMES, flipRows(seed, WINDOW, 0.8)));

            assertThat(result.drifted()).as("seed %d: %s", seed, result).isFalse();
            assertThat(result.reconstructionError()).isBetween(result.lower(), result.upper());
        }
    }

    @Test
    void bandIsTheHeldOutCenterWithTheReferencesOwnErrorInQuadrature() {
        List<double[][]> chunks = referenceChunks();
        PcaReconstructionModel model = fit(FLIP_NAMES, chunks);
        // cross-fitting recomputed here: chunk j in fold j mod 10, its error under the model of the other folds
        int folds = 10;
        double[] errors = new double[chunks.size()];
        for (int f = 0; f < folds; f++) {
            List<double[][]> rest = new ArrayList<>();
            for (int j = 0; j < chunks.size(); j++) {
                if (j % folds != f) {
                    rest.add(chunks.get(j));
                }
            }
            PcaReconstructionModel foldModel = fit(FLIP_NAMES, rest);
            assertThat(foldModel.components()).isEqualTo(model.components());
            for (int j = f; j < chunks.size(); j += folds) {
                errors[j] = foldModel.reconstructionError(moments(FLIP_NAMES, chunks.get(j)));
            }
        }
        double center = Arrays.stream(errors).average().orElseThrow();
        double sdPerRow = Math.sqrt(CHUNK * Arrays.stream(errors).map(e -> (e - center) * (e - center)).sum()
                / (errors.length - 1));
        long referenceRows = (long) CHUNK * REFERENCE_CHUNKS;

        assertThat(model.referenceError()).isCloseTo(center, within(1e-12));
        assertThat(model.errorSdPerRow()).isCloseTo(sdPerRow, within(1e-12));
        assertThat(model.chunksUsed()).isEqualTo(REFERENCE_CHUNKS);
        assertThat(model.folds()).isEqualTo(folds);
        double dof = model.errorSdDegreesOfFreedom();
        assertThat(dof).isLessThanOrEqualTo(REFERENCE_CHUNKS - 1).isGreaterThan(REFERENCE_CHUNKS / 3.0);
        double q = new TDistribution(null, dof).inverseCumulativeProbability(
                new NormalDistribution(null, 0, 1).cumulativeProbability(3));
        for (int n : new int[] {500, WINDOW, 20_000}) {
            MultivariateDriftResult result = model.evaluate(moments(FLIP_NAMES, flipRows(n, n, 0.8)));
            long rows = result.rows();
            double sd = sdPerRow * Math.sqrt(1.0 / rows + 1.0 / referenceRows);
            assertThat((result.upper() - result.lower()) / 2).as("half-width at n = %d", rows)
                    .isCloseTo(q * sd, within(1e-12));
            // the skewness correction moves the band up by at most (q^2 - 1) / 6 sd
            double mid = (result.upper() + result.lower()) / 2;
            assertThat(mid - center).isBetween(-1e-12, sd * (q * q - 1) / 6 + 1e-12);
        }
    }

    @Test
    void modelStoredBeforeCrossFittingIsReadWithTheReferencesOwnErrorAdded() {
        // written by the previous version (format 1): 5 chunks of 1,000 rows of (z1, 0.8 z1 + 0.6 z2, z3), its
        // in-sample center 0.19031979932212342, sd per row 0.3695406389879939
        byte[] format1 = java.util.Base64.getDecoder().decode("Ac3MzMzMzOQ/AAAAAAAACEBkAAAAAAAAAAMAAAACAAAAeDECAAAAeDIC"
                + "AAAAeDOIEwAAAAAAAAAAABlwa2guR0S/QI7cJutmkb8azjqgfeeCPw7rDF/TC/A/9ETpgyML8D9+1HTvau7vPwMAAAB530KX6Pb8P6"
                + "RrPkUV++8/vFXvMGZcyD8CAAAAgFAZtLGe5j8V51HEMp7mPziwQ0XnCpw/5G42c2yQkb/6SwcxFBiWvwEtojPj/O8/tVXvMGZcyD"
                + "+hxL/HjabXPwUAAAD/////");
        PcaReconstructionModel model = PcaReconstructionModel.fromBytes(format1);

        assertThat(model.reason()).isNull();
        assertThat(model.referenceError()).isEqualTo(0.19031979932212342);
        assertThat(model.errorSdPerRow()).isEqualTo(0.3695406389879939);
        assertThat(model.folds()).isZero();
        assertThat(model.errorSdDegreesOfFreedom()).isEqualTo(4);
        double q = new TDistribution(null, 4).inverseCumulativeProbability(
                new NormalDistribution(null, 0, 1).cumulativeProbability(3));
        CoMoments window = new CoMoments(List.of("x1", "x2", "x3"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            window.add(new double[] {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()});
        }
        MultivariateDriftResult result = model.evaluate(window);
        double half = q * 0.3695406389879939 * Math.sqrt(1.0 / 20_000 + 1.0 / 5_000);
        assertThat(result.upper()).isCloseTo(0.19031979932212342 + half, within(1e-12));
        assertThat(result.lower()).isCloseTo(0.19031979932212342 - half, within(1e-12));
        // and it is written back in the current format, which reads the same
        assertThat(PcaReconstructionModel.fromBytes(model.toBytes()).evaluate(window)).isEqualTo(result);
    }

    // ---- what cannot be computed ----

    @Test
    void zeroVarianceAndEmptyFeaturesAreDroppedAndReported() {
        List<String> names = List.of("x1", "constant", "x2", "x3", "never", "x4");
        List<double[][]> chunks = new ArrayList<>();
        for (double[][] chunk : referenceChunks().subList(0, 10)) {
            chunks.add(Arrays.stream(chunk).map(r -> new double[] {r[0], 7, r[1], r[2], Double.NaN, r[3]})
                    .toArray(double[][]::new));
        }

        PcaReconstructionModel model = fit(names, chunks);

        assertThat(model.reason()).isNull();
        assertThat(model.featuresUsed()).containsExactly("x1", "x2", "x3", "x4");
        assertThat(model.droppedFeatures()).containsOnlyKeys("constant", "never");
        assertThat(model.droppedFeatures().get("constant")).contains("zero variance");
        assertThat(model.droppedFeatures().get("never")).contains("no finite value");
        // the dropped features do not enter the error: a changed constant does not matter
        double[][] current = Arrays.stream(flipRows(3, WINDOW, 0.8)).map(r -> new double[] {r[0], 9, r[1], r[2], 1, r[3]})
                .toArray(double[][]::new);
        assertThat(model.evaluate(moments(names, current)).drifted()).isFalse();
    }

    @Test
    void fewerThanTwoUsableFeaturesGivesAReason() {
        List<String> names = List.of("x", "constant");
        List<double[][]> chunks = List.of(new double[][] {{1, 3}, {2, 3}, {4, 3}}, new double[][] {{5, 3}, {0, 3}});

        PcaReconstructionModel model = fit(names, chunks);
        MultivariateDriftResult result = model.evaluate(moments(names, new double[][] {{1, 3}}));

        assertThat(model.reason()).contains("at least 2 numerical features with variance").contains("had 1 of 2");
        assertThat(result.computed()).isFalse();
        assertThat(result.drifted()).isNull();
        assertThat(result.reason()).isEqualTo(model.reason());
        assertThat(result.reconstructionError()).isNaN();
        assertThat(result.upper()).isNaN();
    }

    @Test
    void tooFewRowsSaysHowManyAreNeeded() {
        PcaReconstructionModel model = fit(FLIP_NAMES, referenceChunks());

        MultivariateDriftResult small = model.evaluate(moments(FLIP_NAMES, flipRows(5, 50, 0.8)));
        MultivariateDriftResult empty = model.evaluate(new CoMoments(FLIP_NAMES));

        assertThat(small.drifted()).isNull();
        assertThat(small.reason()).isEqualTo("the threshold needs at least 100 rows in the window, had 50");
        assertThat(small.reconstructionError()).isFinite(); // computed, but no decision
        assertThat(small.lower()).isNaN();
        assertThat(empty.drifted()).isNull();
        assertThat(empty.reason()).contains("at least 100 rows").contains("had 0");
        assertThat(empty.reconstructionError()).isNaN();
    }

    @Test
    void tooFewReferenceChunksGiveAReason() {
        List<double[][]> chunks = referenceChunks();
        List<double[][]> oneUsable = List.of(chunks.get(0), new double[0][]);

        PcaReconstructionModel model = fit(FLIP_NAMES, oneUsable);
        MultivariateDriftResult result = model.evaluate(moments(FLIP_NAMES, chunks.get(2)));

        assertThat(model.reason()).isEqualTo("the threshold needs at least 2 reference chunks with rows, had 1 of 2");
        assertThat(result.drifted()).isNull();
        assertThat(result.components()).isEqualTo(2);
        assertThat(result.reconstructionError()).isFinite();
    }

    @Test
    void everyComponentNeededLeavesNothingToReconstruct() {
        // two independent features: each explains about half, so 65% needs both
        List<String> names = List.of("x3", "x4");
        List<double[][]> chunks = new ArrayList<>();
        for (double[][] chunk : referenceChunks().subList(0, 5)) {
            chunks.add(Arrays.stream(chunk).map(r -> new double[] {r[2], r[3]}).toArray(double[][]::new));
        }

        PcaReconstructionModel model = fit(names, chunks);

        assertThat(model.reason()).startsWith("all 2 components are needed to explain more than 65.0%");
        assertThat(model.evaluate(moments(names, chunks.get(0))).drifted()).isNull();
        PcaReconstructionModel lower = PcaReconstructionModel.fit(moments(names, chunks.get(0)),
                chunks.stream().map(c -> moments(names, c)).toList(), new PcaReconstructionModel.Settings(0.4, 3, 100));
        assertThat(lower.reason()).isNull();
        assertThat(lower.components()).isEqualTo(1);
    }

    @Test
    void argumentsAreValidated() {
        PcaReconstructionModel model = fit(FLIP_NAMES, referenceChunks().subList(0, 3));

        assertThatThrownBy(() -> model.evaluate(new CoMoments(List.of("x1", "x2", "x3"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the window has features");
        assertThatThrownBy(() -> PcaReconstructionModel.fit(new CoMoments(FLIP_NAMES), List.of(new CoMoments(List.of("y")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("referenceChunks[0]");
        assertThatThrownBy(() -> new PcaReconstructionModel.Settings(1, 3, 100)).hasMessageContaining("varianceFraction");
        assertThatThrownBy(() -> new PcaReconstructionModel.Settings(0.65, 0, 100)).hasMessageContaining("bandSds");
        assertThatThrownBy(() -> new PcaReconstructionModel.Settings(0.65, 3, 1)).hasMessageContaining("minRows");
    }

    // ---- serialization ----

    @Test
    void toBytesRoundTripGivesTheSameModel() {
        List<double[][]> chunks = referenceChunks().subList(0, 10);
        PcaReconstructionModel usable = fit(FLIP_NAMES, chunks);
        PcaReconstructionModel unusable = fit(List.of("x", "constant"),
                List.of(new double[][] {{1, 3}, {2, 3}}, new double[][] {{5, 3}, {0, 3}}));
        PcaReconstructionModel noThreshold = fit(FLIP_NAMES, chunks.subList(0, 1));
        CoMoments window = moments(FLIP_NAMES, flipRows(11, WINDOW, -0.3));

        for (PcaReconstructionModel model : List.of(usable, unusable, noThreshold)) {
            byte[] bytes = model.toBytes();
            PcaReconstructionModel back = PcaReconstructionModel.fromBytes(bytes);

            assertThat(back.toBytes()).isEqualTo(bytes);
            assertThat(back.reason()).isEqualTo(model.reason());
            assertThat(back.droppedFeatures()).isEqualTo(model.droppedFeatures());
            assertThat(back.explainedVarianceRatio()).isEqualTo(model.explainedVarianceRatio());
            assertThat(back.settings()).isEqualTo(model.settings());
            assertThat(back.referenceRows()).isEqualTo(model.referenceRows());
        }
        assertThat(PcaReconstructionModel.fromBytes(usable.toBytes()).evaluate(window)).isEqualTo(usable.evaluate(window));
        assertThat(PcaReconstructionModel.fromBytes(noThreshold.toBytes()).evaluate(window))
                .isEqualTo(noThreshold.evaluate(window));
    }

    @Test
    void fromBytesRejectsInvalidEncodingsWithClearErrors() {
        byte[] good = fit(FLIP_NAMES, referenceChunks().subList(0, 3)).toBytes();

        byte[] version = good.clone();
        version[0] = 3;
        assertThatThrownBy(() -> PcaReconstructionModel.fromBytes(version))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format version 3");
        assertThatThrownBy(() -> PcaReconstructionModel.fromBytes(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PcaReconstructionModel.fromBytes(Arrays.copyOf(good, good.length + 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
        assertThatThrownBy(() -> PcaReconstructionModel.fromBytes(new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }
}
