package dev.modelwatch.server.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.GroupKey;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.store.OutboxEntry;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One integration's outbox on a clock the test moves: backoff, superseding, restart with pending rows. */
class DeliveryQueueTest {
    private static final long T0 = 1_800_000_000_000L;
    /** Every jitter draw is 0.5: the n-th retry waits half of its backoff cap. */
    private static final RandomGenerator HALF = () -> (long) (0.5 * 0x1.0p53) << 11;
    private static final RetryPolicy POLICY = new RetryPolicy(1_000, 2.0, 300_000, 4, 3_600_000);
    private static final GroupKey A = new GroupKey("root", SeriesLabels.of("alertname", "Drop", "model", "a"));
    private static final GroupKey B = new GroupKey("root", SeriesLabels.of("alertname", "Drop", "model", "b"));

    @TempDir
    Path dir;
    Store store;
    final ManualClock clock = new ManualClock(T0);

    /** Answers each attempt with the next scripted result (delivered when the script is empty). */
    static final class Scripted implements Notifier {
        final Deque<NotifyResult> script = new ArrayDeque<>();
        final List<Notification> attempts = new ArrayList<>();

        @Override
        public String name() {
            return "webhook[0]";
        }

        @Override
        public boolean sendResolved() {
            return true;
        }

        @Override
        public NotifyResult send(Notification n) {
            attempts.add(n);
            return script.isEmpty() ? NotifyResult.delivered(200, 0) : script.poll();
        }
    }

    final Scripted hook = new Scripted();

