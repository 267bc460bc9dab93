package dev.modelwatch.core.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelwatch.core.estimate.EstimatedPerformance.Estimate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Estimated performance against what the labels realize, on simulated windows with covariate
 * shift (the reference x ~ N(0, 1), the current window x ~ N(1, 1.5²), the true
 * {@code P(y=1|x) = sigmoid(2x - 0.5)} unchanged). The realized metrics are computed exactly in
 * {@link Simulation} from the sampled labels; the "oracle" expectations from the true per-event
 * probabilities, without bins.
 */
class PerformanceEstimatorTest {
    private static final int N = 20_000;
    private static final long[] SEEDS = {1, 2, 3, 4, 5};
    private static final String[] METRICS = {EstimatedPerformance.ACCURACY, EstimatedPerformance.PRECISION,
            EstimatedPerformance.RECALL, EstimatedPerformance.F1, EstimatedPerformance.ROC_AUC};

    static Stream<Arguments> seeds() {
        return java.util.Arrays.stream(SEEDS).mapToObj(Arguments::of);
    }

    /** The calibrated model (score = true probability, identity calibrator) and the miscalibrated one (score sigmoid(4x - 1), isotonic calibrator fitted on the reference's labels). */
    record Case(String name, Simulation.Binary current, Calibrator calibrator) {
    }

    static Case calibratedCase(long seed) {
        Random random = new Random(seed);
        return new Case("calibrated", Simulation.binary(random, N, 1.0, 1.5, 2.0, 0.5), Calibrator.identity());
    }

