package dev.modelwatch.bench.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The calibration program's quick run prints every section's tables, a row for every decision. */
class CalibrationBenchmarkTest {
    @Test
    void quickRunPrintsTheTablesOfEveryDecision() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new CalibrationBenchmark(true, TestTrials.TRIALS, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(null);
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("### Multivariate drift (PCA reconstruction error): false alarms",
                "### Multivariate drift: power", "### Per-feature decisions and data quality: false alarms",
                "### Per-feature decisions and data quality: power", "### Estimated performance and the performance rules",
                "### Dynamic thresholds on metric series", "### Default rules' dynamic thresholds",
                "### ModelLabelledAccuracyDrop on late labels: false alarms",
                "### ModelVersionAccuracyDrop on late labels: false alarms");
        for (String decision : new String[] {"feature drift: ks", "feature drift: chi_square",
                "feature drift: any of the report's features", "drift share > 0.3", "data quality: missing_rate",
                "data quality: out_of_range", "data quality: new_category", "data quality: constant",
                "data quality: schema", "data quality: non_finite", "data quality: score_out_of_range",
                "data quality: type_mismatch", "ModelAccuracyDrop condition", "ModelEstimatedAccuracyDrop condition",
                "estimated accuracy band misses the realized accuracy", "ModelLatencyP99High", "ModelTrafficDrop",
                "3 correlated normal features", "ModelFeatureDriftStrong condition: any feature",
                "10,000 | own earlier windows", "10,000 | 3 |", "`abs(seasonal_score(x, 1d, 7)) > 3`"}) {
            assertThat(out).as(decision).contains("| " + decision);
        }
    }
}
