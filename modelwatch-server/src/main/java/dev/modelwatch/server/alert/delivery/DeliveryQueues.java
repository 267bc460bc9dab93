package dev.modelwatch.server.alert.delivery;

import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every receiver integration's {@link DeliveryQueue}, each run by its own worker of the executor
 * given at {@link #start}, plus the outbox's expiry. {@link #wake} tells every worker that new
 * notifications were queued; {@link #close} stops them within {@link #SHUTDOWN_GRACE_MS} (an attempt
 * in flight is interrupted; its row stays pending and is sent again after the restart).
 */
public final class DeliveryQueues implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryQueues.class);
    /** How long {@link #close} waits for the workers. */
    static final long SHUTDOWN_GRACE_MS = 5_000;
    /** The longest a worker sleeps between passes (it is woken earlier when something is queued). */
    static final long MAX_IDLE_MS = 1_000;
    /** Delivered, failed and superseded notifications are kept this long for the delivery log; alert history longer. */
    static final long NOTIFICATION_RETENTION_MS = 30L * 86_400_000L;
    static final long HISTORY_RETENTION_MS = 90L * 86_400_000L;
    static final long EXPIRY_INTERVAL_MS = 3_600_000L;

    private final List<DeliveryQueue> queues;
    private final Store store;
    private final Clock clock;
    private final Object wake = new Object();
    private long generation; // guarded by wake
    private volatile boolean closed;
    private ExecutorService workers;

    private DeliveryQueues(List<DeliveryQueue> queues, Store store, Clock clock) {
        this.queues = List.copyOf(queues);
        this.store = store;
        this.clock = clock;
    }

    /**
     * One queue per integration of every receiver; each queue draws its retries' jitter from its own
     * generator split from {@code random} (the queues' workers run at once).
     */
    public static DeliveryQueues of(Map<String, List<dev.modelwatch.server.alert.notify.Notifier>> receivers, Store store, Clock clock,
                                    RetryPolicy policy, RandomGenerator.SplittableGenerator random,
                                    AlertRuntime.Observer observer) {
        List<DeliveryQueue> queues = new ArrayList<>();
        receivers.forEach((receiver, integrations) -> {
            for (int i = 0; i < integrations.size(); i++) {
                queues.add(new DeliveryQueue(receiver, i, integrations.size(), integrations.get(i), store, clock, policy,
                        random.split(), observer));
            }
        });
        return new DeliveryQueues(queues, store, clock);
    }

    /** An executor for {@link #start}: one daemon thread per worker, named {@code alert-deliverer-N}, unwatched. */
    public static ExecutorService newWorkerPool() {
        return newWorkerPool(dev.modelwatch.server.health.WorkerThreads.PLAIN);
    }

    /**
     * An executor for {@link #start} whose threads, named {@code alert-deliverer-N}, are made by
     * {@code threads} (the server's supervised workers: a deliverer that dies of an {@code Error} ends
     * the process).
     */
    public static ExecutorService newWorkerPool(dev.modelwatch.server.health.WorkerThreads threads) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return Executors.newCachedThreadPool(r -> threads.newThread("alert-deliverer-" + n.incrementAndGet(), r));
    }

    /**
     * Starts one worker per queue and one for the outbox's expiry on {@code executor}, which must
     * run them all at once (a cached or large enough pool) and is shut down by {@link #close}.
     */
    public void start(ExecutorService executor) {
        this.workers = executor;
        for (DeliveryQueue q : queues) {
            executor.execute(() -> run(q));
        }
        executor.execute(this::expire);
    }

    public List<DeliveryQueue> queues() {
        return queues;
    }

    /** New notifications were queued: every worker makes a pass now. */
    public void wake() {
        synchronized (wake) {
            generation++;
            wake.notifyAll();
        }
    }

    private void run(DeliveryQueue q) {
        while (!closed) {
            long seen;
            synchronized (wake) {
                seen = generation;
            }
            long next;
            try {
                next = q.deliverDue(() -> closed);
            } catch (RuntimeException e) {
                log.warn("delivering the notifications of {} ({}) failed (retrying): {}", q.receiver(),
                        q.integrationName(), e.toString());
                next = clock.millis() + MAX_IDLE_MS;
            }
            if (!await(seen, next)) {
                return;
            }
        }
    }

    /** Waits until {@code untilMs}, at most {@link #MAX_IDLE_MS}, or a wake after {@code seen}; false when closed. */
    private boolean await(long seen, long untilMs) {
        synchronized (wake) {
            long wait = Math.min(MAX_IDLE_MS, untilMs - clock.millis());
            if (generation != seen || closed || wait <= 0) {
                return !closed;
            }
            try {
                wake.wait(wait);
            } catch (InterruptedException e) {
                return false;
            }
            return !closed;
        }
    }

    private void expire() {
        long last = 0;
        boolean first = true;
        while (!closed) {
            long now = clock.millis();
            if (first || now - last >= EXPIRY_INTERVAL_MS) {
                first = false;
                last = now;
                try {
                    store.expireNotifications(now - NOTIFICATION_RETENTION_MS);
                    store.expireAlertHistory(now - HISTORY_RETENTION_MS);
                } catch (RuntimeException e) {
                    log.warn("expiring old notifications and alert history failed (retrying in an hour): {}", e.toString());
                }
            }
            synchronized (wake) {
                try {
                    if (!closed) {
                        wake.wait(Math.max(1, last + EXPIRY_INTERVAL_MS - clock.millis()));
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops the workers: an attempt in flight is interrupted, its notification stays pending. */
    @Override
    public void close() {
        closed = true;
        wake();
        if (workers != null) {
            workers.shutdownNow();
            try {
                if (!workers.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    log.warn("alert delivery workers still busy {} ms after shutdown", SHUTDOWN_GRACE_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
