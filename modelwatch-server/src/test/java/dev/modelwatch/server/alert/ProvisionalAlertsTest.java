package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.lifecycle.RuleEvaluation;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link ProvisionalAlerts} on a hand-made source: one model's {@code accuracy} and {@code label_coverage}
 * samples, changed between steps as late labels would change them.
 */
class ProvisionalAlertsTest {
    private static final long MINUTE = 60_000L;
    private static final long LOOKBACK = 5 * MINUTE;

    /** name -> time -> value, for model "m". */
    private final Map<String, TreeMap<Long, Double>> data = Map.of("accuracy", new TreeMap<>(),
            "label_coverage", new TreeMap<>());

    private final SeriesSource source = (name, matchers, from, to) -> {
        TreeMap<Long, Double> points = data.get(name);
        if (points == null || !matchers.stream().allMatch(m -> m.matches(SeriesLabels.of("model", "m")))) {
            return List.of();
        }
        var range = points.subMap(from, false, to, true);
        if (range.isEmpty()) {
            return List.of();
        }
        return List.of(new RangeSeries(SeriesLabels.metric(name, Map.of("model", "m")),
                range.keySet().stream().mapToLong(Long::longValue).toArray(),
                range.values().stream().mapToDouble(Double::doubleValue).toArray()));
    };

    private RuleState state;
    private StepResult last;

    private void window(long end, double accuracy, double coverage) {
        data.get("accuracy").put(end, accuracy);
        data.get("label_coverage").put(end, coverage);
    }

    private AlertInstance step(AlertRule rule, ProvisionalAlerts provisional, long now) {
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        StepResult s = lifecycle.step(state, RuleEvaluation.of(rule.expr().evaluate(source, now, LOOKBACK)), now);
        last = provisional.review(rule, state, s, now);
        state = last.state();
        return state.instances().values().stream().findFirst().orElse(null);
    }

    private static AlertRule rule(String expr) {
        return AlertRule.builder("Low", RuleExpression.parse(expr)).build();
    }

    @Test
    void aProvisionalAlertIsHeldThenRetractedWhenItsWindowsLabelsShowNoBreach() {
        AlertRule rule = rule("accuracy < 0.8");
        ProvisionalAlerts provisional = new ProvisionalAlerts(LabelPolicy.DEFAULT, source, LOOKBACK);
        state = RuleState.initial(rule.name());
        window(MINUTE, 0.1, 0.05);

        AlertInstance fired = step(rule, provisional, MINUTE + 20);
        assertThat(fired.state()).isEqualTo(AlertState.FIRING);
        assertThat(fired.annotations()).containsEntry("label_status", "provisional").containsEntry("label_coverage", "0.050");
        assertThat(last.transitions()).singleElement().satisfies(t -> assertThat(t.note()).contains("provisional: 5.0% labelled"));

        // its window left the lookback: the rule alone would resolve it; it is held
        AlertInstance held = step(rule, provisional, 10 * MINUTE);
        assertThat(held.state()).isEqualTo(AlertState.FIRING);
        assertThat(held.annotations()).containsEntry("label_status", "provisional");
        assertThat(last.transitions()).isEmpty();

        window(MINUTE, 0.2, 0.5); // more labels, not enough
        assertThat(step(rule, provisional, 11 * MINUTE).state()).isEqualTo(AlertState.FIRING);
        assertThat(state.instances().values().iterator().next().annotations()).containsEntry("label_coverage", "0.500");

        window(MINUTE, 0.9, 0.95); // the late labels: the accuracy was fine
        AlertInstance retracted = step(rule, provisional, 12 * MINUTE);
        assertThat(retracted.state()).isEqualTo(AlertState.RESOLVED);
        assertThat(retracted.notifying()).isFalse();
        assertThat(retracted.annotations()).containsEntry("label_status", "retracted").containsEntry("label_coverage", "0.950");
        assertThat(retracted.annotations().get("label_note")).startsWith("retracted with 95.0% of the labels");
        assertThat(last.transitions()).singleElement().satisfies(t -> {
            assertThat(t.from()).isEqualTo(AlertState.FIRING);
            assertThat(t.to()).isEqualTo(AlertState.RESOLVED);
            assertThat(t.effect()).isEqualTo(AlertTransition.Effect.RESOLVE);
        });

        // and it stays retracted while it is kept
        assertThat(step(rule, provisional, 13 * MINUTE).annotations()).containsEntry("label_status", "retracted");
    }

    @Test
    void pastTheLabelDelayItIsDecidedOnTheLabelsThereAre() {
        AlertRule rule = rule("accuracy < 0.8");
        ProvisionalAlerts provisional = new ProvisionalAlerts(new LabelPolicy(0.9, 30 * MINUTE), source, LOOKBACK);
        state = RuleState.initial(rule.name());
        window(MINUTE, 0.1, 0.05);
        step(rule, provisional, MINUTE + 20);
        window(2 * MINUTE, 0.3, 0.02);
        assertThat(step(rule, provisional, 2 * MINUTE + 20).state()).isEqualTo(AlertState.FIRING);

        assertThat(step(rule, provisional, 30 * MINUTE).annotations()).containsEntry("label_status", "provisional");
        AlertInstance confirmed = step(rule, provisional, 31 * MINUTE + 20);
        assertThat(confirmed.annotations()).containsEntry("label_status", "confirmed");
        assertThat(confirmed.annotations().get("label_note"))
                .startsWith("confirmed 30m after it fired, with only 5.0% of the labels");
        // confirmed, it follows its rule: its windows are long gone, so it resolves as any alert would
        assertThat(confirmed.state()).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void coverageIsThatOfTheWindowsTheRuleReadsAndAlertsOnLabelledWindowsAreNotProvisional() {
        AlertRule rule = rule("accuracy offset 1h < 0.8");
        ProvisionalAlerts provisional = new ProvisionalAlerts(LabelPolicy.DEFAULT, source, LOOKBACK);
        state = RuleState.initial(rule.name());
        window(MINUTE, 0.5, 0.97);
        window(61 * MINUTE, 0.95, 0.01); // the current window, hardly labelled, is not what the rule reads
        AlertInstance fired = step(rule, provisional, 61 * MINUTE + 20);
        assertThat(fired.state()).isEqualTo(AlertState.FIRING);
        assertThat(fired.annotations()).doesNotContainKeys("label_status", "label_coverage", "label_note");
    }

    @Test
    void rulesThatReadNoLabelledSeriesAreLeftAlone() {
        AlertRule rule = rule("label_coverage < 0.5");
        ProvisionalAlerts provisional = new ProvisionalAlerts(LabelPolicy.DEFAULT, source, LOOKBACK);
        state = RuleState.initial(rule.name());
        window(MINUTE, 0.5, 0.1);
        AlertLifecycle lifecycle = new AlertLifecycle(rule);
        StepResult s = lifecycle.step(state, RuleEvaluation.of(rule.expr().evaluate(source, MINUTE + 20, LOOKBACK)),
                MINUTE + 20);
        assertThat(provisional.review(rule, state, s, MINUTE + 20)).isSameAs(s);
    }
}
