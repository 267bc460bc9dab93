package dev.modelwatch.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.drift.DecisionFixture.Numerical;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.datasketches.kll.KllSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drift decisions. With exact sketches (KLL keeping every value, categories counted exactly) every
 * decision and the value it compares must be scipy's ({@code fixtures/drift/make_decision_fixtures.py}:
 * {@code ks_2samp}, {@code kolmogi}, {@code wasserstein_distance}, {@code chi2_contingency},
 * {@code chi2.ppf}, {@code jensenshannon}). With compacting sketches the decision must rest on the
 * range the exact value can have: the tests compute the exact statistic from the raw values (written
 * here independently) and check that it lies in {@code [valueLow, valueHigh]}, and that a value whose
 * range straddles the critical value is {@code uncertain}, never {@code drifted}.
 */
class FeatureDriftAnalysisTest {
    private static final double ALPHA = 0.01;

    static Stream<Numerical> ksCases() {
        return DecisionFixture.ks().stream();
    }

    static Stream<Numerical> wassersteinCases() {
        return DecisionFixture.wasserstein().stream();
    }

    static Stream<JsonNode> categoricalCases() {
        return DecisionFixture.categorical().stream();
    }

    @Test
    void limitingKolmogorovDistributionMatchesScipy() {
        JsonNode k = DecisionFixture.ROOT.get("kolmogorov");
        for (int i = 0; i < k.get("alphas").size(); i++) {
            double alpha = k.get("alphas").get(i).asDouble();
            assertThat(KolmogorovLimit.criticalValue(alpha)).as("kolmogi(%s)", alpha)
                    .isCloseTo(k.get("kolmogi").get(i).asDouble(), within(1e-9));
        }
        for (int i = 0; i < k.get("x").size(); i++) {
            double x = k.get("x").get(i).asDouble();
            double expected = k.get("survival").get(i).asDouble();
            assertThat(KolmogorovLimit.survival(x)).as("kolmogorov(%s)", x)
                    .isCloseTo(expected, within(1e-12 + 1e-9 * expected));
        }
    }

