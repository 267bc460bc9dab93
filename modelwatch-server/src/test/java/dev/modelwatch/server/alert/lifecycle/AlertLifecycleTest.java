package dev.modelwatch.server.alert.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle table: one series ({@code model="fraud"}) stepped at given times (seconds) with an
 * input, and the instance's state and the effects of that step's transitions after each step.
 *
 * <p>Inputs: {@code B0.7} breach with value 0.7 (the filter returns the series); {@code C} clear (the
 * filter returns nothing); {@code 1}/{@code 0}/{@code -} a {@code bool} rule returning 1, 0, or not
 * the series; {@code P} the filter returns nothing but the series exists; {@code A} the filter
 * returns nothing and no series exists; {@code E} the evaluation fails. Expected state {@code -}: no
 * instance; effects: the transitions' effects joined by commas, empty for no transition.
 */
class AlertLifecycleTest {
    static final long T0 = 1_800_000_000_000L;
    static final SeriesLabels SERIES = SeriesLabels.of("__name__", "accuracy", "model", "fraud");
    static final RuleExpression FILTER = RuleExpression.parse("accuracy{model=\"fraud\"} < 0.8");
    static final RuleExpression BOOL = RuleExpression.parse("accuracy{model=\"fraud\"} < bool 0.8");

    record Step(long atSec, String input, String state, String effects) {
        @Override
        public String toString() {
            return atSec + "s " + input + " -> " + state + (effects.isEmpty() ? "" : "/" + effects);
        }
    }

    static Step at(long sec, String input, String state, String effects) {
        return new Step(sec, input, state, effects);
    }

    static Step at(long sec, String input, String state) {
        return new Step(sec, input, state, "");
    }

    static AlertRule.Builder filter() {
        return AlertRule.builder("AccuracyDrop", FILTER).label("severity", "critical").flapWindowMs(0);
    }

