package dev.modelwatch.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * What the detectors do at their edges: too few values (NaN with the reason), zero spread (0 at the
 * center, infinite elsewhere, with the reason), NaN values (skipped in the baseline, NaN when scored),
 * invalid parameters (IllegalArgumentException naming the field), and the seasonal baseline over a
 * series with gaps. Expected values are computed by hand in the comments.
 */
class DetectorEdgeCaseTest {
    private static final double NAN = Double.NaN;

    @Test
    void zScoreNeedsTwoBaselineValues() {
        AnomalyScore z = ZScoreDetector.scoreLast(new double[] {1, 2}, 0, 2);

        assertThat(z.score()).isNaN();
        assertThat(z.reason()).isEqualTo("only 1 baseline value(s); the z-score needs at least 2");
        assertThat(ZScoreDetector.scoreLast(new double[0], 0, 0).reason()).isEqualTo("no values");
    }

    @Test
    void zScoreOfHandComputedBaseline() {
        // baseline 2, 4, 6: mean 4, s = sqrt((4 + 0 + 4) / 2) = 2; (10 - 4) / 2 = 3
        AnomalyScore z = ZScoreDetector.scoreLast(new double[] {2, 4, 6, 10}, 0, 4);

        assertThat(z.score()).isEqualTo(3.0);
        assertThat(z.value()).isEqualTo(10.0);
        assertThat(z.baseline()).isEqualTo(new Baseline(4, 2, 3, null));
    }

    @Test
    void nanValuesAreSkippedInTheBaselineAndGiveNanWhenScored() {
        AnomalyScore z = ZScoreDetector.scoreLast(new double[] {2, NAN, 4, NAN, 6, 10}, 0, 6);
        AnomalyScore nan = ZScoreDetector.scoreLast(new double[] {2, 4, 6, NAN}, 0, 4);

        assertThat(z.score()).isEqualTo(3.0);
        assertThat(z.baseline().points()).isEqualTo(3);
        assertThat(nan.score()).isNaN();
        assertThat(nan.reason()).isEqualTo("the scored value is NaN");
    }