    @Test
    void chiSquareCriticalValuesMatchScipy() {
        for (JsonNode c : DecisionFixture.ROOT.get("chi2_critical")) {
            assertThat(FeatureDriftAnalysis.chiSquareCritical(c.get("alpha").asDouble(), c.get("dof").asInt()))
                    .as("%s", c).isCloseTo(c.get("critical").asDouble(), within(1e-6));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ksCases")
    void ksDecisionOfExactSketchesIsScipysStatisticAgainstTheAsymptoticCriticalValue(Numerical c) {
        FeatureDrift d = FeatureDriftAnalysis.of("x", c.referenceProfile(), c.currentProfile(), DriftPolicy.DEFAULT);

        assertThat(d.method()).isEqualTo(DriftMethod.KS);
        assertThat(d.threshold()).isEqualTo(ALPHA);
        assertThat(d.statistics().ksErrorBound()).isZero();
        assertThat(d.value()).isCloseTo(c.expected().get("ks_statistic").asDouble(), within(1e-12));
        assertThat(d.valueLow()).isEqualTo(d.value());
        assertThat(d.valueHigh()).isEqualTo(d.value());
        assertThat(d.criticalValue()).isCloseTo(c.expected().get("critical").asDouble(), within(1e-9));
        assertThat(d.decision()).isEqualTo(c.expected().get("drifted").asBoolean() ? DriftDecision.DRIFTED
                : DriftDecision.NO_DRIFT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ksCases")
    void psiAndJensenShannonOverridesDecideOnScipysValues(Numerical c) {
        DriftPolicy psi = DriftPolicy.builder().model(DriftOverride.method(DriftMethod.PSI)).build();
        DriftPolicy js = DriftPolicy.builder().model(DriftOverride.method(DriftMethod.JENSEN_SHANNON)).build();

        FeatureDrift byPsi = FeatureDriftAnalysis.of("x", c.referenceProfile(), c.currentProfile(), psi);
        FeatureDrift byJs = FeatureDriftAnalysis.of("x", c.referenceProfile(), c.currentProfile(), js);

        double expectedPsi = c.expected().get("psi").asDouble();
        assertThat(byPsi.threshold()).isEqualTo(0.2);
        assertThat(byPsi.value()).isCloseTo(expectedPsi, within(1e-9));
        assertThat(byPsi.valueHigh() - byPsi.valueLow()).isZero();
        assertThat(byPsi.drifted()).isEqualTo(expectedPsi >= 0.2);
        double expectedJs = c.expected().get("js").asDouble();
        assertThat(byJs.threshold()).isEqualTo(0.1);
        assertThat(byJs.value()).isCloseTo(expectedJs, within(1e-9));
        assertThat(byJs.valueHigh() - byJs.valueLow()).isCloseTo(0, within(1e-12));
        assertThat(byJs.drifted()).isEqualTo(expectedJs >= 0.1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wassersteinCases")
    void wassersteinDecisionOfExactSketchesIsScipysDistanceInReferenceSds(Numerical c) {
        FeatureDrift d = FeatureDriftAnalysis.of("x", c.referenceProfile(), c.currentProfile(), DriftPolicy.DEFAULT);

        assertThat(d.method()).isEqualTo(DriftMethod.WASSERSTEIN);
        assertThat(d.statistics().wasserstein()).isCloseTo(c.expected().get("wasserstein").asDouble(), within(1e-9));
        assertThat(d.value()).isCloseTo(c.expected().get("normalized").asDouble(), within(1e-9));
        // exact sketches: W1 itself is the lower bound, never below the gap of the means
        assertThat(d.valueLow()).isCloseTo(d.value(), within(1e-12));
        assertThat(d.valueLow() * d.statistics().wasserstein() / d.value())
                .isGreaterThanOrEqualTo(c.expected().get("mean_gap").asDouble() - 1e-9);
        assertThat(d.criticalValue()).isEqualTo(0.1);
        assertThat(d.decision()).isEqualTo(c.expected().get("drifted").asBoolean() ? DriftDecision.DRIFTED
                : DriftDecision.NO_DRIFT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("categoricalCases")
    void categoricalDecisionsMatchScipy(JsonNode c) {
        FeatureDrift d = FeatureDriftAnalysis.of("c", DecisionFixture.categoricalProfile(c.get("ref")),
                DecisionFixture.categoricalProfile(c.get("cur")), DriftPolicy.DEFAULT);

        assertThat(d.type()).isEqualTo(FeatureType.CATEGORICAL);
        assertThat(d.method().wireName()).isEqualTo(c.get("method").asText());
        assertThat(d.statistics().chi2PValue()).isCloseTo(c.get("chi2_pvalue").asDouble(),
                within(1e-9 * c.get("chi2_pvalue").asDouble() + 1e-300));
        assertThat(d.statistics().jsDistance()).isCloseTo(c.get("js").asDouble(), within(1e-9));
        if (d.method() == DriftMethod.CHI_SQUARE) {
            assertThat(d.value()).isCloseTo(c.get("chi2").asDouble(), within(1e-9));
            assertThat(d.criticalValue()).isCloseTo(c.get("chi2_critical").asDouble(), within(1e-6));
        } else {
            assertThat(d.value()).isCloseTo(c.get("js").asDouble(), within(1e-9));
            assertThat(d.criticalValue()).isEqualTo(0.1);
        }
        assertThat(d.valueLow()).isCloseTo(d.value(), within(1e-12));
        assertThat(d.valueHigh()).isCloseTo(d.value(), within(1e-12));
        assertThat(d.decision()).isEqualTo(c.get("drifted").asBoolean() ? DriftDecision.DRIFTED
                : DriftDecision.NO_DRIFT);
    }

    @Test
    void ksDecidesOnTheLowerBoundSoThatTheSketchErrorCannotAlarm() {
        // n_eff = 1,000: KS by default; k = 200 sketches err by up to 0.027 in D
        double[] ref = normal(2000, 1, 0, 1);
        double[] cur = normal(2000, 2, 0.13, 1);
        DriftPolicy policy = DriftPolicy.DEFAULT;
        FeatureDrift sketched = FeatureDriftAnalysis.of("x", profile(ref, 200), profile(cur, 200), policy);
        FeatureDrift exact = FeatureDriftAnalysis.of("x", profile(ref, 32768), profile(cur, 32768), policy);

        double critical = 1.6276236115189504 * Math.sqrt(2.0 / 2000); // scipy kolmogi(0.01)
        double bound = sketched.statistics().ksErrorBound();
        assertThat(sketched.method()).isEqualTo(DriftMethod.KS);
        assertThat(bound).isGreaterThan(0.02);
        assertThat(sketched.criticalValue()).isCloseTo(critical, within(1e-9));
        assertThat(sketched.valueLow()).isCloseTo(sketched.value() - bound, within(1e-15));
        assertThat(sketched.valueHigh()).isCloseTo(sketched.value() + bound, within(1e-15));
        assertThat(exact.value()).isCloseTo(ksStatistic(ref, cur), within(1e-12));
        assertThat(exact.value()).isBetween(sketched.valueLow(), sketched.valueHigh());
        assertThat(sketched.decision()).isEqualTo(DriftDecision.UNCERTAIN);
        assertThat(sketched.drifted()).isFalse();
        assertThat(sketched.reason()).contains("on both sides of the critical value");
        assertThat(exact.decision()).isIn(DriftDecision.DRIFTED, DriftDecision.NO_DRIFT);
    }

    @Test
    void theExactMeansProveAShiftThatTheWassersteinSketchBoundCannot() {
        double[] ref = normal(20000, 3, 0, 1);
        double[] cur = normal(20000, 4, 0.15, 1);

        FeatureDrift d = FeatureDriftAnalysis.of("x", profile(ref, 200), profile(cur, 200), DriftPolicy.DEFAULT);

        double sd = sd(ref);
        double meanGap = Math.abs(mean(cur) - mean(ref)) / sd;
        double bound = d.statistics().wassersteinErrorBound() / sd;
        assertThat(d.method()).isEqualTo(DriftMethod.WASSERSTEIN);
        assertThat(d.value() - bound).as("the sketch bound alone").isLessThan(0.1);
        assertThat(d.valueLow()).isCloseTo(meanGap, within(1e-9));
        assertThat(d.valueLow()).isLessThanOrEqualTo(wasserstein(ref, cur) / sd + 1e-12);
        assertThat(d.decision()).isEqualTo(DriftDecision.DRIFTED);
    }

    @Test
    void aScaleChangeInsideTheWassersteinBoundIsUncertain() {
        double[] ref = normal(20000, 5, 0, 1);
        double[] cur = normal(20000, 6, 0, 1.15);

        FeatureDrift d = FeatureDriftAnalysis.of("x", profile(ref, 200), profile(cur, 200), DriftPolicy.DEFAULT);

        double exact = wasserstein(ref, cur) / sd(ref);
        assertThat(exact).isBetween(d.valueLow(), d.valueHigh());
        assertThat(d.valueLow()).isLessThan(0.1);
        assertThat(d.valueHigh()).isGreaterThanOrEqualTo(0.1);
        assertThat(d.decision()).isEqualTo(DriftDecision.UNCERTAIN);
    }

    @ParameterizedTest(name = "{0} shift {1} k={2}")
    @CsvSource({"psi, 0, 200", "psi, 0.3, 200", "psi, 0.3, 800", "jensen_shannon, 0, 200",
            "jensen_shannon, 0.3, 200", "jensen_shannon, 0.3, 800"})
    void psiAndJensenShannonRangesHoldTheExactValuesOverTheSketchBins(String method, double shift, int k) {
        double[] ref = normal(20000, 7, 0, 1);
        double[] cur = normal(20000, 8, shift, 1);
        FeatureProfile r = profile(ref, k);
        FeatureProfile c = profile(cur, k);
        DriftPolicy policy = DriftPolicy.builder()
                .model(DriftOverride.method(DriftMethod.fromWireName(method))).build();

        FeatureDrift d = FeatureDriftAnalysis.of("x", r, c, policy);

        double[] edges = PsiDriftTest.numerical(r, c).edges();
        double[] p = proportions(ref, edges);
        double[] q = proportions(cur, edges);
        double exact = method.equals("psi") ? psi(p, q) : jensenShannon(p, q);
        assertThat(d.valueHigh()).isGreaterThan(d.valueLow());
        assertThat(exact).isBetween(d.valueLow(), d.valueHigh());
        assertThat(d.value()).isBetween(d.valueLow(), d.valueHigh());
    }

    @ParameterizedTest(name = "{0} and {1} values")
    @CsvSource({"29, 500, false", "500, 29, false", "30, 30, true", "0, 500, false"})
    void aFeatureNeedsThirtyValuesOnEachSide(int n, int m, boolean tested) {
        FeatureProfile ref = profile(normal(n, 9, 0, 1), 200);
        for (int i = 0; i < 3; i++) {
            ref.addNull(); // with n = 0, a reference that saw only nulls
        }
        FeatureProfile cur = profile(normal(m, 10, 0, 1), 200);

        FeatureDrift d = FeatureDriftAnalysis.of("x", ref, cur, DriftPolicy.DEFAULT);

        if (tested) {
            assertThat(d.decision()).isNotEqualTo(DriftDecision.NOT_TESTED);
            assertThat(d.statistics().ksStatistic()).isNotNull();
        } else {
            assertThat(d.decision()).isEqualTo(DriftDecision.NOT_TESTED);
            assertThat(d.drifted()).isFalse();
            assertThat(d.reason()).contains(n + " reference and " + m + " current").contains("30");
            assertThat(d.statistics()).isEqualTo(DriftStatistics.NONE);
            assertThat(d.value()).isNull();
            assertThat(d.method()).isEqualTo(DriftMethod.KS);
        }
    }

    @Test
    void aFeatureMissingOnOneSideIsNotTested() {
        FeatureProfile values = profile(normal(100, 11, 0, 1), 200);

        FeatureDrift onlyCurrent = FeatureDriftAnalysis.of("new", null, values, DriftPolicy.DEFAULT);
        FeatureDrift onlyReference = FeatureDriftAnalysis.of("gone", values, null, DriftPolicy.DEFAULT);

        assertThat(onlyCurrent.decision()).isEqualTo(DriftDecision.NOT_TESTED);
        assertThat(onlyCurrent.reason()).isEqualTo("not in the reference");
        assertThat(onlyCurrent.type()).isEqualTo(FeatureType.NUMERICAL);
        assertThat(onlyReference.decision()).isEqualTo(DriftDecision.NOT_TESTED);
        assertThat(onlyReference.currentN()).isZero();
        assertThatThrownBy(() -> FeatureDriftAnalysis.of("x", null, null, DriftPolicy.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
        assertThatThrownBy(() -> FeatureDriftAnalysis.of("x", values, values, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy");
    }

    @Test
    void aNumericalFeatureReceivingOnlyStringsIsNotTested() {
        FeatureProfile ref = profile(normal(100, 12, 0, 1), 200);
        FeatureProfile cur = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 100; i++) {
            cur.add("n/a");
        }

        FeatureDrift d = FeatureDriftAnalysis.of("x", ref, cur, DriftPolicy.DEFAULT);

        assertThat(d.type()).isEqualTo(FeatureType.NUMERICAL);
        assertThat(d.decision()).isEqualTo(DriftDecision.NOT_TESTED);
        assertThat(d.reason()).contains("100 reference and 0 current finite numerical values");
    }

    @Test
    void aConstantReferenceCannotScaleTheWassersteinDistance() {
        double[] ones = new double[5000];
        Arrays.fill(ones, 1.0);

        FeatureDrift d = FeatureDriftAnalysis.of("x", profile(ones, 200), profile(normal(5000, 13, 1, 1), 200),
                DriftPolicy.DEFAULT);

        assertThat(d.method()).isEqualTo(DriftMethod.WASSERSTEIN);
        assertThat(d.decision()).isEqualTo(DriftDecision.NOT_TESTED);
        assertThat(d.reason()).contains("no spread");
        assertThat(d.statistics().wasserstein()).isNotNull();
        assertThat(d.statistics().wassersteinNormalized()).isNull();
    }

    @Test
    void categoryCountsBeyondTheSketchAreUncertainNeverAnAlarm() {
        FeatureProfile ref = new FeatureProfile(new SketchSettings(200, 8, 12));
        FeatureProfile cur = new FeatureProfile(new SketchSettings(200, 8, 12));
        for (int i = 0; i < 3000; i++) {
            ref.add("v" + (i % 100));
            cur.add("v" + (i % 7));
        }

        FeatureDrift chi2 = FeatureDriftAnalysis.of("c", ref, cur, DriftPolicy.DEFAULT);
        FeatureDrift js = FeatureDriftAnalysis.of("c", ref, cur,
                DriftPolicy.builder().model(DriftOverride.method(DriftMethod.JENSEN_SHANNON)).build());

        for (FeatureDrift d : List.of(chi2, js)) {
            assertThat(d.decision()).isEqualTo(DriftDecision.UNCERTAIN);
            assertThat(d.reason()).contains("sketch estimates");
            assertThat(d.valueLow()).isNull();
            assertThat(d.valueHigh()).isNull();
        }
    }

    @Test
    void aSingleCategoryOnBothSidesHasNoDrift() {
        FeatureProfile ref = new FeatureProfile(SketchSettings.DEFAULT);
        FeatureProfile cur = new FeatureProfile(SketchSettings.DEFAULT);
        for (int i = 0; i < 50; i++) {
            ref.add("only");
            cur.add("only");
        }

        FeatureDrift d = FeatureDriftAnalysis.of("c", ref, cur, DriftPolicy.DEFAULT);

        assertThat(d.decision()).isEqualTo(DriftDecision.NO_DRIFT);
        assertThat(d.criticalValue()).isNull();
        assertThat(d.reason()).contains("single category");
    }

    @Test
    void anOverrideThatDoesNotApplyToTheTypeFallsBackWithANote() {
        JsonNode c = DecisionFixture.categorical().get(0);
        DriftPolicy policy = DriftPolicy.builder().feature("c", DriftOverride.method(DriftMethod.KS)).build();

        FeatureDrift d = FeatureDriftAnalysis.of("c", DecisionFixture.categoricalProfile(c.get("ref")),
                DecisionFixture.categoricalProfile(c.get("cur")), policy);

        assertThat(d.method()).isEqualTo(DriftMethod.CHI_SQUARE);
        assertThat(d.reason()).isEqualTo("method ks does not apply to categorical features; used chi_square");
        assertThat(d.drifted()).isTrue();
    }

    @Test
    void allFeaturesComeInReferenceOrderThenTheNewOnes() {
        Map<String, FeatureProfile> ref = new LinkedHashMap<>();
        ref.put("b", profile(normal(100, 14, 0, 1), 200));
        ref.put("a", profile(normal(100, 15, 0, 1), 200));
        Map<String, FeatureProfile> cur = new LinkedHashMap<>();
        cur.put("z", profile(normal(100, 16, 0, 1), 200));
        cur.put("a", profile(normal(100, 17, 0, 1), 200));

        Map<String, FeatureDrift> all = FeatureDriftAnalysis.ofAll(ref, cur, DriftPolicy.DEFAULT);

        assertThat(all.keySet()).containsExactly("b", "a", "z");
        assertThat(all.get("b").decision()).isEqualTo(DriftDecision.NOT_TESTED);
        assertThat(all.get("a").decision()).isNotEqualTo(DriftDecision.NOT_TESTED);
        assertThat(all.get("z").reason()).isEqualTo("not in the reference");
    }

    // --- independent exact statistics over raw values ---

    private static double[] normal(int n, long seed, double mean, double sd) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + sd * r.nextGaussian();
        }
        return v;
    }

    private static FeatureProfile profile(double[] values, int k) {
        KllSeed.set(values.length + k);
        FeatureProfile p = new FeatureProfile(new SketchSettings(k, 64, 12));
        for (double v : values) {
            p.add(v);
        }
        return p;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** {@code #{x <= e} / n}. */
    private static double cdf(double[] sorted, double e) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= e) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return (double) lo / sorted.length;
    }

    /** {@code max |F_a - F_b|} over every sample value. */
    private static double ksStatistic(double[] a, double[] b) {
        double[] sa = a.clone();
        double[] sb = b.clone();
        Arrays.sort(sa);
        Arrays.sort(sb);
        double d = 0;
        for (double x : sa) {
            d = Math.max(d, Math.abs(cdf(sa, x) - cdf(sb, x)));
        }
        for (double x : sb) {
            d = Math.max(d, Math.abs(cdf(sa, x) - cdf(sb, x)));
        }
        return d;
    }

    /** {@code integral |F_a - F_b| dx} between consecutive values of the pooled sample. */
    private static double wasserstein(double[] a, double[] b) {
        double[] sa = a.clone();
        double[] sb = b.clone();
        Arrays.sort(sa);
        Arrays.sort(sb);
        double[] all = new double[a.length + b.length];
        System.arraycopy(sa, 0, all, 0, a.length);
        System.arraycopy(sb, 0, all, a.length, b.length);
        Arrays.sort(all);
        double w = 0;
        for (int i = 0; i + 1 < all.length; i++) {
            w += Math.abs(cdf(sa, all[i]) - cdf(sb, all[i])) * (all[i + 1] - all[i]);
        }
        return w;
    }

    private static double[] proportions(double[] values, double[] edges) {
        double[] s = values.clone();
        Arrays.sort(s);
        double[] p = new double[edges.length + 1];
        double previous = 0;
        for (int i = 0; i < edges.length; i++) {
            double f = cdf(s, edges[i]);
            p[i] = f - previous;
            previous = f;
        }
        p[edges.length] = 1 - previous;
        return p;
    }

    private static double psi(double[] p, double[] q) {
        double eps = 1e-4;
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double a = (p[i] + eps) / (1 + p.length * eps);
            double b = (q[i] + eps) / (1 + p.length * eps);
            sum += (b - a) * Math.log(b / a);
        }
        return sum;
    }

    private static double jensenShannon(double[] p, double[] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            sum += (p[i] > 0 ? p[i] * Math.log(p[i] / m) : 0) + (q[i] > 0 ? q[i] * Math.log(q[i] / m) : 0);
        }
        return Math.sqrt(sum / 2);
    }
}
