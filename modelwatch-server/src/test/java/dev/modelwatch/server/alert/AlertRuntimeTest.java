package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.RecordingReceiver;
import dev.modelwatch.server.alert.delivery.DeliveryQueue;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.store.OutboxEntry;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert runtime's evaluation and delivery on a manual clock, with no thread of its own: each
 * step evaluates at a chosen time and then runs every delivery queue's pass, so that what is (and is
 * not) sent is known the moment the step returns. A "restart" is a new runtime on the same store.
 */
class AlertRuntimeTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long S = 1_000;
    private static final long M = 60_000;
    private static final String CONFIG = """
            alerting: {default_rules: false, evaluation_interval: 10s}
            rules:
              - alert: AccuracyDrop
                expr: accuracy{model="fraud"} < 0.8
                for: 1m
                labels: {severity: critical}
            route:
              receiver: ops
              group_by: [model, alertname]
              group_wait: 0s
              group_interval: 1m
              repeat_interval: 4h
              escalate: {after: 5m, receiver: managers}
            receivers:
              - name: ops
              - name: managers
            """;
    /** Retries: the n-th waits up to 1 s × 2^(n-1); five attempts at most. */
    private static final RetryPolicy POLICY = new RetryPolicy(1_000, 2.0, 60_000, 5, 3_600_000);

    /** Every jitter draw is 0.5, in every split: the n-th retry waits half of its backoff cap. */
    static final class Half implements RandomGenerator.SplittableGenerator {
        @Override
        public long nextLong() {
            return (long) (0.5 * 0x1.0p53) << 11;
        }

        @Override
        public RandomGenerator.SplittableGenerator split() {
            return this;
        }

        @Override
        public RandomGenerator.SplittableGenerator split(RandomGenerator.SplittableGenerator source) {
            return this;
        }

        @Override
        public Stream<RandomGenerator.SplittableGenerator> splits() {
            return Stream.generate(() -> this);
        }

        @Override
        public Stream<RandomGenerator.SplittableGenerator> splits(long size) {
            return splits().limit(size);
        }

        @Override
        public Stream<RandomGenerator.SplittableGenerator> splits(RandomGenerator.SplittableGenerator source) {
            return splits();
        }

        @Override
        public Stream<RandomGenerator.SplittableGenerator> splits(long size, RandomGenerator.SplittableGenerator source) {
            return splits(size);
        }
    }

    @TempDir
    Path dir;
    Store store;
    final ManualClock clock = new ManualClock(T0);
    /** The model's accuracy as the rule reads it (a sample at every evaluation time), null for no series. */
    volatile Double accuracy;
    final SeriesSource source = (String name, List<LabelMatcher> matchers, long from, long to) -> {
        SeriesLabels labels = SeriesLabels.metric(name, Map.of("model", "fraud"));
        Double v = accuracy;
        if (!name.equals("accuracy") || v == null || !matchers.stream().allMatch(m -> m.matches(labels))) {
            return List.of();
        }
        return List.of(new RangeSeries(labels, new long[] {to}, new double[] {v}));
    };

    @BeforeEach
    void open() {
        store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A runtime on the stored state (as after a start), delivering to {@code ops} and {@code managers}. */
    private AlertRuntime runtime(RecordingReceiver ops, RecordingReceiver managers) {
        AlertingConfig config = ConfigLoader.parse(CONFIG, "rules.yml").alerting();
        AlertRuntime alerts = AlertRuntime.builder(config.withReceivers(Map.of("ops", List.of(ops), "managers",
                        List.of(managers))), store, source)
                .clock(clock).random(new Half()).retryPolicy(POLICY).build();
        alerts.restore();
        return alerts;
    }

    /** Evaluates at {@code atMs}, then lets every delivery queue attempt what is due. */
    private void step(AlertRuntime alerts, long atMs) {
        clock.set(atMs);
        alerts.evaluateOnce(atMs);
        deliver(alerts, atMs);
    }

    private void deliver(AlertRuntime alerts, long atMs) {
        clock.set(atMs);
        for (DeliveryQueue q : alerts.deliveryQueues()) {
            q.deliverDue(() -> false);
        }
    }

    private String state(AlertRuntime alerts) {
        List<AlertView.Entry> all = alerts.alerts(null, "fraud");
        return all.isEmpty() ? "none" : all.get(0).alert().state().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A runtime that sees the accuracy breach its rule from {@code T0} on, evaluated at {@code T0}. */
    private AlertRuntime breachFromT0(RecordingReceiver ops, RecordingReceiver managers) {
        AlertRuntime alerts = runtime(ops, managers);
        accuracy = 0.5;
        step(alerts, T0);
        return alerts;
    }

    private List<OutboxEntry> pending(String receiver) {
        return store.pendingNotifications(receiver, 100);
    }

    @Test
    void aBreachFiresAfterItsForDurationIsNotifiedOnceAndItsResolutionIsNotified() {
        RecordingReceiver ops = new RecordingReceiver(0);
        AlertRuntime alerts = breachFromT0(ops, new RecordingReceiver(0));
        assertThat(state(alerts)).isEqualTo("pending");
        step(alerts, T0 + 30 * S);
        assertThat(state(alerts)).isEqualTo("pending");
        assertThat(ops.attempts).as("nothing is sent while the alert is pending").hasValue(0);
        assertThat(pending("ops")).isEmpty();

        step(alerts, T0 + M);
        assertThat(state(alerts)).isEqualTo("firing");
        assertThat(ops.received).singleElement().satisfies(n -> {
            assertThat(n.firing()).singleElement().satisfies(a -> {
                assertThat(a.labels().get("alertname")).isEqualTo("AccuracyDrop");
                assertThat(a.labels().get("severity")).isEqualTo("critical");
            });
            assertThat(n.resolved()).isEmpty();
        });
        step(alerts, T0 + M + 10 * S);
        step(alerts, T0 + M + 20 * S);
        assertThat(ops.received).as("the same breach evaluated again: nothing new to say").hasSize(1);

        accuracy = 0.9;
        step(alerts, T0 + M + 30 * S);
        assertThat(state(alerts)).isEqualTo("resolved");
        step(alerts, T0 + 2 * M + 10 * S); // the group's interval has passed
        assertThat(ops.received).hasSize(2);
        assertThat(ops.received.get(1).firing()).isEmpty();
        assertThat(ops.received.get(1).resolved()).singleElement()
                .satisfies(a -> assertThat(a.id()).isEqualTo(ops.received.get(0).firing().get(0).id()));
        assertThat(alerts.evaluations()).isEqualTo(7);
        assertThat(store.alertHistory(null, 0, 10)).extracting(h -> h.fromState() + ">" + h.toState())
                .contains("inactive>pending", "pending>firing", "firing>resolved");
    }

    @Test
    void aFailedDeliveryIsRetriedAtItsBackoffNotBeforeAndGivesTheNotificationOnce() {
        RecordingReceiver ops = new RecordingReceiver(2);
        AlertRuntime alerts = breachFromT0(ops, new RecordingReceiver(0));
        step(alerts, T0 + M); // fires; the first attempt fails
        assertThat(ops.attempts).hasValue(1);
        OutboxEntry row = pending("ops").get(0);
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.lastError()).contains("503");
        long firstRetry = retriedAfter(alerts, ops, T0 + M, 500); // half the first cap; fails too
        long secondRetry = retriedAfter(alerts, ops, firstRetry, 1_000); // half the second cap; delivered
        assertThat(ops.attempts).hasValue(3);
        assertThat(ops.received).hasSize(1);
        assertThat(pending("ops")).isEmpty();
        OutboxEntry delivery = firstDelivery(alerts);
        assertThat(delivery.status()).isEqualTo("delivered");
        assertThat(delivery.attempts()).isEqualTo(3);

        deliver(alerts, secondRetry + 10 * M);
        assertThat(ops.attempts).as("a delivered notification is not sent again").hasValue(3);
    }

    /**
     * Checks that the only pending row, whose last attempt was at {@code lastAttemptMs}, is due
     * {@code waitMs} later and is not attempted before; then attempts it then and returns that time.
     */
    private long retriedAfter(AlertRuntime alerts, RecordingReceiver receiver, long lastAttemptMs, long waitMs) {
        long due = pending("ops").get(0).dueAtMs();
        assertThat(due).as("the backoff after the attempt at %d", lastAttemptMs).isEqualTo(lastAttemptMs + waitMs);
        int attempts = receiver.attempts.get();
        deliver(alerts, due - 1);
        assertThat(receiver.attempts).as("not attempted before it is due").hasValue(attempts);
        deliver(alerts, due);
        assertThat(receiver.attempts).as("attempted when due").hasValue(attempts + 1);
        return due;
    }

    /** The delivery row of the model's first firing alert (what its API answer lists under deliveries). */
    private OutboxEntry firstDelivery(AlertRuntime alerts) {
        String id = alerts.alerts("firing", "fraud").get(0).alert().id();
        return store.recentNotifications(1_000).stream()
                .filter(e -> List.of(e.alertIds().split(",")).contains(id))
                .findFirst().orElseThrow();
    }

    @Test
    void aNotificationPendingAtARestartIsSentOnceByTheNextRuntimeWhichDoesNotFireAgain() {
        RecordingReceiver down = new RecordingReceiver(Integer.MAX_VALUE);
        AlertRuntime before = breachFromT0(down, new RecordingReceiver(0));
        step(before, T0 + M);
        assertThat(down.attempts).hasValue(1);
        assertThat(pending("ops")).hasSize(1);

        RecordingReceiver up = new RecordingReceiver(0);
        AlertRuntime after = runtime(up, new RecordingReceiver(0));
        assertThat(state(after)).as("the restored state").isEqualTo("firing");
        deliver(after, T0 + M + 10 * S);
        assertThat(up.received).singleElement()
                .satisfies(n -> assertThat(n.reason()).isEqualTo(NotifyReason.FIRST_NOTIFICATION));
        step(after, T0 + M + 20 * S);
        step(after, T0 + 2 * M + 30 * S);
        assertThat(up.received).as("the restored groups know it was notified").hasSize(1);
        assertThat(pending("ops")).isEmpty();
    }

    @Test
    void anAlertEscalatesOnceAtItsDueTimeAcrossRestarts() {
        RecordingReceiver ops = new RecordingReceiver(0);
        RecordingReceiver managers = new RecordingReceiver(0);
        AlertRuntime first = breachFromT0(ops, managers);
        step(first, T0 + M); // fires and is first notified: escalation due at T0 + 6m
        assertThat(ops.received).hasSize(1);

        AlertRuntime second = runtime(ops, managers);
        step(second, T0 + 3 * M);
        step(second, T0 + 6 * M - S);
        assertThat(managers.attempts).as("not escalated before it is due").hasValue(0);
        step(second, T0 + 6 * M);
        assertThat(managers.received).singleElement()
                .satisfies(n -> assertThat(n.reason()).isEqualTo(NotifyReason.ESCALATION));

        AlertRuntime third = runtime(ops, managers);
        for (long t = T0 + 7 * M; t <= T0 + 20 * M; t += M) {
            step(third, t);
        }
        assertThat(managers.received).as("escalated once per episode").hasSize(1);
        assertThat(ops.received).hasSize(1);
    }

    @Test
    void theBuilderNamesWhatIsMissing() {
        AlertingConfig config = ConfigLoader.parse(CONFIG, "rules.yml").alerting();
        assertThatThrownBy(() -> AlertRuntime.builder(config, store, source).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("clock and random must be set");
    }

    @Test
    void theScheduleEvaluatesJustAfterAWindowClosesAndMeasuresTheLagFromTheNewestClose() {
        EvaluationSchedule schedule = new EvaluationSchedule(10 * S, () -> List.of(M));
        assertThat(schedule.nextAtMs(T0 + 5 * S, T0 + 5 * S)).as("the interval").isEqualTo(T0 + 15 * S);
        assertThat(schedule.nextAtMs(T0 + 55 * S, T0 + 55 * S)).as("just after the window's close")
                .isEqualTo(T0 + M + EvaluationSchedule.WINDOW_CLOSE_GRACE_MS);
        assertThat(schedule.lagSeconds(T0 + 10 * S)).as("the first call only notes the newest close").isEmpty();
        assertThat(schedule.lagSeconds(T0 + 20 * S)).as("no window closed since").isEmpty();
        assertThat(schedule.lagSeconds(T0 + M + 500)).hasValue(0.5);
    }

    @Test
    void aSilenceExpiredInTheMillisecondItStartsIsExpiredNotRefused() {
        AlertRuntime alerts = runtime(new RecordingReceiver(0), new RecordingReceiver(0));
        var silence = alerts.addSilence(List.of(dev.modelwatch.server.alert.dispatch.MatcherParser.parse("model=\"fraud\"")),
                T0, T0 + 3_600_000, "ops", "maintenance");
        assertThat(alerts.expireSilence(silence.id())).isTrue();
        assertThat(alerts.silences()).singleElement().satisfies(s -> {
            assertThat(s.endsAtMs()).isEqualTo(T0);
            assertThat(s.startsAtMs()).isLessThan(s.endsAtMs());
        });
    }
}
