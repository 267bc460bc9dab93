package dev.modelwatch.bench.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The estimated-performance band (its coverage of the realized accuracy) and the conditions of the
 * default performance rules ({@code ModelAccuracyDrop}, {@code ModelEstimatedAccuracyDrop}) at most at
 * 1% of clean windows at a small, a medium and a large window, and a stated drop caught
 * ({@link EstimateCalibration}: miscalibrated scores, an isotonic calibrator fitted on the reference).
 * At 100 labels the previous rule ({@code accuracy_drop > 0.05} alone) held on 12-16% of clean windows.
 * Bounds as in {@link FeatureCalibrationTest}: at most 10 of 500 (a true 1% exceeds it with probability
 * 1.4%, a true 3% stays within it with probability 0.2%).
 */
class EstimateCalibrationTest {
    private static final Trials trials = TestTrials.TRIALS;

    @ParameterizedTest(name = "reference {0} labelled rows, window {1}")
    @CsvSource({"1000, 100", "10000, 10000", "10000, 100000"})
    void cleanWindowsTripNoPerformanceDecisionMoreThanOnePercent(int referenceRows, long windowRows) {
        List<Tally.Table> results = trials.run(500, t -> EstimateCalibration.falseAlarms(new int[] {referenceRows},
                new long[] {windowRows}, CalibrationBenchmark.seed("estimate-test", "", referenceRows + windowRows, t)));
        Tally.Table all = new Tally.Table();
        results.forEach(all::merge);

        assertThat(all.cells()).hasSize(3);
        all.cells().forEach((cell, tally) -> assertThat(tally.flagged())
                .as("%s: %d of %d", cell.decision(), tally.flagged(), tally.opportunities()).isLessThanOrEqualTo(10));
    }

    @ParameterizedTest(name = "{0} of the labels flipped in a window of {1}")
    @CsvSource({"0.2, 1000", "0.15, 100000"})
    void aDropOfAccuracyByConceptDriftIsCaught(double flip, long windowRows) {
        List<Boolean> caught = trials.run(20, t -> EstimateCalibration.detectsRealizedDrop(flip, 10_000, windowRows,
                CalibrationBenchmark.seed("estimate-power-test", "flip", windowRows, t)));
        assertThat(caught.stream().filter(c -> c).count()).as("caught of 20").isGreaterThanOrEqualTo(19);
    }

    @ParameterizedTest(name = "{0} of the scores near 0.5 in a window of {1}")
    @CsvSource({"0.6, 1000", "0.6, 100000"})
    void aDropOfEstimatedAccuracyByCovariateShiftIsCaught(double nearHalf, long windowRows) {
        List<Boolean> caught = trials.run(20, t -> EstimateCalibration.detectsEstimatedDrop(nearHalf, 10_000,
                windowRows, CalibrationBenchmark.seed("estimate-power-test", "mix", windowRows, t)));
        assertThat(caught.stream().filter(c -> c).count()).as("caught of 20").isGreaterThanOrEqualTo(19);
    }
}
