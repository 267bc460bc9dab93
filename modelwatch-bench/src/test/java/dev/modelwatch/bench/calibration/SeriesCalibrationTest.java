package dev.modelwatch.bench.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.RuleExpression;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dynamic thresholds of the rule language at their recommended settings alarm on at most 1% of the
 * one-minute evaluations of a stationary normal series (4,320 evaluations of 3 days, at most 59: a true
 * 1% exceeds that with probability 1.3%, a true 2% stays within it with probability 0.001%), and catch
 * a value 6 sds away (CUSUM: three of them, its allowance k = 0.5 takes 5.5 of each toward h = 10). Before, {@code ewma_band(x[1h], 0.3, 3)} alarmed on 4.1% of them and
 * {@code seasonal_score(x, 1d, 7) > 3} on 3.1% (BENCHMARKS.md).
 */
class SeriesCalibrationTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "abs(zscore(x[1h])) > 3", "abs(mad_score(x[1h])) > 3.5", "abs(ewma_band(x[1h], 0.3, 3)) > 0",
            "cusum(x[2h], 0.5, 10) == 1", "abs(seasonal_score(x, 1d, 7)) > 3"})
    void aStationarySeriesAlarmsOnAtMostOnePercentOfEvaluations(String rule) {
        double[] v = SeriesCalibration.detectorSeries(new SplittableRandom(rule.hashCode()), false);
        boolean[] alarms = SeriesCalibration.evaluate(RuleExpression.parse(rule),
                SeriesCalibration.source(SeriesCalibration.times(), Map.of("x", v)));

        assertThat(SeriesCalibration.count(alarms)).as("alarms of %d", alarms.length).isLessThanOrEqualTo(59);
    }

    /** The last {@code points} values 6 sds up: a spike for the scores, a short step for CUSUM. */
    @ParameterizedTest(name = "{0}, {1} values")
    @CsvSource(delimiter = ';', value = {
            "abs(zscore(x[1h])) > 3; 1", "abs(mad_score(x[1h])) > 3.5; 1", "abs(ewma_band(x[1h], 0.3, 3)) > 0; 1",
            "cusum(x[2h], 0.5, 10) == 1; 3", "abs(seasonal_score(x, 1d, 7)) > 3; 1"})
    void aValueSixStandardDeviationsAwayIsCaught(String rule, int points) {
        double[] v = SeriesCalibration.detectorSeries(new SplittableRandom(7), false);
        int last = v.length - 1;
        for (int i = last - points + 1; i <= last; i++) {
            v[i] += 6;
        }
        RuleExpression expr = RuleExpression.parse(rule);
        long at = (last + 1) * SeriesCalibration.MINUTE;

        assertThat(expr.evaluate(SeriesCalibration.source(SeriesCalibration.times(), Map.of("x", v)), at)).isNotEmpty();
    }
}