    private static Notifier notifier(String name, boolean sendResolved, Function<Notification, NotifyResult> send) {
        return new Notifier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean sendResolved() {
                return sendResolved;
            }

            @Override
            public NotifyResult send(Notification n) {
                return send.apply(n);
            }
        };
    }

    @BeforeEach
    void open() {
        store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private DeliveryQueue queue() {
        return new DeliveryQueue("ops", 0, 2, hook, store, clock, POLICY, HALF, AlertRuntime.Observer.NONE);
    }

    private static Notification firing(GroupKey g, long at) {
        Alert a = Alert.firing(g.groupLabels(), Map.of(), at);
        return new Notification(g, "ops", List.of(a), List.of(), true, NotifyReason.FIRST_NOTIFICATION, at);
    }

    private static Notification resolved(GroupKey g, long startedAt, long at) {
        Alert a = Alert.firing(g.groupLabels(), Map.of(), startedAt).resolve(at);
        return new Notification(g, "ops", List.of(), List.of(a), true, NotifyReason.ALL_ALERTS_RESOLVED, at);
    }

    private void queue(Notification n, int integration) {
        store.saveAlerting(Map.of(), List.of(OutboxEntry.pending("ops", n.groupKey().toString(), "",
                new OutboxPayload(integration, n).encode(), clock.millis())), List.of(), clock.millis());
    }

    private List<OutboxEntry> rows() {
        List<OutboxEntry> r = new ArrayList<>(store.recentNotifications(100));
        java.util.Collections.reverse(r);
        return r;
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheJitteredBackoffOfTheRetryPolicyAndNotBefore() {
        hook.script.add(NotifyResult.failed(true, -1, "HTTP 503", 0));
        hook.script.add(NotifyResult.failed(true, -1, "timed out after 3000 ms", 0));
        queue(firing(A, T0), 0);
        DeliveryQueue q = queue();

        assertThat(q.deliverDue(() -> false)).isEqualTo(T0 + 500); // half of the first cap, 1 s
        assertThat(rows().get(0).attempts()).isEqualTo(1);
        assertThat(rows().get(0).lastError()).contains("503");
        clock.set(T0 + 499);
        assertThat(q.deliverDue(() -> false)).isEqualTo(T0 + 500);
        assertThat(hook.attempts).hasSize(1);
        clock.set(T0 + 500);
        assertThat(q.deliverDue(() -> false)).isEqualTo(T0 + 500 + 1_000); // half of the second cap, 2 s
        assertThat(hook.attempts).hasSize(2);
        clock.set(T0 + 1_500);
        assertThat(q.deliverDue(() -> false)).isEqualTo(Long.MAX_VALUE);
        assertThat(hook.attempts).hasSize(3);
        assertThat(rows().get(0).status()).isEqualTo(OutboxEntry.DELIVERED);
        assertThat(rows().get(0).attempts()).isEqualTo(3);
        assertThat(q.attempts()).isEqualTo(3);
        assertThat(q.delivered()).isEqualTo(1);
        assertThat(q.depth()).isZero();
    }

    @Test
    void theDeliveryLogKeepsTheAnswersStatusWithTheErrorAndAThrowingNotifierIsRetried() {
        hook.script.add(NotifyResult.failed(true, 503, "service unavailable", 0));
        queue(firing(A, T0), 0);
        DeliveryQueue q = queue();
        q.deliverDue(() -> false);
        assertThat(rows().get(0).lastError()).isEqualTo("HTTP 503: service unavailable");

        Notifier throwing = notifier("webhook[1]", true, n -> {
            throw new IllegalStateException("boom");
        });
        queue(firing(B, T0), 0);
        clock.set(T0 + 10_000);
        new DeliveryQueue("ops", 0, 1, throwing, store, clock, POLICY, HALF, AlertRuntime.Observer.NONE)
                .deliverDue(() -> false);
        assertThat(rows()).extracting(OutboxEntry::lastError).contains("IllegalStateException: boom");
        assertThat(rows()).extracting(OutboxEntry::status).containsOnly(OutboxEntry.PENDING);
    }

    @Test
    void aReceiverAskingForMoreTimeIsGivenItAndTheLastAttemptGivesUp() {
        hook.script.add(new NotifyResult(false, true, -1, "HTTP 429", 0, 30_000L));
        for (int i = 0; i < 3; i++) {
            hook.script.add(NotifyResult.failed(true, -1, "HTTP 503", 0));
        }
        queue(firing(A, T0), 0);
        DeliveryQueue q = queue();
        assertThat(q.deliverDue(() -> false)).isEqualTo(T0 + 30_000);
        for (int attempt = 2; attempt <= 4; attempt++) {
            clock.set(rows().get(0).dueAtMs());
            q.deliverDue(() -> false);
        }
        assertThat(hook.attempts).hasSize(4);
        assertThat(rows().get(0).status()).isEqualTo(OutboxEntry.FAILED);
        assertThat(rows().get(0).lastError()).contains("gave up after 4 attempts");
        assertThat(q.failed()).isEqualTo(1);
    }

    @Test
    void aNewerNotificationOfTheGroupSupersedesAnOlderOneWaitingForItsRetry() {
        hook.script.add(NotifyResult.failed(true, -1, "HTTP 503", 0));
        queue(firing(A, T0), 0);
        DeliveryQueue q = queue();
        q.deliverDue(() -> false); // the firing fails and waits for its retry
        clock.set(T0 + 100);
        queue(resolved(A, T0, T0 + 100), 0);
        queue(firing(B, T0 + 100), 0);
        queue(firing(A, T0 + 100), 1); // another integration's: not this queue's business
        queue(firing(A, T0 + 100), 2); // an integration removed from the configuration since

        assertThat(q.deliverDue(() -> false)).isEqualTo(Long.MAX_VALUE);
        clock.set(T0 + 10_000);
        q.deliverDue(() -> false);

        assertThat(hook.attempts).extracting(n -> n.groupKey() + " " + (n.firing().isEmpty() ? "resolved" : "firing"))
                .containsExactly(A + " firing", A + " resolved", B + " firing");
        assertThat(rows()).extracting(OutboxEntry::status).containsExactly(OutboxEntry.SUPERSEDED,
                OutboxEntry.DELIVERED, OutboxEntry.DELIVERED, OutboxEntry.PENDING, OutboxEntry.FAILED);
        assertThat(rows().get(0).lastError()).startsWith("superseded by a newer notification");
        assertThat(rows().get(4).lastError()).isEqualTo("receiver 'ops' has no integration 2 any more");
        assertThat(q.superseded()).isEqualTo(1);
    }

    @Test
    void aRowInFlightAtACrashIsSentOnceAfterTheRestartWithTheSameKey() throws Exception {
        queue(firing(A, T0), 0);
        String key = firing(A, T0).idempotencyKey();
        // the process died during the attempt: the row is still pending, its attempt not recorded
        store.close();
        store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        clock.set(T0 + 60_000);
        DeliveryQueue restarted = queue();
        assertThat(restarted.depth()).isZero();
        restarted.deliverDue(() -> false);
        restarted.deliverDue(() -> false);
        assertThat(hook.attempts).hasSize(1);
        assertThat(hook.attempts.get(0).idempotencyKey()).isEqualTo(key);
        assertThat(rows().get(0).status()).isEqualTo(OutboxEntry.DELIVERED);
        assertThat(rows().get(0).deliveredAtMs()).isEqualTo(T0 + 60_000);
    }

    @Test
    void aResolutionTheIntegrationDoesNotShowIsNotSentButStillSupersedesTheFiring() {
        Notifier noResolved = notifier("email[0]", false, hook::send);
        queue(firing(A, T0), 0);
        queue(resolved(A, T0, T0), 0);
        new DeliveryQueue("ops", 0, 1, noResolved, store, clock, POLICY, HALF, AlertRuntime.Observer.NONE)
                .deliverDue(() -> false);
        assertThat(hook.attempts).isEmpty();
        assertThat(rows()).extracting(OutboxEntry::status).containsExactly(OutboxEntry.SUPERSEDED, OutboxEntry.DELIVERED);
        assertThat(rows().get(1).lastError()).contains("nothing sent");
    }
}
