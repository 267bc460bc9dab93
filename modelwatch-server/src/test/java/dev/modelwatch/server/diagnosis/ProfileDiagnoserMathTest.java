package dev.modelwatch.server.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The small formulas the scores are built from (docs/diagnosis.md). */
class ProfileDiagnoserMathTest {
    private static long[] starts(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = i * 60_000L;
        }
        return s;
    }

    @Test
    void aStepIsAbruptAndARampIsNot() {
        double[] step = new double[20];
        double[] ramp = new double[20];
        for (int i = 0; i < 20; i++) {
            step[i] = i < 10 ? 0.01 : 0.41;
            ramp[i] = 0.01 + 0.4 * i / 19.0;
        }
        double[] s = DataQualityCauses.abruptness(step, starts(20), 10 * 60_000L);
        assertThat(s[0]).isCloseTo(1.0, within(1e-9));
        assertThat((long) s[1]).isEqualTo(10 * 60_000L);
        // a ramp rises by 0.021 a step; its two-step means differ by 0.042 against a rise of 0.21
        assertThat(DataQualityCauses.abruptness(ramp, starts(20), 10 * 60_000L)[0]).isCloseTo(0.2, within(0.01));
    }

    @Test
    void aFlatSeriesHasNoAbruptness() {
        double[] flat = new double[10];
        java.util.Arrays.fill(flat, 0.05);
        assertThat(DataQualityCauses.abruptness(flat, starts(10), 5 * 60_000L)[0]).isZero();
    }

    @Test
    void pearsonSkipsMissingStepsAndNeedsThree() {
        assertThat(InfrastructureCauses.pearson(new double[] {1, 2, 3, Double.NaN}, new double[] {2, 4, 6, 100}))
                .isCloseTo(1.0, within(1e-12));
        assertThat(InfrastructureCauses.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isCloseTo(-1.0, within(1e-12));
        assertThat(InfrastructureCauses.pearson(new double[] {1, 2}, new double[] {1, 2})).isZero();
        assertThat(InfrastructureCauses.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3})).isZero();
    }

    @Test
    void confidenceIsMinusLog10POverFour() {
        assertThat(Scores.confidence(1)).isZero();
        assertThat(Scores.confidence(0.01)).isCloseTo(0.5, within(1e-12));
        assertThat(Scores.confidence(1e-4)).isCloseTo(1.0, within(1e-12));
        assertThat(Scores.confidence(0)).isEqualTo(1.0);
        assertThat(Scores.confidence(Double.NaN)).isZero();
    }

    @Test
    void onlyTheLabelsOwnMoveIsALabelShift() {
        // the labels keep their balance while a new version predicts 27 points fewer positives: no label shift
        assertThat(LabelShiftCauses.unexplained(0.008, -0.27)).isCloseTo(0.008, within(1e-12));
        assertThat(LabelShiftCauses.unexplained(0.0, -0.27)).isZero();
        // the labels move and the outputs do not: all of it
        assertThat(LabelShiftCauses.unexplained(0.2, 0.0)).isCloseTo(0.2, within(1e-12));
        assertThat(LabelShiftCauses.unexplained(-0.2, 0.01)).isCloseTo(-0.2, within(1e-12));
        // outputs moving the same way account for their part, and for all of it when they move as much
        assertThat(LabelShiftCauses.unexplained(0.2, 0.05)).isCloseTo(0.15, within(1e-12));
        assertThat(LabelShiftCauses.unexplained(-0.2, -0.05)).isCloseTo(-0.15, within(1e-12));
        assertThat(LabelShiftCauses.unexplained(0.2, 0.3)).isZero();
    }

    @Test
    void aVersionNamesARunAsOneOfItsParts() {
        assertThat(TrainingCauses.namesRun("r-17", "r-17")).isTrue();
        assertThat(TrainingCauses.namesRun("v2-r-17", "r-17")).isTrue();
        assertThat(TrainingCauses.namesRun("fraud@r-17+gpu", "r-17")).isTrue();
        assertThat(TrainingCauses.namesRun("v2-r-170", "r-17")).isFalse();
        assertThat(TrainingCauses.namesRun("xr-17", "r-17")).isFalse();
        assertThat(TrainingCauses.namesRun("v1", "v")).isFalse();
    }
}
