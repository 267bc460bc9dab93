package dev.modelwatch.server.alert.delivery;

import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RetryDecision;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.store.OutboxEntry;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox of one receiver integration (a receiver's {@code webhook[0]}, {@code email[1]}, ...),
 * delivered by one worker at a time, so that no two attempts for the same group and integration are
 * ever in flight together and a slow integration only delays itself.
 *
 * <p>Each {@link #deliverDue pass} reads the integration's pending rows; of each group's rows only
 * the newest is kept, the older ones are recorded {@link OutboxEntry#SUPERSEDED} (a receiver is
 * never told a state after a newer one). The kept rows that are due are attempted one by one; the
 * outcome is recorded in its own small transaction right after the answer, and the next attempt
 * of a failed one is decided by the {@link RetryPolicy} (a time-out is one attempt like any other).
 * A row that was being attempted when the process died is still pending and is sent again after
 * the restart, with the same {@link Notification#idempotencyKey()}.
 */
public final class DeliveryQueue {
    private static final Logger log = LoggerFactory.getLogger(DeliveryQueue.class);
    /** Pending rows read per pass (rows beyond wait for the next pass). */
    static final int BATCH = 1_000;

    private final String receiver;
    private final int index;
    private final int integrationCount;
    private final Notifier integration;
    private final Store store;
    private final Clock clock;
    private final RetryPolicy policy;
    private final RandomGenerator random;
    private final AlertRuntime.Observer observer;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong superseded = new AtomicLong();
    private volatile int depth;
    private volatile long oldestPendingAtMs = Long.MAX_VALUE;

    /**
     * @param index            the integration's index among the receiver's
     * @param integrationCount how many integrations the receiver has (the first queue fails the rows of
     *                         an integration removed from the configuration, and of a corrupt payload)
     */
    public DeliveryQueue(String receiver, int index, int integrationCount, Notifier integration,
                         Store store, Clock clock, RetryPolicy policy, RandomGenerator random,
                         AlertRuntime.Observer observer) {
        this.receiver = receiver;
        this.index = index;
        this.integrationCount = integrationCount;
        this.integration = integration;
        this.store = store;
        this.clock = clock;
        this.policy = policy;
        this.random = random;
        this.observer = observer;
    }

    private record Row(OutboxEntry entry, Notification notification) {
    }

    /**
     * One pass: drops superseded rows, then attempts every due row (earliest due first) until
     * {@code stop} says so.
     *
     * @return when the earliest row still pending is due (epoch ms), {@link Long#MAX_VALUE} when none
     */
    public long deliverDue(BooleanSupplier stop) {
        Map<String, Row> newest = new LinkedHashMap<>();
        for (OutboxEntry e : store.pendingNotifications(receiver, BATCH)) {
            OutboxPayload p;
            try {
                p = OutboxPayload.decode(e.payload());
            } catch (IllegalArgumentException ex) {
                if (index == 0) {
                    store.updateNotification(with(e, e.attempts(), OutboxEntry.FAILED, e.dueAtMs(), ex.getMessage(), null));
                }
                continue;
            }
            if (p.integration() != index) {
                if (index == 0 && p.integration() >= integrationCount) {
                    store.updateNotification(with(e, e.attempts(), OutboxEntry.FAILED, e.dueAtMs(), "receiver '"
                            + receiver + "' has no integration " + p.integration() + " any more", null));
                }
                continue;
            }
            Row previous = newest.put(e.groupKey(), new Row(e, p.notification()));
            if (previous != null) {
                store.updateNotification(with(previous.entry(), previous.entry().attempts(), OutboxEntry.SUPERSEDED,
                        previous.entry().dueAtMs(), "superseded by a newer notification of the group (#" + e.id() + ")",
                        null));
                superseded.incrementAndGet();
                observer.onDelivery("superseded");
            }
        }
        List<Row> rows = new ArrayList<>(newest.values());
        rows.sort(Comparator.comparingLong((Row r) -> r.entry().dueAtMs()).thenComparingLong(r -> r.entry().id()));
        depth = rows.size();
        oldestPendingAtMs = rows.stream().mapToLong(r -> r.entry().createdAtMs()).min().orElse(Long.MAX_VALUE);
        long next = Long.MAX_VALUE;
        for (Row r : rows) {
            if (stop.getAsBoolean()) {
                return clock.millis();
            }
            long now = clock.millis();
            long due = r.entry().dueAtMs() > now ? r.entry().dueAtMs() : attempt(r, now);
            next = Math.min(next, due);
        }
        return next;
    }

    /** Attempts one row; returns its next due time, {@link Long#MAX_VALUE} when it is settled. */
    private long attempt(Row r, long now) {
        OutboxEntry e = r.entry();
        Notification n = r.notification();
        if (n.firing().isEmpty() && !integration.sendResolved()) {
            // kept only so that it supersedes the group's older firing notifications: nothing to send
            store.updateNotification(with(e, e.attempts(), OutboxEntry.DELIVERED, e.dueAtMs(),
                    "nothing sent: send_resolved is off", now));
            depth--;
            return Long.MAX_VALUE;
        }
        attempts.incrementAndGet();
        NotifyResult sent;
        try {
            sent = integration.send(n);
        } catch (RuntimeException ex) {
            sent = NotifyResult.failed(true, -1, ex.getClass().getSimpleName() + ": " + ex.getMessage(), now);
        }
        int attempt = e.attempts() + 1;
        long done = clock.millis();
        // timed by this queue's clock; the log keeps the error with its status (HTTP 503: ...)
        NotifyResult result = sent.delivered() ? NotifyResult.delivered(sent.statusCode(), now)
                : new NotifyResult(false, sent.retryable(), sent.statusCode(), sent.describedError(), now,
                        sent.retryAfterMs());
        RetryDecision decision = policy.decide(result, attempt, e.createdAtMs(), random);
        switch (decision.action()) {
            case DELIVERED -> {
                store.updateNotification(with(e, attempt, OutboxEntry.DELIVERED, e.dueAtMs(), null, done));
                delivered.incrementAndGet();
                observer.onDelivery("delivered");
                depth--;
                return Long.MAX_VALUE;
            }
            case RETRY -> {
                long nextAt = Math.max(decision.nextAttemptAtMs(), done);
                store.updateNotification(with(e, attempt, OutboxEntry.PENDING, nextAt, decision.reason(), null));
                observer.onDelivery("retry");
                return nextAt;
            }
            default -> {
                log.warn("gave up on a notification to {} ({}) after {} attempts: {}", receiver, integration.name(),
                        attempt, decision.reason());
                store.updateNotification(with(e, attempt, OutboxEntry.FAILED, e.dueAtMs(), decision.reason(), null));
                failed.incrementAndGet();
                observer.onDelivery("failed");
                depth--;
                return Long.MAX_VALUE;
            }
        }
    }

    static OutboxEntry with(OutboxEntry e, int attempts, String status, long dueAt, String error, Long deliveredAt) {
        return new OutboxEntry(e.id(), e.receiver(), e.groupKey(), e.alertIds(), e.payload(), e.createdAtMs(), dueAt,
                attempts, status, error, deliveredAt);
    }

    public String receiver() {
        return receiver;
    }

    /** The integration's name for metrics and logs, e.g. {@code webhook[0]}. */
    public String integrationName() {
        return integration.name();
    }

    /** Notifications waiting (due or retrying) at the last pass. */
    public int depth() {
        return Math.max(0, depth);
    }

    /** Seconds the oldest waiting notification has waited, 0 when none waits. */
    public double oldestPendingAgeSeconds() {
        long oldest = oldestPendingAtMs;
        return oldest == Long.MAX_VALUE || depth() == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
    }

    public long attempts() {
        return attempts.get();
    }

    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    public long superseded() {
        return superseded.get();
    }
}
