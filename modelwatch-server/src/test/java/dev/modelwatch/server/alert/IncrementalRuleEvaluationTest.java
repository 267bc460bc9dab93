package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalRuleEvaluationTest {
    private static final long W = WindowedTestSource.W;
    private static final long T0 = 1_800_000_000_000L;
    private static final String RULES = """
            alerting: {default_rules: false}
            rules:
              - alert: NoTraffic
                expr: sum_over_time(count[10m]) == 0
              - alert: ErrorRateHigh
                expr: error_rate > 0.05
                for: 2m
              - alert: TrafficDrop
                expr: avg_over_time(count[10m]) < 0.3 * avg_over_time(count[30m] offset 10m)
                for: 5m
            """;
    /** Across models: evaluated in full every pass. */
    private static final String ACROSS_MODELS = """
              - alert: AnyErrors
                expr: sum(error_rate) > 0
            """;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);
    private final AtomicLong now = clock.now;

    private Store store(String name) {
        return Stores.open("jdbc:sqlite:" + dir.resolve(name + ".sqlite"), SketchSettings.DEFAULT);
    }

    private static AlertingConfig config() {
        return ConfigLoader.parse(RULES, "rules.yml").alerting();
    }

    private static AlertingConfig withRuleAcrossModels() {
        return ConfigLoader.parse(RULES + ACROSS_MODELS, "rules.yml").alerting();
    }

    /** rule/model -> state of every alert instance. */
    private static Map<String, String> states(AlertRuntime alerts) {
        Map<String, String> out = new TreeMap<>();
        for (AlertView.Entry a : alerts.alerts(null, null)) {
            Map<String, String> labels = a.alert().labels().asMap();
            out.put(a.rule() + "/" + labels.getOrDefault("model", ""),
                    a.alert().state().name().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private AlertRuntime runtime(AlertingConfig config, Store store, dev.modelwatch.core.rules.SeriesSource source) {
        return AlertRuntime.builder(config, store, source).clock(clock).random(new java.util.SplittableRandom(1)).build();
    }

    private void evaluateAt(long t, AlertRuntime... runtimes) {
        now.set(t);
        for (AlertRuntime r : runtimes) {
            r.evaluateOnce(t);
        }
    }

    @Test
    void anIdleModelIsNotQueriedWhileItsNoTrafficAlertStaysFiringAndABusyOneIsQueriedEveryPass() {
        WindowedTestSource source = new WindowedTestSource(clock);
        try (Store store = store("incremental")) {
            AlertRuntime alerts = runtime(config(), store, source);
            alerts.restore();
            source.events("idle", T0, 1, 0.5);
            long t = T0;
            int idleQueriesWhenSettled = -1;
            int busyQueriesWhenSettled = -1;
            for (int minute = 1; minute <= 120; minute++) {
                t = T0 + minute * W + 20;
                source.events("busy", T0 + (minute - 1) * W, 100, 0.0);
                evaluateAt(t, alerts);
                if (minute == 80) {
                    // 'idle' last had data in the window ending T0 + 1m; TrafficDrop's horizon is 40m
                    assertThat(states(alerts)).containsEntry("NoTraffic/idle", "firing");
                    idleQueriesWhenSettled = source.queries("idle");
                    busyQueriesWhenSettled = source.queries("busy");
                }
            }
            assertThat(source.queries("idle")).as("queries of the idle model after it settled")
                    .isEqualTo(idleQueriesWhenSettled);
            assertThat(source.queries("busy") - busyQueriesWhenSettled).as("queries of the busy model")
                    .isGreaterThanOrEqualTo(40);
            assertThat(states(alerts)).containsEntry("NoTraffic/idle", "firing")
                    .doesNotContainKey("NoTraffic/busy");
            assertThat(alerts.modelEvaluations().get("reused")).isPositive();

            // traffic comes back: the idle model is queried again at once and its alert resolves
            source.events("idle", T0 + 120 * W, 5, 0.0);
            evaluateAt(T0 + 121 * W + 20, alerts);
            assertThat(source.queries("idle")).isGreaterThan(idleQueriesWhenSettled);
            assertThat(states(alerts)).containsEntry("NoTraffic/idle", "resolved");
        }
    }

    @Test
    void theAbsenceRuleFiresForAModelWhoseTrafficStopsAfterItsOtherRulesSettled() {
        WindowedTestSource source = new WindowedTestSource(clock);
        try (Store store = store("absence")) {
            AlertRuntime alerts = runtime(config(), store, source);
            alerts.restore();
            for (int minute = 1; minute <= 60; minute++) {
                source.events("m", T0 + (minute - 1) * W, 100, 0.0);
                evaluateAt(T0 + minute * W + 20, alerts);
            }
            assertThat(states(alerts)).doesNotContainKey("NoTraffic/m");
            for (int minute = 61; minute <= 80; minute++) {
                evaluateAt(T0 + minute * W + 20, alerts);
            }
            assertThat(states(alerts)).containsEntry("NoTraffic/m", "firing");
        }
    }

    /**
     * The same data and passes, one runtime evaluating incrementally and one in full: after every
     * pass both hold the same alerts in the same states — busy, idle, late and returning models, a
     * rule with {@code for}, a rule over an aggregation across models (evaluated in full).
     */
    @Test
    void incrementalAndFullEvaluationAgreeAfterEveryPass() {
        WindowedTestSource source = new WindowedTestSource(clock);
        try (Store a = store("incremental"); Store b = store("full")) {
            AlertRuntime incremental = runtime(withRuleAcrossModels(), a, source);
            AlertRuntime full = runtime(withRuleAcrossModels(), b,
                    (name, matchers, from, to) -> source.select(name, matchers, from, to, null));
            incremental.restore();
            full.restore();
            source.events("once", T0, 1, 0.5);
            java.util.Set<String> seen = new java.util.TreeSet<>();
            for (int minute = 1; minute <= 150; minute++) {
                long windowStart = T0 + (minute - 1) * W;
                if (minute < 40 || minute > 100) {
                    source.events("busy", windowStart, 100, minute % 17 == 0 ? 0.2 : 0.0);
                }
                if (minute % 30 == 0) {
                    source.events("late", windowStart - 3 * W, 7, 0.3); // a late event into a closed window
                }
                if (minute == 90) {
                    source.events("once", windowStart, 2, 0.0);
                }
                for (long offset : new long[] {20, 20_000, 45_000}) {
                    evaluateAt(T0 + minute * W + offset, incremental, full);
                    assertThat(states(incremental)).as("minute %d + %d ms", minute, offset).isEqualTo(states(full));
                    states(full).forEach((k, v) -> seen.add(k + "=" + v));
                }
            }
            assertThat(seen).as("what the passes went through").contains("NoTraffic/once=firing", "NoTraffic/once=resolved",
                    "NoTraffic/busy=firing", "NoTraffic/busy=resolved", "TrafficDrop/busy=firing",
                    "ErrorRateHigh/once=firing", "ErrorRateHigh/busy=pending", "ErrorRateHigh/late=pending",
                    "AnyErrors/=firing");
            assertThat(incremental.modelEvaluations().get("reused")).isPositive();
        }
    }

    @Test
    void alertPagesFollowRuleThenIdOrderAndAModelsHealthReadsItsFiringAlerts() {
        WindowedTestSource source = new WindowedTestSource(clock);
        try (Store store = store("pages")) {
            AlertRuntime alerts = runtime(config(), store, source);
            alerts.restore();
            for (int i = 0; i < 5; i++) {
                source.events("m" + i, T0, 1, 0.5);
            }
            for (int minute = 1; minute <= 15; minute++) {
                evaluateAt(T0 + minute * W + 20, alerts);
            }
            List<AlertView.Entry> all = alerts.alerts("firing", null);
            assertThat(all).hasSize(5);
            List<Object> paged = new java.util.ArrayList<>();
            AlertView.Position after = null;
            int pages = 0;
            do {
                AlertView.Page page = alerts.alerts("firing", null, after, 2);
                page.alerts().forEach(a -> paged.add(a.alert().id()));
                after = page.last();
                pages++;
            } while (after != null && pages < 10);
            assertThat(pages).isEqualTo(3);
            assertThat(paged).containsExactlyElementsOf(all.stream().map(a -> (Object) a.alert().id()).toList());
            assertThat(alerts.firing("m3")).singleElement().satisfies(f -> {
                assertThat(f.labels()).containsEntry("alertname", "NoTraffic").containsEntry("model", "m3");
            });
            assertThat(alerts.firing("unknown")).isEmpty();
        }
    }
}
