package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.inhibit.InhibitRule;
import dev.modelwatch.server.alert.inhibit.Inhibitor;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.Silencer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stages wired as the server will wire them, on a fake clock: rule → lifecycle → mute → group → notify. */
class AlertPipelineTest {
    static final long T0 = 1_800_000_000_000L;
    static final long S = 1000;
    static final long M = 60 * S;

    final AlertLifecycle accuracy = new AlertLifecycle(AlertRule.builder("AccuracyDrop",
            RuleExpression.parse("accuracy < 0.8")).forMs(2 * M).label("severity", "critical")
            .annotation("summary", "accuracy of {{ $labels.model }} is {{ $value | printf \"%.2f\" }}").build());
    final AlertLifecycle drift = new AlertLifecycle(AlertRule.builder("FeatureDrift",
            RuleExpression.parse("drift_psi > 0.2")).label("severity", "warning").build());
    final Route tree = Yaml.tree("receiver: ops\ngroup_by: [model]\ngroup_wait: 30s\ngroup_interval: 1m\nrepeat_interval: 4h");
    final List<InhibitRule> inhibit = List.of(new InhibitRule(MatcherParser.parseList("{severity=\"critical\"}"),
            MatcherParser.parseList("{severity=\"warning\"}"), List.of("model")));

    RuleState accState = RuleState.initial("AccuracyDrop");
    RuleState driftState = RuleState.initial("FeatureDrift");
    Dispatcher dispatcher = Dispatcher.create(tree);
    List<Silence> silences = new ArrayList<>();
    final List<Notification> sent = new ArrayList<>();

    /** One evaluation round at {@code now}, then the dispatcher's ticks until {@code until}. */
    void evaluate(long now, double accuracyValue, double psi, long until) {
        StepResult a = accuracy.step(accState, accuracyValue < 0.8
                ? List.of(new InstantSample(SeriesLabels.of("__name__", "accuracy", "model", "fraud"), accuracyValue))
                : List.of(), now);
        StepResult d = drift.step(driftState, psi > 0.2
                ? List.of(new InstantSample(SeriesLabels.of("__name__", "drift_psi", "model", "fraud"), psi))
                : List.of(), now);
        accState = a.state();
        driftState = d.state();
        List<Alert> alerts = new ArrayList<>(Alert.ofStep(a, now));
        alerts.addAll(Alert.ofStep(d, now));
        Map<String, Muter> muters = new LinkedHashMap<>();
        muters.put("silenced", Silencer.of(silences));
        muters.put("inhibited", Inhibitor.of(inhibit, alerts));
        dispatcher = dispatcher.ingest(alerts, muters, now);
        long t = now;
        while (dispatcher.nextWakeAtMs() <= until) {
            t = Math.max(t, dispatcher.nextWakeAtMs());
            Dispatcher.Tick tick = dispatcher.tick(t, r -> true);
            sent.addAll(tick.notifications());
            dispatcher = tick.dispatcher();
        }
    }

    @Test
    void aBreachHeldForTwoMinutesIsNotifiedAfterGroupWaitAndTheDriftWarningIsInhibited() {
        for (long t = 0; t <= 3 * M; t += 30 * S) {
            evaluate(T0 + t, 0.7, 0.3, T0 + t + 30 * S - 1);
        }
        // drift fires at once but is inhibited only once the critical accuracy alert fires (after 2m);
        // until then it is notified on its own
        assertThat(sent).extracting(n -> n.atMs() - T0).containsExactly(30 * S, 2 * M + 30 * S);
        assertThat(sent.get(0).firing()).extracting(x -> x.labels().get("alertname")).containsExactly("FeatureDrift");
        assertThat(sent.get(1).firing()).extracting(x -> x.labels().get("alertname")).containsExactly("AccuracyDrop");
        assertThat(sent.get(1).firing().get(0).annotations()).containsEntry("summary", "accuracy of fraud is 0.70");
        assertThat(dispatcher.mutedCounts()).containsKey("inhibited");
    }

    @Test
    void aSilencedAlertIsNeitherNotifiedNorResolved() {
        silences.add(new Silence("maint", MatcherParser.parseList("{model=\"fraud\"}"), T0, T0 + 10 * M, "alice", "retraining"));
        for (long t = 0; t <= 12 * M; t += 30 * S) {
            double acc = t < 11 * M ? 0.7 : 0.9;
            evaluate(T0 + t, acc, 0.1, T0 + t + 30 * S - 1);
        }
        // silenced until 10m; still firing after it ends: notified as new at the next group flush
        assertThat(sent).isNotEmpty();
        assertThat(sent.get(0).atMs()).isGreaterThan(T0 + 10 * M);
        assertThat(sent.get(0).reason()).isEqualTo(NotifyReason.FIRST_NOTIFICATION);
    }
}