    static Case miscalibratedCase(long seed) {
        Random random = new Random(seed);
        Simulation.Binary reference = Simulation.binary(random, N, 0.0, 1.0, 4.0, 1.0);
        Simulation.Binary current = Simulation.binary(random, N, 1.0, 1.5, 4.0, 1.0);
        return new Case("miscalibrated", current, Calibrator.isotonic(reference.score(), reference.label()));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void estimatedAccuracyTracksRealizedUnderCovariateShift(long seed) {
        for (Case c : List.of(calibratedCase(seed), miscalibratedCase(seed))) {
            Simulation.Binary w = c.current();
            EstimatedPerformance e = PerformanceEstimator.binary(w.profile(), c.calibrator());
            double[] realized = Simulation.realized(w.score(), w.predicted(), w.label());
            assertThat(e.scoredEvents()).isEqualTo(N);
            for (int m = 0; m < METRICS.length; m++) {
                Estimate est = e.estimate(METRICS[m]);
                assertThat(est).as("%s %s", c.name(), METRICS[m]).isNotNull();
                assertThat(realized[m]).as("%s: realized %s %s in the band %s", c.name(), METRICS[m], realized[m], est)
                        .isBetween(est.lower(), est.upper());
                // the band is informative: 3 sd stays well below the 0.02 the issue asks for
                assertThat(3 * est.sd()).as("%s %s band half-width", c.name(), METRICS[m]).isLessThan(0.02);
            }
            assertThat(e.value(EstimatedPerformance.ACCURACY)).as("%s accuracy", c.name())
                    .isCloseTo(realized[0], within(0.02));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void binnedEstimatesMatchTheExactExpectationsWithinTheDiscretisationBound(long seed) {
        Simulation.Binary w = calibratedCase(seed).current();
        ConfidenceProfile profile = w.profile();
        EstimatedPerformance e = PerformanceEstimator.binary(profile, Calibrator.identity());
        double[] oracle = Simulation.oracle(w.score(), w.predicted(), w.truth());
        // ScoreBins' bound for the identity calibrator: per event |s - representative| <= the bin's width
        ScoreBins all = profile.predictedPositiveScores();
        all.merge(profile.predictedNegativeScores());
        ScoreBins positives = profile.predictedPositiveScores();
        double widthSum = 0;
        double positiveWidthSum = 0;
        for (int k = 0; k < all.binCount(); k++) {
            double width = all.upperEdge(k) - all.lowerEdge(k);
            widthSum += all.count(k) * width;
            positiveWidthSum += positives.count(k) * width;
        }
        double accuracyBound = widthSum / N;
        double precisionBound = positiveWidthSum / positives.total();
        assertThat(accuracyBound).as("documented accuracy bound").isLessThan(0.0025);
        assertThat(e.value(EstimatedPerformance.ACCURACY)).isCloseTo(oracle[0], within(accuracyBound));
        assertThat(e.value(EstimatedPerformance.PRECISION)).isCloseTo(oracle[1], within(precisionBound));
        // in practice the errors cancel: far below the bounds and the sampling sd
        for (int m = 0; m < METRICS.length; m++) {
            assertThat(e.value(METRICS[m])).as(METRICS[m]).isCloseTo(oracle[m], within(1e-4));
        }
        // the positive class's expected confusion matrix adds up
        EstimatedPerformance.ClassEstimate c = e.perClass().get("1");
        long predicted = 0;
        for (boolean p : w.predicted()) {
            predicted += p ? 1 : 0;
        }
        assertThat(c.predicted()).isEqualTo(predicted);
        assertThat(c.expectedTruePositives() + c.expectedFalsePositives() + c.expectedFalseNegatives()
                + c.expectedTrueNegatives()).isCloseTo(N, within(1e-6));
        assertThat((c.expectedTruePositives() + c.expectedTrueNegatives()) / N)
                .isCloseTo(e.value(EstimatedPerformance.ACCURACY), within(1e-12));
    }

    @Test
    void recordedPredictionsAndTheThresholdGiveTheSameEstimateWhenTheModelDecidesByIt() {
        Case c = miscalibratedCase(7);
        ConfidenceProfile profile = c.current().profile();
        assertThat(profile.predictionsDisagreeingWith(0.5)).isZero();
        assertThat(PerformanceEstimator.binaryAsPredicted(profile, c.calibrator()))
                .isEqualTo(PerformanceEstimator.binary(profile, c.calibrator(), 0.5));
        // another threshold predicts differently: more positives, so higher recall
        ScoreBins bins = profile.predictedPositiveScores();
        double lower = bins.lowerEdge(bins.binOf(0.3));
        EstimatedPerformance atLower = PerformanceEstimator.binary(profile, c.calibrator(), lower);
        assertThat(profile.predictionsDisagreeingWith(lower)).isPositive();
        assertThat(atLower.value(EstimatedPerformance.RECALL))
                .isGreaterThan(PerformanceEstimator.binary(profile, c.calibrator()).value(EstimatedPerformance.RECALL));
        assertThatThrownBy(() -> PerformanceEstimator.binary(profile, c.calibrator(), 0.3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a bin edge");
        // with LINEAR bins 0.3 is an edge
        ConfidenceProfile linear = c.current().profile(ScoreBins.Spacing.LINEAR, 1000);
        double[] realizedAt03 = Simulation.realized(c.current().score(), thresholded(c.current().score(), 0.3),
                c.current().label());
        EstimatedPerformance at03 = PerformanceEstimator.binary(linear, c.calibrator(), 0.3);
        assertThat(at03.value(EstimatedPerformance.ACCURACY)).isCloseTo(realizedAt03[0], within(0.02));
    }

    private static boolean[] thresholded(double[] score, double threshold) {
        boolean[] p = new boolean[score.length];
        for (int i = 0; i < score.length; i++) {
            p[i] = score[i] >= threshold;
        }
        return p;
    }

    /**
     * The sampling sd is the sd of the realized metric: scores fixed, labels redrawn 1,000 times
     * from the true probabilities; the spread of the exactly computed realized metrics must match
     * the reported samplingSd within 10% (the sd of 1,000 draws is itself uncertain by about 2.2%),
     * and their mean the estimate.
     */
    @Test
    void samplingSdMatchesTheSpreadOfRealizedMetricsOverRedrawnLabels() {
        Random random = new Random(20260301L);
        Simulation.Binary w = Simulation.binary(random, 5_000, 1.0, 1.5, 2.0, 0.5);
        EstimatedPerformance e = PerformanceEstimator.binary(w.profile(), Calibrator.identity());
        int draws = 1_000;
        double[][] realized = new double[METRICS.length][draws];
        int[] label = new int[w.size()];
        for (int d = 0; d < draws; d++) {
            for (int i = 0; i < label.length; i++) {
                label[i] = random.nextDouble() < w.truth()[i] ? 1 : 0;
            }
            double[] r = Simulation.realized(w.score(), w.predicted(), label);
            for (int m = 0; m < METRICS.length; m++) {
                realized[m][d] = r[m];
            }
        }
        for (int m = 0; m < METRICS.length; m++) {
            double mean = java.util.Arrays.stream(realized[m]).average().orElseThrow();
            double sd = Math.sqrt(java.util.Arrays.stream(realized[m]).map(x -> (x - mean) * (x - mean)).sum() / (draws - 1));
            Estimate est = e.estimate(METRICS[m]);
            assertThat(est.calibrationSd()).isZero();
            assertThat(sd / est.samplingSd()).as("%s: realized sd %s vs samplingSd %s", METRICS[m], sd, est.samplingSd())
                    .isBetween(0.9, 1.1);
            assertThat(mean).as("%s mean of realized", METRICS[m]).isCloseTo(est.value(), within(4 * sd / Math.sqrt(draws)));
        }
    }

    /**
     * The calibrationSd approximates the spread of the estimate over calibrators refitted on
     * redrawn reference data (the current window fixed). It is an approximation (see Calibrator)
     * that errs on the wide side here: the measured spread over 200 refits (known to about 5%) is
     * 0.84, 0.80, 0.97, 0.83 and 0.57 of the mean reported calibrationSd for accuracy, precision,
     * recall, F1 and ROC AUC. Asserted: the reported sd is at least 80% and at most twice the spread.
     */
    @Test
    void calibrationSdApproximatesTheSpreadOverRefittedCalibrators() {
        Random random = new Random(20260302L);
        Simulation.Binary current = Simulation.binary(random, N, 1.0, 1.5, 4.0, 1.0);
        ConfidenceProfile profile = current.profile();
        int refits = 200;
        double[][] estimates = new double[METRICS.length][refits];
        double[] reportedSd = new double[METRICS.length];
        for (int f = 0; f < refits; f++) {
            Simulation.Binary reference = Simulation.binary(random, N, 0.0, 1.0, 4.0, 1.0);
            EstimatedPerformance e = PerformanceEstimator.binary(profile, Calibrator.isotonic(reference.score(), reference.label()));
            for (int m = 0; m < METRICS.length; m++) {
                estimates[m][f] = e.value(METRICS[m]);
                reportedSd[m] += e.estimate(METRICS[m]).calibrationSd() / refits;
            }
        }
        for (int m = 0; m < METRICS.length; m++) {
            double[] v = estimates[m];
            double mean = java.util.Arrays.stream(v).average().orElseThrow();
            double sd = Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (refits - 1));
            assertThat(sd / reportedSd[m]).as("%s: spread over refits %s vs calibrationSd %s", METRICS[m], sd, reportedSd[m])
                    .isBetween(0.5, 1.25);
        }
    }

    /**
     * Equal-width bins cannot resolve an over-confident model's saturated scores: a quarter of the
     * current window scores above 0.999 and lands in one bin, where pairs count as ties and the
     * calibrated probability varies. Against the same estimate computed per event without bins
     * (the same calibrator applied to every score), 1,000 equal bins are off by more than 0.005 in
     * ROC AUC (over twice its sampling sd), the default log-odds bins by less than 0.001 in every
     * metric; the tie term of the AUC bound (ScoreBins) shows why.
     */
    @Test
    void saturatedScoresNeedLogOddsBins() {
        Case c = miscalibratedCase(1);
        Simulation.Binary w = c.current();
        double[] calibrated = new double[w.size()];
        for (int i = 0; i < calibrated.length; i++) {
            calibrated[i] = c.calibrator().calibrate(w.score()[i]);
        }
        double[] unbinned = Simulation.oracle(w.score(), w.predicted(), calibrated);
        EstimatedPerformance linear = PerformanceEstimator.binary(w.profile(ScoreBins.Spacing.LINEAR, 1000), c.calibrator());
        EstimatedPerformance logit = PerformanceEstimator.binary(w.profile(), c.calibrator());
        for (int m = 0; m < METRICS.length; m++) {
            assertThat(logit.value(METRICS[m])).as("log-odds bins, %s", METRICS[m]).isCloseTo(unbinned[m], within(0.001));
        }
        assertThat(Math.abs(linear.value(EstimatedPerformance.ROC_AUC) - unbinned[4])).as("equal bins, AUC error")
                .isGreaterThan(0.005);
        assertThat(aucTieTerm(w.profile(ScoreBins.Spacing.LINEAR, 1000), c.calibrator())).isGreaterThan(0.002);
        assertThat(aucTieTerm(w.profile(), c.calibrator())).isLessThan(0.0005);
    }

    /** {@code 0.5 * sum_k w+_k w-_k / (W+ W-)}, written out from the bins. */
    private static double aucTieTerm(ConfidenceProfile p, Calibrator calibrator) {
        ScoreBins all = p.predictedPositiveScores();
        all.merge(p.predictedNegativeScores());
        double same = 0;
        double positives = 0;
        double negatives = 0;
        for (int k = 0; k < all.binCount(); k++) {
            double cal = calibrator.calibrate(all.representative(k));
            double wp = all.count(k) * cal;
            double wn = all.count(k) * (1 - cal);
            same += wp * wn;
            positives += wp;
            negatives += wn;
        }
        return 0.5 * same / (positives * negatives);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void multiclassAccuracyTracksRealizedUnderCovariateShift(long seed) {
        Random random = new Random(seed);
        Simulation.Multiclass reference = Simulation.multiclass(random, N, 0.0, 0.0, 1.0);
        Simulation.Multiclass current = Simulation.multiclass(random, N, 1.0, -0.5, 1.5);
        ConfidenceProfile profile = multiclassProfile(current, 0, N);
        Map<String, Calibrator> identity = new HashMap<>();
        for (String c : Simulation.CLASSES) {
            identity.put(c, Calibrator.identity());
        }
        double[] realized = realizedMulticlass(current);
        double oracleAccuracy = 0;
        for (int i = 0; i < N; i++) {
            oracleAccuracy += current.probabilities()[i][current.predicted()[i]] / N;
        }
        for (Map<String, Calibrator> calibrators : List.of(identity, oneVsRest(reference))) {
            EstimatedPerformance e = PerformanceEstimator.multiclass(profile, calibrators);
            String which = calibrators == identity ? "identity" : "isotonic";
            assertThat(e.value(EstimatedPerformance.ACCURACY)).as(which).isCloseTo(realized[0], within(0.02));
            for (int m = 0; m < METRICS.length; m++) {
                Estimate est = e.estimate(METRICS[m]);
                assertThat(realized[m]).as("%s: realized %s %s in the band %s", which, METRICS[m], realized[m], est)
                        .isBetween(est.lower(), est.upper());
                assertThat(3 * est.sd()).as("%s %s band half-width", which, METRICS[m]).isLessThan(0.03);
            }
            if (calibrators == identity) {
                assertThat(e.value(EstimatedPerformance.ACCURACY)).isCloseTo(oracleAccuracy, within(1e-4));
            }
            long predicted = 0;
            for (EstimatedPerformance.ClassEstimate c : e.perClass().values()) {
                predicted += c.predicted();
            }
            assertThat(predicted).isEqualTo(N);
        }
    }

    static ConfidenceProfile multiclassProfile(Simulation.Multiclass w, int from, int to) {
        ConfidenceProfile p = ConfidenceProfile.multiclass(List.of(Simulation.CLASSES));
        for (int i = from; i < to; i++) {
            Map<String, Double> scores = new LinkedHashMap<>();
            for (int c = 0; c < 3; c++) {
                scores.put(Simulation.CLASSES[c], w.probabilities()[i][c]);
            }
            p.add(scores, Simulation.CLASSES[w.predicted()[i]]);
        }
        return p;
    }

    private static Map<String, Calibrator> oneVsRest(Simulation.Multiclass reference) {
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (int c = 0; c < 3; c++) {
            double[] s = new double[reference.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = reference.probabilities()[i][c];
            }
            scores.put(Simulation.CLASSES[c], s);
        }
        String[] actual = new String[reference.size()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = Simulation.CLASSES[reference.label()[i]];
        }
        return Calibrator.isotonicOneVsRest(scores, actual);
    }

    /** Accuracy, macro precision, recall and F1, and one-vs-rest macro ROC AUC, exactly from the labels. */
    private static double[] realizedMulticlass(Simulation.Multiclass w) {
        double correct = 0;
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        double auc = 0;
        for (int c = 0; c < 3; c++) {
            long tp = 0;
            long predicted = 0;
            long actual = 0;
            double[] score = new double[w.size()];
            double[] isC = new double[w.size()];
            for (int i = 0; i < w.size(); i++) {
                boolean p = w.predicted()[i] == c;
                boolean a = w.label()[i] == c;
                tp += p && a ? 1 : 0;
                predicted += p ? 1 : 0;
                actual += a ? 1 : 0;
                score[i] = w.probabilities()[i][c];
                isC[i] = a ? 1 : 0;
            }
            correct += tp;
            precision += (double) tp / predicted / 3;
            recall += (double) tp / actual / 3;
            f1 += 2.0 * tp / (predicted + actual) / 3;
            auc += Simulation.weightedAuc(score, isC) / 3;
        }
        return new double[] {correct / w.size(), precision, recall, f1, auc};
    }

    @Test
    void mergedProfilesEstimateTheSameAsOneProfileOverAllEvents() {
        Case c = miscalibratedCase(11);
        Simulation.Binary w = c.current();
        ConfidenceProfile first = ConfidenceProfile.binary("1");
        ConfidenceProfile second = ConfidenceProfile.binary("1");
        for (int i = 0; i < w.size(); i++) {
            (i % 3 == 0 ? first : second).add(w.score()[i], w.predicted()[i]);
        }
        ConfidenceProfile merged = first.copy();
        merged.merge(second);
        ConfidenceProfile whole = w.profile();
        assertThat(merged).isEqualTo(whole);
        assertThat(PerformanceEstimator.binary(merged, c.calibrator())).isEqualTo(PerformanceEstimator.binary(whole, c.calibrator()));
        assertThat(first.scoredEvents()).isLessThan(whole.scoredEvents()); // the copy was not changed by the merge

        Random random = new Random(12);
        Simulation.Multiclass m = Simulation.multiclass(random, 5_000, 1.0, -0.5, 1.5);
        ConfidenceProfile a = multiclassProfile(m, 0, 1_234);
        a.merge(multiclassProfile(m, 1_234, 5_000));
        ConfidenceProfile all = multiclassProfile(m, 0, 5_000);
        Map<String, Calibrator> calibrators = oneVsRest(Simulation.multiclass(random, 5_000, 0.0, 0.0, 1.0));
        assertThat(a).isEqualTo(all);
        assertThat(PerformanceEstimator.multiclass(a, calibrators)).isEqualTo(PerformanceEstimator.multiclass(all, calibrators));
    }

    @Test
    void aWindowWithoutScoredEventsHasNoEstimatesAndSaysWhy() {
        ConfidenceProfile binary = ConfidenceProfile.binary("1");
        binary.add(Double.NaN, true);
        EstimatedPerformance e = PerformanceEstimator.binary(binary, Calibrator.identity());
        assertThat(e.scoredEvents()).isZero();
        assertThat(e.invalidEvents()).isEqualTo(1);
        for (String m : METRICS) {
            assertThat(e.metrics()).containsKey(m);
            assertThat(e.estimate(m)).as(m).isNull();
            assertThat(e.reason(m)).as(m).startsWith("no scored events in the window");
        }
        ConfidenceProfile multi = ConfidenceProfile.multiclass(List.of("a", "b"));
        EstimatedPerformance f = PerformanceEstimator.multiclass(multi, Map.of("a", Calibrator.identity(), "b", Calibrator.identity()));
        assertThat(f.value(EstimatedPerformance.ACCURACY)).isNull();
        assertThat(f.reason(EstimatedPerformance.ACCURACY)).isEqualTo("no scored events in the window");
    }

    @Test
    void undefinedMetricsAreNullWithAReason() {
        ConfidenceProfile p = ConfidenceProfile.binary("1");
        p.add(0.2, false);
        p.add(0.4, false);
        EstimatedPerformance e = PerformanceEstimator.binary(p, Calibrator.identity());
        assertThat(e.estimate(EstimatedPerformance.PRECISION)).isNull();
        assertThat(e.reason(EstimatedPerformance.PRECISION)).contains("no events predicted '1'");
        // recall 0 of an expected 0.6 positives; accuracy the expected negatives (0.8 + 0.6) / 2
        assertThat(e.value(EstimatedPerformance.RECALL)).isZero();
        assertThat(e.value(EstimatedPerformance.ACCURACY)).isCloseTo(0.7, within(0.002));
        // a calibrator that says "never positive": no expected positives
        Calibrator never = Calibrator.isotonic(new double[] {0.1, 0.9}, new int[] {0, 0});
        EstimatedPerformance g = PerformanceEstimator.binary(p, never);
        assertThat(g.estimate(EstimatedPerformance.RECALL)).isNull();
        assertThat(g.reason(EstimatedPerformance.RECALL)).contains("no expected events");
        assertThat(g.estimate(EstimatedPerformance.ROC_AUC)).isNull();
        assertThat(g.value(EstimatedPerformance.ACCURACY)).isEqualTo(1.0);
        assertThat(g.estimate(EstimatedPerformance.ACCURACY).samplingSd()).isZero();
    }

    @Test
    void estimatorRejectsMismatchedInputs() {
        ConfidenceProfile binary = ConfidenceProfile.binary("1");
        ConfidenceProfile multi = ConfidenceProfile.multiclass(List.of("a", "b"));
        assertThatThrownBy(() -> PerformanceEstimator.binary(multi, Calibrator.identity()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary");
        assertThatThrownBy(() -> PerformanceEstimator.binary(binary, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calibrator");
        assertThatThrownBy(() -> PerformanceEstimator.multiclass(binary, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiclass");
        assertThatThrownBy(() -> PerformanceEstimator.multiclass(multi, Map.of("a", Calibrator.identity())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class 'b'");
    }

    @Test
    void bandIsThreeSdClippedToTheUnitInterval() {
        Estimate e = Estimate.of(0.99, 0.003, 0.004);
        assertThat(e.sd()).isCloseTo(0.005, within(1e-15));
        assertThat(e.lower()).isCloseTo(0.975, within(1e-15));
        assertThat(e.upper()).isEqualTo(1.0);
        assertThat(e.contains(0.98)).isTrue();
        assertThat(e.contains(0.97)).isFalse();
        assertThatThrownBy(() -> new Estimate(0.5, -1, 0, 0.4, 0.6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("samplingSd");
    }
}
