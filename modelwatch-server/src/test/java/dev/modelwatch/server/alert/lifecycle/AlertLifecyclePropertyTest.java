package dev.modelwatch.server.alert.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random breach/clear/no-data/error sequences at random times, under random rule settings: receivers
 * are never told twice that an alert fires without being told in between that it resolved, the
 * receivers' view always agrees with the effects, and the state survives a JSON round trip exactly.
 */
class AlertLifecyclePropertyTest {
    private static final long[] FOR = {0, 30_000, 60_000, 120_000};
    private static final long[] KEEP = {0, 60_000, 300_000};
    private static final long[] FLAP = {0, 120_000, 600_000};

    @Test
    void fireAndResolveAlternatePerAlertAndStateRoundTripsExactly() throws Exception {
        int transitions = 0;
        int fires = 0;
        int held = 0;
        for (long seed = 1; seed <= 80; seed++) {
            Random rnd = new Random(seed);
            boolean bool = rnd.nextInt(3) == 0;
            boolean presence = !bool && rnd.nextBoolean();
            AlertRule rule = AlertRule.builder("Prop", RuleExpression.parse(bool ? "accuracy < bool 0.8" : "accuracy < 0.8"))
                    .forMs(FOR[rnd.nextInt(FOR.length)]).keepFiringForMs(KEEP[rnd.nextInt(KEEP.length)])
                    .flapWindowMs(FLAP[rnd.nextInt(FLAP.length)])
                    .noDataState(NoDataState.values()[rnd.nextInt(3)]).errorState(ErrorState.values()[rnd.nextInt(4)])
                    .annotation("summary", "{{ $labels.model }} at {{ $value | printf \"%.2f\" }}").build();
            AlertLifecycle lifecycle = new AlertLifecycle(rule);
            RuleState state = RuleState.initial("Prop");
            Map<Long, Boolean> told = new HashMap<>();
            long now = 1_800_000_000_000L;
            for (int step = 0; step < 250; step++) {
                now += 1_000L * (1 + rnd.nextInt(rnd.nextBoolean() ? 60 : 400));
                RuleEvaluation eval = randomEvaluation(rnd, bool, presence);
                StepResult r = lifecycle.step(state, eval, now);
                for (AlertTransition t : r.transitions()) {
                    transitions++;
                    boolean notified = told.getOrDefault(t.fingerprint(), false);
                    switch (t.effect()) {
                        case FIRE:
                            assertThat(notified).as("seed %d step %d: FIRE while already firing: %s", seed, step, t).isFalse();
                            told.put(t.fingerprint(), true);
                            fires++;
                            break;
                        case RESOLVE:
                            assertThat(notified).as("seed %d step %d: RESOLVE while not firing: %s", seed, step, t).isTrue();
                            told.put(t.fingerprint(), false);
                            break;
                        case HELD:
                            assertThat(notified).as("seed %d step %d: HELD while not firing", seed, step).isTrue();
                            held++;
                            break;
                        default:
                            break;
                    }
                }
                for (Map.Entry<Long, Boolean> e : told.entrySet()) {
                    AlertInstance a = r.state().instances().get(e.getKey());
                    assertThat(a != null && a.notifying()).as("seed %d step %d: receivers' view of %s", seed, step,
                            Long.toHexString(e.getKey())).isEqualTo(e.getValue());
                }
                RuleState restored = Json.read(Json.bytes(StoredRuleState.of(r.state())), StoredRuleState.class,
                        "rule state").toState();
                assertThat(restored).as("seed %d step %d round trip", seed, step).isEqualTo(r.state());
                state = restored;
            }
        }
        // the random walk exercised every path
        assertThat(transitions).isGreaterThan(3_000);
        assertThat(fires).isGreaterThan(300);
        assertThat(held).isGreaterThan(10);
    }

    private static RuleEvaluation randomEvaluation(Random rnd, boolean bool, boolean presence) {
        if (rnd.nextInt(25) == 0) {
            return RuleEvaluation.failed("random failure");
        }
        List<InstantSample> samples = new ArrayList<>();
        List<InstantSample> existing = new ArrayList<>();
        for (String model : new String[] {"fraud", "churn"}) {
            int r = rnd.nextInt(10);
            SeriesLabels l = bool ? SeriesLabels.of("model", model) : SeriesLabels.of("__name__", "accuracy", "model", model);
            double v = Math.round(rnd.nextDouble() * 1000) / 1000.0;
            if (r < 4) {
                samples.add(new InstantSample(l, bool ? 1 : v));
            } else if (r < 9) {
                if (bool) {
                    samples.add(new InstantSample(l, 0));
                } else {
                    existing.add(new InstantSample(l, v + 1));
                }
            }
        }
        return presence ? RuleEvaluation.of(samples, existing) : RuleEvaluation.of(samples);
    }
}