    @Test
    void zeroSpreadScoresZeroAtTheCenterAndInfinityElsewhere() {
        double[] constant = {5, 5, 5, 5};

        AnomalyScore same = ZScoreDetector.score(5, constant, 0, 4);
        AnomalyScore above = ZScoreDetector.score(5.5, constant, 0, 4);
        AnomalyScore below = MadDetector.MAD.score(4, constant, 0, 4);

        assertThat(same.score()).isZero();
        assertThat(above.score()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(below.score()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(above.reason()).startsWith("zero spread: all 4 baseline values equal 5.0");
        assertThat(below.baseline().spread()).isZero();
    }

    @Test
    void madFallsBackToMeanAbsoluteDeviationWhenMostValuesAreEqual() {
        // median 1, |x - 1| = 0, 0, 0, 0, 4: MAD 0; mean absolute deviation 4/5 = 0.8
        AnomalyScore m = MadDetector.MAD.score(3, new double[] {1, 1, 1, 1, 5}, 0, 5);

        assertThat(m.baseline().center()).isEqualTo(1.0);
        assertThat(m.baseline().spread()).isCloseTo(0.8 * Math.sqrt(Math.PI / 2), within(1e-15));
        assertThat(m.score()).isCloseTo(2 / (0.8 * Math.sqrt(Math.PI / 2)), within(1e-12));
        assertThat(m.reason()).isEqualTo("MAD is 0 (most baseline values are equal); spread = sqrt(pi/2) * mean"
                + " absolute deviation from the median");
    }

    @Test
    void madOfHandComputedBaseline() {
        // 1, 2, 3, 4, 100: median 3; |x - 3| = 2, 1, 0, 1, 97 -> MAD 1; score (9 - 3) / 1.4826...
        AnomalyScore m = MadDetector.MAD.score(9, new double[] {100, 1, 4, 2, 3}, 0, 5);
        // quartiles (type 7) of 1, 2, 3, 4, 100: Q1 = 2, Q3 = 4, IQR 2
        AnomalyScore q = MadDetector.IQR.score(9, new double[] {100, 1, 4, 2, 3}, 0, 5);

        assertThat(m.score()).isCloseTo(6 / MadDetector.MAD_TO_SD, within(1e-12));
        assertThat(q.score()).isCloseTo(6 / (2 / MadDetector.IQR_TO_SD), within(1e-12));
        assertThat(MadDetector.MAD.score(9, new double[] {1, 2}, 0, 2).reason())
                .isEqualTo("only 2 baseline value(s); the robust score needs at least 3");
    }

    @Test
    void ewmaBandIsZeroInsideAndCountsHalfWidthsOutside() {
        EwmaBand band = new EwmaBand(0.5, 2);
        // 0, 2: m = 1, v = 0.5 * (0 + 2 * 1) = 1, sd 1; weights 0.5, 0.5: S = 0.5, 1 degree of freedom, so the
        // half-width is t_1^-1(Phi(2)) * 1 * sqrt(1.5 / 0.5) = tan(pi (Phi(2) - 1/2)) sqrt 3 = 24.20
        double[] b = {0, 2};
        double half = Math.tan(Math.PI * (new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1)
                .cumulativeProbability(2) - 0.5)) * Math.sqrt(3);

        assertThat(band.baseline(b, 0, 2)).isEqualTo(new Baseline(1, 1, 2, null));
        assertThat(band.halfWidth(1, 2)).isCloseTo(half, within(1e-9));
        assertThat(band.score(1 + half - 0.01, b, 0, 2).score()).isZero();
        assertThat(band.score(1 + 2 * half, b, 0, 2).score()).isCloseTo(1.0, within(1e-9));
        assertThat(band.score(1 - 1.5 * half, b, 0, 2).score()).isCloseTo(-0.5, within(1e-9));
        assertThat(band.score(7, new double[] {4, 4}, 0, 2).score()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(band.score(1, new double[] {1}, 0, 1).reason())
                .isEqualTo("only 1 baseline value(s); the EWMA band needs at least 2");
    }

    @Test
    void changeTestsReportTooFewValues() {
        ChangePoint c = new Cusum(0.5, 5).run(new double[] {1, 2}, 0, 2);
        ChangePoint p = new PageHinkley(0.1, 5).run(new double[] {1, NAN}, 0, 2);

        assertThat(c.statistic()).isNaN();
        assertThat(c.indicator()).isNaN();
        assertThat(c.reason()).isEqualTo("only 2 baseline value(s); the robust score needs at least 3");
        assertThat(p.statistic()).isNaN();
        assertThat(p.reason()).isEqualTo("only 1 value(s); Page-Hinkley needs at least 2");
    }

    @Test
    void cusumOfAConstantWindowIsZero() {
        ChangePoint c = new Cusum(0.5, 5).run(new double[] {3, 3, 3, 3}, 0, 4);

        assertThat(c.statistic()).isZero();
        assertThat(c.detected()).isFalse();
        assertThat(c.reason()).startsWith("zero spread");
    }

    @Test
    void windowsAreSubrangesOfTheCallersArray() {
        double[] x = {99, 2, 4, 6, 10, -99};

        assertThat(ZScoreDetector.scoreLast(x, 1, 5).score()).isEqualTo(3.0);
        assertThat(new PageHinkley(0, 1).run(x, 1, 5).points()).isEqualTo(4);
        assertThatThrownBy(() -> ZScoreDetector.scoreLast(x, 2, 7))
                .hasMessage("from and to must satisfy 0 <= from <= to <= values.length (6), were 2 and 7");
    }

    @Test
    void invalidParametersAreRejectedNamingTheField() {
        assertThatThrownBy(() -> new EwmaBand(1, 3)).hasMessage("alpha must be in (0, 1), was 1.0");
        assertThatThrownBy(() -> new EwmaBand(0.3, 0)).hasMessage("k must be positive and finite, was 0.0");
        assertThatThrownBy(() -> new Cusum(-1, 5)).hasMessage("k must be >= 0 and finite, was -1.0");
        assertThatThrownBy(() -> new Cusum(0.5, 0)).hasMessage("h must be > 0, was 0.0");
        assertThatThrownBy(() -> new Cusum(0.5, 5).run(new double[1], 0, 1, 0, 0))
                .hasMessage("sd must be positive and finite, was 0.0");
        assertThatThrownBy(() -> new PageHinkley(NAN, 5)).hasMessage("delta must be >= 0 and finite, was NaN");
        assertThatThrownBy(() -> new PageHinkley(0, -1)).hasMessage("lambda must be > 0, was -1.0");
        assertThatThrownBy(() -> new SeasonalBaseline(0, 7)).hasMessage("periodMs must be > 0, was 0");
        assertThatThrownBy(() -> new SeasonalBaseline(1000, 1)).hasMessage("periods must be >= 2, was 1");
        assertThatThrownBy(() -> new MadDetector(null)).hasMessage("spread must not be null");
        assertThatThrownBy(() -> new Baseline(NAN, 1, 2, null)).hasMessage("reason must be given when center or spread is NaN");
    }

    @Test
    void seasonalScoreComparesWithTheSameTimeInPreviousPeriods() {
        long day = 86_400_000L;
        long now = 10 * day + 3_600_000L;
        // hourly samples over 9 days with value = day number, except "now" which is 20
        int n = 9 * 24 + 1;
        long[] ts = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = now - (n - 1 - i) * 3_600_000L;
            v[i] = Math.floorDiv(ts[i], day);
        }
        v[n - 1] = 20;
        SeasonalBaseline seasonal = new SeasonalBaseline(day, 7);

        AnomalyScore s = seasonal.score(ts, v, 0, n, now, 300_000L);

        // previous 7 days at the same hour: 9, 8, ..., 3: mean 6, s = sqrt(28 / 6); z = (20 - 6) / s, and the score
        // is the normal quantile of the predictive t's tail: t = z / sqrt(1 + 1/7) with 6 degrees of freedom
        assertThat(s.baseline().points()).isEqualTo(7);
        assertThat(s.baseline().center()).isEqualTo(6.0);
        double t = 14 / Math.sqrt(28.0 / 6) / Math.sqrt(1 + 1.0 / 7);
        double tail = new org.apache.commons.math3.distribution.TDistribution(null, 6).cumulativeProbability(-t);
        assertThat(s.score()).isCloseTo(-new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1)
                .inverseCumulativeProbability(tail), within(1e-9));
    }

    @Test
    void seasonalScoreNeedsTwoPreviousPeriodsWithAValue() {
        long day = 86_400_000L;
        long[] ts = {day - 1000, 2 * day - 60_000};
        double[] v = {1, 2};

        AnomalyScore s = new SeasonalBaseline(day, 7).score(ts, v, 0, 2, 2 * day, 300_000L);
        AnomalyScore none = new SeasonalBaseline(day, 7).score(ts, v, 0, 2, 3 * day, 300_000L);

        assertThat(s.score()).isNaN();
        assertThat(s.value()).isEqualTo(2.0);
        assertThat(s.reason()).isEqualTo("only 1 of the 7 previous periods have a value; at least 2 are needed");
        assertThat(none.reason()).isEqualTo("no value within 300000 ms before 259200000");
    }
}