    static AlertRule.Builder bool() {
        return AlertRule.builder("AccuracyDrop", BOOL).flapWindowMs(0);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("for 0 fires at the first breach and resolves at the first clear", filter().build(), List.of(
                        at(0, "B0.7", "FIRING", "FIRE"), at(60, "B0.6", "FIRING"), at(120, "C", "RESOLVED", "RESOLVE"),
                        at(180, "C", "RESOLVED"))),
                Arguments.of("for 2m: pending until the breach has held 2m", filter().forMs(120_000).build(), List.of(
                        at(0, "B0.7", "PENDING", "NONE"), at(60, "B0.7", "PENDING"), at(119, "B0.7", "PENDING"),
                        at(120, "B0.7", "FIRING", "FIRE"), at(180, "C", "RESOLVED", "RESOLVE"))),
                Arguments.of("a pending breach that clears starts over", filter().forMs(120_000).build(), List.of(
                        at(0, "B0.7", "PENDING", "NONE"), at(60, "C", "-", "NONE"), at(90, "B0.7", "PENDING", "NONE"),
                        at(180, "B0.7", "PENDING"), at(210, "B0.7", "FIRING", "FIRE"))),
                Arguments.of("keep_firing_for 5m runs from the first clear; a breach resets it",
                        filter().keepFiringForMs(300_000).build(), List.of(
                        at(0, "B0.7", "FIRING", "FIRE"), at(60, "C", "FIRING"), at(120, "B0.7", "FIRING"),
                        at(180, "C", "FIRING"), at(479, "C", "FIRING"), at(480, "C", "RESOLVED", "RESOLVE"))),
                Arguments.of("resolved instances are dropped after 15 minutes", filter().build(), List.of(
                        at(0, "B0.7", "FIRING", "FIRE"), at(60, "C", "RESOLVED", "RESOLVE"), at(959, "C", "RESOLVED"),
                        at(960, "C", "-"))),
                Arguments.of("a resolved alert that breaches again goes through for again", filter().forMs(60_000).build(),
                        List.of(at(0, "B0.7", "PENDING", "NONE"), at(60, "B0.7", "FIRING", "FIRE"),
                        at(120, "C", "RESOLVED", "RESOLVE"), at(180, "B0.7", "PENDING", "NONE"),
                        at(240, "B0.7", "FIRING", "FIRE"))),
                Arguments.of("flapping: a resolution within the window is held until it stays clear for the window",
                        filter().flapWindowMs(600_000).build(), List.of(
                        at(0, "B0.7", "FIRING", "FIRE"), at(60, "C", "RESOLVED", "RESOLVE"),
                        at(120, "B0.7", "FIRING", "FIRE"), at(180, "C", "RESOLVED", "HELD"),
                        at(240, "B0.7", "FIRING", "NONE"), at(300, "C", "RESOLVED", "HELD"), at(600, "C", "RESOLVED"),
                        at(899, "C", "RESOLVED"), at(900, "C", "RESOLVED", "RESOLVE"),
                        at(2000, "B0.7", "FIRING", "FIRE"), at(2060, "C", "RESOLVED", "RESOLVE"))),
                Arguments.of("flapping with for: a pending breach during the hold restarts the window",
                        filter().forMs(60_000).flapWindowMs(600_000).build(), List.of(
                        at(0, "B0.7", "PENDING", "NONE"), at(60, "B0.7", "FIRING", "FIRE"), at(120, "C", "RESOLVED", "RESOLVE"),
                        at(180, "B0.7", "PENDING", "NONE"), at(240, "B0.7", "FIRING", "FIRE"), at(300, "C", "RESOLVED", "HELD"),
                        at(600, "B0.7", "PENDING", "NONE"), at(630, "C", "INACTIVE", "NONE"), at(900, "C", "INACTIVE"),
                        at(1229, "C", "INACTIVE"), at(1230, "C", "INACTIVE", "RESOLVE"))),
                Arguments.of("bool rule, no_data_state no_data: a vanished series is NO_DATA, notified", bool().build(),
                        List.of(at(0, "1", "FIRING", "FIRE"), at(60, "0", "RESOLVED", "RESOLVE"), at(120, "-", "NO_DATA", "FIRE"),
                        at(180, "-", "NO_DATA"), at(240, "0", "RESOLVED", "RESOLVE"), at(300, "1", "FIRING", "FIRE"))),
                Arguments.of("bool rule: a series that never breached is tracked and its absence is no data",
                        bool().build(), List.of(at(0, "0", "INACTIVE"), at(60, "0", "INACTIVE"), at(120, "-", "NO_DATA", "FIRE"),
                        at(180, "1", "FIRING", "NONE"))),
                Arguments.of("bool rule, no_data_state ok: a vanished series resolves and is forgotten",
                        bool().noDataState(NoDataState.OK).build(), List.of(
                        at(0, "1", "FIRING", "FIRE"), at(60, "-", "RESOLVED", "RESOLVE"), at(120, "-", "RESOLVED"),
                        at(1000, "-", "-"))),
                Arguments.of("bool rule, no_data_state alerting: no data is a breach", bool().forMs(60_000)
                        .noDataState(NoDataState.ALERTING).build(), List.of(
                        at(0, "0", "INACTIVE"), at(60, "-", "PENDING", "NONE"), at(120, "-", "FIRING", "FIRE"),
                        at(180, "0", "RESOLVED", "RESOLVE"))),
                Arguments.of("filter with presence: an existing series returning nothing is clear; a vanished one no data",
                        filter().build(), List.of(at(0, "P", "INACTIVE"), at(60, "B0.7", "FIRING", "FIRE"),
                        at(120, "P", "RESOLVED", "RESOLVE"), at(180, "A", "NO_DATA", "FIRE"), at(240, "P", "RESOLVED", "RESOLVE"))),
                Arguments.of("error_state keep_last: a failed evaluation changes nothing", filter().forMs(60_000).build(),
                        List.of(at(0, "B0.7", "PENDING", "NONE"), at(60, "E", "PENDING"), at(120, "E", "PENDING"),
                        at(180, "B0.7", "FIRING", "FIRE"), at(240, "E", "FIRING"), at(300, "C", "RESOLVED", "RESOLVE"))),
                Arguments.of("error_state ok: a failed evaluation clears", filter().errorState(ErrorState.OK).build(),
                        List.of(at(0, "B0.7", "FIRING", "FIRE"), at(60, "E", "RESOLVED", "RESOLVE"))),
                Arguments.of("no_data after firing continues the episode", bool().build(), List.of(
                        at(0, "1", "FIRING", "FIRE"), at(60, "-", "NO_DATA", "NONE"), at(120, "0", "RESOLVED", "RESOLVE"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void lifecycleTable(String name, AlertRule rule, List<Step> steps) {
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        RuleState state = RuleState.initial(rule.name());
        for (Step step : steps) {
            StepResult r = lifecycle.step(state, evaluation(step.input, rule), T0 + step.atSec * 1000);
            state = r.state();
            AlertInstance a = fraudInstance(state);
            String actualState = a == null ? "-" : a.state().name();
            long fp = a == null ? 0 : a.fingerprint();
            String effects = r.transitions().stream().filter(t -> a == null || t.fingerprint() == fp)
                    .map(t -> t.effect().name()).collect(Collectors.joining(","));
            assertThat(actualState + "/" + effects).as("at %s", step).isEqualTo(step.state + "/" + step.effects);
        }
    }

    static AlertInstance fraudInstance(RuleState state) {
        for (AlertInstance a : state.instances().values()) {
            if ("fraud".equals(a.seriesLabels().get("model"))) {
                return a;
            }
        }
        return null;
    }

    static RuleEvaluation evaluation(String input, AlertRule rule) {
        SeriesLabels boolSeries = SERIES.withoutMetricName();
        switch (input.charAt(0)) {
            case 'B':
                return RuleEvaluation.of(List.of(new InstantSample(SERIES, Double.parseDouble(input.substring(1)))));
            case 'C':
                return RuleEvaluation.of(List.of());
            case 'P':
                return RuleEvaluation.of(List.of(), List.of(new InstantSample(SERIES, 0.9)));
            case 'A':
                return presenceOf(List.of());
            case '1':
                return RuleEvaluation.of(List.of(new InstantSample(boolSeries, 1)));
            case '0':
                return RuleEvaluation.of(List.of(new InstantSample(boolSeries, 0)));
            case '-':
                return RuleEvaluation.of(List.of());
            case 'E':
                return RuleEvaluation.failed("storage unavailable");
            default:
                throw new IllegalArgumentException(input);
        }
    }

    static RuleEvaluation presenceOf(List<InstantSample> existing) {
        return RuleEvaluation.of(List.of(), existing);
    }

    @Test
    void filterWithoutPresenceInfoNeverReportsNoData() {
        AlertLifecycle lifecycle = new AlertLifecycle(filter().build());
        RuleState s = lifecycle.step(RuleState.initial("AccuracyDrop"), RuleEvaluation.of(List.of(new InstantSample(SERIES, 0.5))), T0).state();
        s = lifecycle.step(s, RuleEvaluation.of(List.of()), T0 + 60_000).state();
        assertThat(fraudInstance(s).state()).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void alertLabelsAreSeriesLabelsWithoutNamePlusRuleLabelsPlusAlertname() {
        AlertRule rule = filter().label("team", "{{ $labels.model }}-ml").annotation("summary",
                "accuracy of {{ $labels.model }} is {{ $value | printf \"%.2f\" }}").build();
        StepResult r = new AlertLifecycle(rule).step(RuleState.initial(rule.name()),
                List.of(new InstantSample(SERIES, 0.7123)), T0);
        AlertInstance a = fraudInstance(r.state());
        assertThat(a.labels()).isEqualTo(SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud", "severity", "critical",
                "team", "fraud-ml"));
        assertThat(a.fingerprint()).isEqualTo(AlertFingerprint.of(a.labels()));
        assertThat(a.severity()).isEqualTo("critical");
        assertThat(a.annotations()).containsEntry("summary", "accuracy of fraud is 0.71");
        assertThat(a.value()).isEqualTo(0.7123);
        assertThat(r.transitions()).singleElement().satisfies(t -> {
            assertThat(t.from()).isEqualTo(AlertState.INACTIVE);
            assertThat(t.to()).isEqualTo(AlertState.FIRING);
            assertThat(t.id()).isEqualTo(a.id());
        });
    }

    @Test
    void twoSeriesWithTheSameAlertLabelsAreAnEvaluationError() {
        AlertRule rule = AlertRule.builder("Dup", RuleEvaluationTestExpr.ANY).build();
        List<InstantSample> result = List.of(new InstantSample(SeriesLabels.of("__name__", "a", "model", "x"), 1),
                new InstantSample(SeriesLabels.of("__name__", "b", "model", "x"), 2));
        StepResult r = new AlertLifecycle(rule).step(RuleState.initial("Dup"), result, T0);
        assertThat(r.error()).startsWith("vector contains metrics with the same labelset after applying alert labels");
        assertThat(r.state().lastError()).isEqualTo(r.error());
        assertThat(r.state().lastErrorMs()).isEqualTo(T0);
        assertThat(r.state().instances()).isEmpty();
    }

    /** An expression of any result shape, for tests that pass results directly. */
    static final class RuleEvaluationTestExpr {
        static final RuleExpression ANY = RuleExpression.parse("up");
    }

    @Test
    void errorStateErrorRaisesOneRuleLevelInstanceResolvedByTheNextSuccess() {
        AlertRule rule = filter().errorState(ErrorState.ERROR).build();
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        RuleState s = lifecycle.step(RuleState.initial(rule.name()), List.of(new InstantSample(SERIES, 0.5)), T0).state();
        StepResult failed = lifecycle.step(s, RuleEvaluation.failed("timeout reading the store"), T0 + 60_000);
        assertThat(failed.error()).isEqualTo("timeout reading the store");
        AlertInstance err = failed.state().instances().get(AlertFingerprint.of(rule.errorLabels()));
        assertThat(err.labels()).isEqualTo(SeriesLabels.of("alertname", "AccuracyDrop", "alertstate", "error", "severity", "critical"));
        assertThat(err.state()).isEqualTo(AlertState.ERROR);
        assertThat(err.notifying()).isTrue();
        assertThat(failed.transitions()).singleElement().satisfies(t -> {
            assertThat(t.effect()).isEqualTo(AlertTransition.Effect.FIRE);
            assertThat(t.note()).contains("timeout reading the store");
        });
        // the series' own instance is kept as it was
        assertThat(fraudInstance(failed.state()).state()).isEqualTo(AlertState.FIRING);

        StepResult ok = lifecycle.step(failed.state(), List.of(new InstantSample(SERIES, 0.5)), T0 + 120_000);
        assertThat(ok.error()).isNull();
        assertThat(ok.state().lastError()).isNull();
        assertThat(ok.state().lastErrorMs()).isEqualTo(T0 + 60_000);
        assertThat(ok.transitions()).singleElement().satisfies(t -> {
            assertThat(t.fingerprint()).isEqualTo(err.fingerprint());
            assertThat(t.to()).isEqualTo(AlertState.RESOLVED);
            assertThat(t.effect()).isEqualTo(AlertTransition.Effect.RESOLVE);
        });
    }

    @Test
    void errorStateAlertingTreatsFailuresAsABreachOfTheRuleLevelInstance() {
        AlertRule rule = filter().forMs(60_000).errorState(ErrorState.ALERTING).build();
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        StepResult r1 = lifecycle.step(RuleState.initial(rule.name()), RuleEvaluation.failed("boom"), T0);
        long fp = AlertFingerprint.of(rule.errorLabels());
        assertThat(r1.state().instances().get(fp).state()).isEqualTo(AlertState.PENDING);
        StepResult r2 = lifecycle.step(r1.state(), RuleEvaluation.failed("boom"), T0 + 60_000);
        assertThat(r2.state().instances().get(fp).state()).isEqualTo(AlertState.FIRING);
        assertThat(r2.transitions()).extracting(AlertTransition::effect).containsExactly(AlertTransition.Effect.FIRE);
        StepResult r3 = lifecycle.step(r2.state(), List.of(), T0 + 120_000);
        assertThat(r3.transitions()).extracting(AlertTransition::effect).containsExactly(AlertTransition.Effect.RESOLVE);
    }

    @Test
    void acknowledgementIsRecordedAndClearedWhenTheAlertResolves() {
        AlertRule rule = filter().build();
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        RuleState s = lifecycle.step(RuleState.initial(rule.name()), List.of(new InstantSample(SERIES, 0.5)), T0).state();
        String id = fraudInstance(s).id();
        StepResult acked = lifecycle.ack(s, id, "alice", "looking into the feature pipeline", T0 + 30_000);
        assertThat(fraudInstance(acked.state()).acknowledgement())
                .isEqualTo(new Acknowledgement("alice", "looking into the feature pipeline", T0 + 30_000));
        assertThat(acked.transitions()).singleElement().satisfies(t -> {
            assertThat(t.effect()).isEqualTo(AlertTransition.Effect.NONE);
            assertThat(t.note()).isEqualTo("acknowledged by alice: looking into the feature pipeline");
        });
        RuleState still = lifecycle.step(acked.state(), List.of(new InstantSample(SERIES, 0.4)), T0 + 60_000).state();
        assertThat(fraudInstance(still).acknowledgement()).isNotNull();
        RuleState resolved = lifecycle.step(still, List.of(), T0 + 120_000).state();
        assertThat(fraudInstance(resolved).acknowledgement()).isNull();
        assertThatThrownBy(() -> lifecycle.ack(resolved, id, "bob", "", T0 + 130_000))
                .hasMessageContaining("is resolved: there is nothing to acknowledge");
        assertThatThrownBy(() -> lifecycle.ack(resolved, "0000000000000001", "bob", "", T0 + 130_000))
                .hasMessageContaining("no alert with id 0000000000000001");
        assertThatThrownBy(() -> lifecycle.ack(still, id, " ", "", T0 + 130_000)).hasMessageContaining("by must name");
    }

    @Test
    void acknowledgementSurvivesAHeldResolutionOfAFlappingAlert() {
        AlertRule rule = filter().flapWindowMs(600_000).build();
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        RuleState s = RuleState.initial(rule.name());
        List<InstantSample> breach = List.of(new InstantSample(SERIES, 0.5));
        s = lifecycle.step(s, breach, T0).state();
        s = lifecycle.step(s, List.of(), T0 + 60_000).state();
        s = lifecycle.step(s, breach, T0 + 120_000).state();
        s = lifecycle.ack(s, fraudInstance(s).id(), "alice", "", T0 + 130_000).state();
        s = lifecycle.step(s, List.of(), T0 + 180_000).state();
        AlertInstance held = fraudInstance(s);
        assertThat(held.flapping()).isTrue();
        assertThat(held.notifying()).isTrue();
        assertThat(held.resolveHeldUntilMs()).isEqualTo(T0 + 780_000);
        assertThat(held.acknowledgement()).isNotNull();
        s = lifecycle.step(s, List.of(), T0 + 780_000).state();
        assertThat(fraudInstance(s).acknowledgement()).isNull();
        assertThat(fraudInstance(s).flapping()).isFalse();
        assertThat(fraudInstance(s).notifying()).isFalse();
    }

    @Test
    void stepRefusesAnotherRulesStateAndTimeGoingBack() {
        AlertLifecycle lifecycle = new AlertLifecycle(filter().build());
        assertThatThrownBy(() -> lifecycle.step(RuleState.initial("Other"), List.of(), T0))
                .hasMessageContaining("state of rule 'Other'");
        RuleState s = lifecycle.step(RuleState.initial("AccuracyDrop"), List.of(), T0).state();
        assertThatThrownBy(() -> lifecycle.step(s, List.of(), T0 - 1)).hasMessageContaining("before the last evaluation");
    }

    @Test
    void presenceExpressionIsTheVectorSideOfAFilter() {
        assertThat(filter().build().presenceExpression().toString()).isEqualTo("accuracy{model=\"fraud\"}");
        assertThat(AlertRule.builder("X", RuleExpression.parse("0.8 > accuracy")).build().presenceExpression().toString())
                .isEqualTo("accuracy");
        assertThat(bool().build().presenceExpression()).isNull();
        assertThat(bool().build().reportsEverySeries()).isTrue();
        assertThat(AlertRule.builder("X", RuleExpression.parse("absent(up)")).build().presenceExpression()).isNull();
    }

    @Test
    void ruleValidationNamesTheField() {
        assertThatThrownBy(() -> AlertRule.builder("bad name", FILTER).build()).hasMessageContaining("name 'bad name'");
        assertThatThrownBy(() -> AlertRule.builder("X", FILTER).forMs(-1).build()).hasMessageContaining("for must be >= 0");
        assertThatThrownBy(() -> AlertRule.builder("X", RuleExpression.parse("up[5m]")).build())
                .hasMessageContaining("range vector");
        assertThatThrownBy(() -> AlertRule.builder("X", FILTER).label("__name__", "x").build())
                .hasMessageContaining("labels must not set __name__");
        assertThatThrownBy(() -> AlertRule.builder("X", FILTER).annotation("bad-name", "x").build())
                .hasMessageContaining("annotations: 'bad-name'");
    }

    @Test
    void transitionsComeInFingerprintOrder() {
        AlertRule rule = AlertRule.builder("Many", RuleEvaluationTestExpr.ANY).build();
        List<InstantSample> result = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            result.add(new InstantSample(SeriesLabels.of("__name__", "up", "i", Integer.toString(i)), 1));
        }
        StepResult r = new AlertLifecycle(rule).step(RuleState.initial("Many"), result, T0);
        List<Long> fps = r.transitions().stream().map(AlertTransition::fingerprint).collect(Collectors.toList());
        List<Long> sorted = new ArrayList<>(fps);
        sorted.sort(Long::compareUnsigned);
        assertThat(fps).hasSize(20).isEqualTo(sorted);
        assertThat(new ArrayList<>(r.state().instances().keySet())).isEqualTo(sorted);
    }
}
