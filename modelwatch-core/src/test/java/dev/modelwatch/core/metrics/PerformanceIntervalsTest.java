package dev.modelwatch.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.fixture.Fixture;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The intervals against {@code fixtures/intervals/performance_intervals.json}, written by
 * {@code make_performance_intervals.py} with scipy (Wilson: {@code binomtest(...).proportion_ci}; RMSE:
 * {@code chi2.ppf}; F1: a numerical-gradient delta method; AUC: Hanley–McNeil).
 */
class PerformanceIntervalsTest {
    private static final double TOLERANCE = 1e-9;

    private static JsonNode fixture() throws IOException {
        try (InputStream in = PerformanceIntervalsTest.class.getResourceAsStream(
                "/fixtures/intervals/performance_intervals.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void wilsonIntervalsMatchScipy() throws IOException {
        for (JsonNode c : fixture().get("wilson")) {
            PerformanceIntervals.Interval i = PerformanceIntervals.wilson(c.get("k").asLong(), c.get("n").asLong());
            assertThat(i.lower()).as(c.toString()).isCloseTo(c.get("lower").asDouble(), within(TOLERANCE));
            assertThat(i.upper()).as(c.toString()).isCloseTo(c.get("upper").asDouble(), within(TOLERANCE));
            assertThat(i.method()).isEqualTo("wilson");
        }
    }

    @Test
    void rmseIntervalsMatchScipysChiSquareQuantiles() throws IOException {
        for (JsonNode c : fixture().get("rmse")) {
            PerformanceIntervals.Interval i = PerformanceIntervals.rmse(c.get("sse").asDouble(), c.get("n").asLong());
            assertThat(i.lower()).as(c.toString()).isCloseTo(c.get("lower").asDouble(), within(1e-8));
            assertThat(i.upper()).as(c.toString()).isCloseTo(c.get("upper").asDouble(), within(1e-8 * c.get("upper").asDouble()));
        }
    }

    @Test
    void f1IntervalsMatchANumericalDeltaMethod() throws IOException {
        ModelSpec spec = new ModelSpec("m", ModelTask.BINARY_CLASSIFICATION, "1", 60_000, true);
        for (JsonNode c : fixture().get("f1")) {
            Map<String, Map<String, Long>> confusion = Map.of(
                    "1", Map.of("1", c.get("tp").asLong(), "0", c.get("fn").asLong()),
                    "0", Map.of("1", c.get("fp").asLong(), "0", c.get("tn").asLong()));
            WindowProfile p = profile(confusion);
            PerformanceIntervals.Interval i = PerformanceIntervals.of(p, spec).intervals().get("f1");
            assertThat(i.lower()).as(c.toString()).isCloseTo(c.get("lower").asDouble(), within(1e-6));
            assertThat(i.upper()).as(c.toString()).isCloseTo(c.get("upper").asDouble(), within(1e-6));
        }
    }

    @Test
    void rocAucIntervalsMatchHanleyMcNeil() throws IOException {
        for (JsonNode c : fixture().get("roc_auc")) {
            double a = c.get("auc").asDouble();
            double v = PerformanceIntervals.hanleyMcNeilVariance(a, c.get("n1").asLong(), c.get("n0").asLong());
            PerformanceIntervals.Interval i = PerformanceIntervals.normal(a, v, 0, 1);
            assertThat(i.lower()).as(c.toString()).isCloseTo(c.get("lower").asDouble(), within(TOLERANCE));
            assertThat(i.upper()).as(c.toString()).isCloseTo(c.get("upper").asDouble(), within(TOLERANCE));
        }
    }

    @Test
    void aProfilesAccuracyIntervalIsTheWilsonIntervalOfItsLabelsAndCoverageIsTheLabelledShare() {
        Fixture fx = Fixture.load("binary");
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        fx.predictions().forEach(p::addPrediction);
        ModelSpec spec = fx.spec();
        assertThat(PerformanceIntervals.of(p, spec).labelCoverage()).isEqualTo(0.0);
        assertThat(PerformanceIntervals.of(p, spec).intervals()).isEmpty();

        WindowProfile labelled = fx.profile(fx.scopes().get(0));
        ClassificationMetrics m = ClassificationMetrics.of(labelled, spec);
        PerformanceIntervals pi = PerformanceIntervals.of(labelled, spec);
        long correct = Math.round(m.accuracy() * m.labeled());
        assertThat(pi.intervals().get("accuracy")).isEqualTo(PerformanceIntervals.wilson(correct, m.labeled()));
        assertThat(pi.labelCoverage()).isEqualTo((double) labelled.labeled() / labelled.count());
        for (String name : pi.intervals().keySet()) {
            PerformanceIntervals.Interval i = pi.intervals().get(name);
            assertThat(i.lower()).as(name).isLessThanOrEqualTo(i.upper());
        }
        assertThat(pi.intervals()).containsKeys("accuracy", "precision", "recall", "f1", "roc_auc");
    }

    @Test
    void impossibleCountsAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> PerformanceIntervals.wilson(5, 3)).hasMessageContaining("k=5, n=3");
        assertThatThrownBy(() -> PerformanceIntervals.rmse(1, 0)).hasMessageContaining("n must be positive");
    }

    /** A binary profile whose labelled predictions have exactly {@code confusion} (actual -> predicted -> count). */
    private static WindowProfile profile(Map<String, Map<String, Long>> confusion) {
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        int id = 0;
        for (Map.Entry<String, Map<String, Long>> row : confusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                for (long k = 0; k < cell.getValue(); k++) {
                    p.addOutcome(new PendingPrediction("m", "x" + id++, "v1", 0, 0, 60_000, Map.of(), cell.getKey(),
                            Double.NaN, null, null, false), row.getKey(), "1", true);
                }
            }
        }
        return p;
    }
}
