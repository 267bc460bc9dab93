package dev.modelwatch.server.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alerts that raised the question weigh the causes (docs/diagnosis.md, "The alerts"). */
class AlertWeightsTest {
    private static Cause cause(CauseKind kind, double score) {
        return new Cause(kind, score, null, null, null, kind.wireName(), null, List.of(), "strength x share");
    }

    private static final List<Cause> CAUSES = List.of(cause(CauseKind.COVARIATE_DRIFT, 0.8),
            cause(CauseKind.INFRASTRUCTURE, 0.7), cause(CauseKind.VERSION_REGRESSION, 0.6),
            cause(CauseKind.CONCEPT_DRIFT, 0.5));

    private static List<CauseKind> ranked(List<Cause> causes) {
        return causes.stream().sorted(Comparator.comparingDouble(Cause::score).reversed()).map(Cause::kind).toList();
    }

    @Test
    void aLatencyAlertFavoursInfrastructureAndVersionCauses() {
        List<Cause> weighed = AlertWeights.weigh(CAUSES, List.of("ModelLatencyP99High"));
        assertThat(ranked(weighed)).containsExactly(CauseKind.INFRASTRUCTURE, CauseKind.VERSION_REGRESSION,
                CauseKind.COVARIATE_DRIFT, CauseKind.CONCEPT_DRIFT);
        Cause drift = weighed.get(0);
        assertThat(drift.score()).isCloseTo(0.8 * AlertWeights.NOT_POINTED_TO, within(1e-12));
        assertThat(drift.scoreMethod()).isEqualTo("strength x share; then x 0.7: the alerts' symptoms (latency) do not "
                + "point to covariate_drift");
        assertThat(weighed.get(1)).isSameAs(CAUSES.get(1));
    }

    @Test
    void anAccuracyAlertFavoursPerformanceCauses() {
        List<Cause> weighed = AlertWeights.weigh(CAUSES, List.of("ModelAccuracyDrop"));
        assertThat(ranked(weighed)).containsExactly(CauseKind.COVARIATE_DRIFT, CauseKind.VERSION_REGRESSION,
                CauseKind.CONCEPT_DRIFT, CauseKind.INFRASTRUCTURE);
        assertThat(weighed.get(1).score()).isCloseTo(0.49, within(1e-12));
    }

    @Test
    void severalAlertsPointToTheUnionOfTheirCauses() {
        assertThat(AlertWeights.symptoms(List.of("ModelErrorRateHigh", "ModelFeatureDrift", "ModelNoTraffic")))
                .containsOnlyKeys("errors", "drift", "traffic");
        List<Cause> weighed = AlertWeights.weigh(CAUSES, List.of("ModelLatencyP99High", "ModelFeatureDrift"));
        assertThat(weighed.stream().map(Cause::score).toList()).containsExactly(0.8, 0.7, 0.6, 0.5 * 0.7);
    }

    @Test
    void alertsWhoseNamesTellNoSymptomChangeNothing() {
        assertThat(AlertWeights.weigh(CAUSES, List.of())).isEqualTo(CAUSES);
        assertThat(AlertWeights.weigh(CAUSES, List.of("PagerTest", "Heartbeat"))).isEqualTo(CAUSES);
    }
}
