package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.lifecycle.RuleEvaluation;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline (rule lifecycle → dispatcher → aggregation groups) under random breach/clear
 * sequences at random times and random routing settings: a receiver is never told twice that an
 * alert fires (it is "newly firing" in a group notification) unless the alert resolved in between,
 * and an unchanged group is repeated only after its repeat interval.
 */
class PipelinePropertyTest {
    private static final String[] GROUP_BY = {"[model]", "[alertname]", "['...']", "[]"};
    private static final String[] MODELS = {"fraud", "churn", "credit"};

    @Test
    void noAlertIsNotifiedFiringTwiceWithoutResolvingAndRepeatsWaitTheirInterval() {
        int notifications = 0;
        int newlyFiring = 0;
        int repeats = 0;
        for (long seed = 1; seed <= 60; seed++) {
            Random rnd = new Random(seed);
            long repeatMs = 60_000L * (10 + rnd.nextInt(110));
            String config = String.join("\n", "receiver: ops", "group_by: " + GROUP_BY[rnd.nextInt(GROUP_BY.length)],
                    "group_wait: " + rnd.nextInt(60) + "s", "group_interval: " + (30 + rnd.nextInt(270)) + "s",
                    "repeat_interval: " + repeatMs / 60_000 + "m",
                    "routes: [{matchers: ['severity=\"critical\"'], receiver: oncall, continue: true}]");
            boolean sendResolved = rnd.nextBoolean();
            List<AlertLifecycle> rules = List.of(
                    new AlertLifecycle(AlertRule.builder("AccuracyDrop", RuleExpression.parse("accuracy < 0.8"))
                            .forMs(15_000L * rnd.nextInt(5)).keepFiringForMs(30_000L * rnd.nextInt(3))
                            .flapWindowMs(rnd.nextBoolean() ? 0 : 300_000).label("severity", "critical").build()),
                    new AlertLifecycle(AlertRule.builder("LatencyHigh", RuleExpression.parse("latency > bool 250"))
                            .forMs(30_000L * rnd.nextInt(3)).flapWindowMs(rnd.nextBoolean() ? 0 : 600_000).build()));
            List<RuleState> states = new ArrayList<>(List.of(RuleState.initial("AccuracyDrop"), RuleState.initial("LatencyHigh")));
            Dispatcher d = Dispatcher.create(Yaml.tree(config));

            Map<Long, Integer> resolvesOf = new HashMap<>();
            Map<String, Set<Long>> lastFiringOfGroup = new HashMap<>();
            Map<String, Long> lastAtOfGroup = new HashMap<>();
            Map<String, Integer> resolvesAtLastNotice = new HashMap<>();
            long now = 1_800_000_000_000L;
            for (int eval = 0; eval < 400; eval++) {
                List<Alert> batch = new ArrayList<>();
                for (int r = 0; r < rules.size(); r++) {
                    StepResult step = rules.get(r).step(states.get(r), randomResult(rnd, r == 1), now);
                    states.set(r, step.state());
                    for (AlertTransition t : step.transitions()) {
                        if (t.effect() == AlertTransition.Effect.RESOLVE) {
                            resolvesOf.merge(t.fingerprint(), 1, Integer::sum);
                        }
                    }
                    batch.addAll(Alert.ofStep(step, now));
                }
                d = d.ingest(batch, now);
                long nextEval = now + 1_000L * (5 + rnd.nextInt(rnd.nextInt(4) == 0 ? 600 : 60));
                while (d.nextWakeAtMs() < nextEval) {
                    now = Math.max(now, d.nextWakeAtMs());
                    Dispatcher.Tick tick = d.tick(now, receiver -> sendResolved);
                    d = tick.dispatcher();
                    for (Notification n : tick.notifications()) {
                        notifications++;
                        String group = n.receiver() + "|" + n.groupKey();
                        Set<Long> before = lastFiringOfGroup.getOrDefault(group, Set.of());
                        if (n.reason() == NotifyReason.REPEAT_INTERVAL_ELAPSED) {
                            repeats++;
                            assertThat(n.atMs() - lastAtOfGroup.get(group)).as("seed %d: repeat too early", seed)
                                    .isGreaterThan(repeatMs);
                        }
                        Set<Long> firingNow = new HashSet<>();
                        for (Alert a : n.firing()) {
                            firingNow.add(a.fingerprint());
                            if (!before.contains(a.fingerprint())) {
                                newlyFiring++;
                                String k = group + "|" + a.fingerprint();
                                int resolves = resolvesOf.getOrDefault(a.fingerprint(), 0);
                                Integer atLast = resolvesAtLastNotice.get(k);
                                assertThat(atLast == null || resolves > atLast)
                                        .as("seed %d: %s notified firing again to %s at %d without resolving", seed, a.labels(),
                                                n.receiver(), n.atMs()).isTrue();
                                resolvesAtLastNotice.put(k, resolves);
                            }
                        }
                        lastFiringOfGroup.put(group, firingNow);
                        lastAtOfGroup.put(group, n.atMs());
                    }
                }
                now = nextEval;
            }
        }
        assertThat(notifications).isGreaterThan(2_000);
        assertThat(newlyFiring).isGreaterThan(1_000);
        assertThat(repeats).isGreaterThan(10);
    }

    private static RuleEvaluation randomResult(Random rnd, boolean bool) {
        List<InstantSample> samples = new ArrayList<>();
        for (String model : MODELS) {
            int r = rnd.nextInt(10);
            if (bool) {
                if (r < 9) {
                    samples.add(new InstantSample(SeriesLabels.of("model", model), r < 4 ? 1 : 0));
                }
            } else if (r < 4) {
                samples.add(new InstantSample(SeriesLabels.of("__name__", "accuracy", "model", model), rnd.nextDouble() * 0.8));
            }
        }
        return RuleEvaluation.of(samples);
    }
}
