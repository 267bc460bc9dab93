package dev.modelwatch.server.alert;

import dev.modelwatch.server.health.WorkerThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert evaluator's thread: evaluates at the times the {@link EvaluationSchedule} names, reports
 * each evaluation's duration and window lag to the {@link AlertRuntime.Observer}, and stops at
 * {@link #close}. Time is read from the injected clock only; the thread comes from the injected
 * {@link WorkerThreads}, so that an {@code Error} in an evaluation reaches the server's supervisor.
 */
final class EvaluationLoop {
    private static final Logger log = LoggerFactory.getLogger(EvaluationLoop.class);
    /** The shortest wait between two evaluations. */
    static final long MIN_WAIT_MS = 5;

    private final Clock clock;
    private final EvaluationSchedule schedule;
    private final LongConsumer evaluate;
    private final AlertRuntime.Observer observer;
    private final CountDownLatch stop = new CountDownLatch(1);
    private Thread thread;

    /** @param evaluate one evaluation at the given epoch milliseconds */
    EvaluationLoop(Clock clock, EvaluationSchedule schedule, LongConsumer evaluate, AlertRuntime.Observer observer) {
        this.clock = clock;
        this.schedule = schedule;
        this.evaluate = evaluate;
        this.observer = observer;
    }

    /** Starts the evaluator on a thread named {@code alert-evaluator} made by {@code threads}. */
    void start(WorkerThreads threads) {
        thread = threads.newThread("alert-evaluator", this::run);
        thread.start();
    }

    private void run() {
        while (stop.getCount() > 0) {
            Instant started = clock.instant();
            long startedMs = started.toEpochMilli();
            try {
                evaluate.accept(startedMs);
                schedule.lagSeconds(startedMs).ifPresent(observer::onEvaluationLag);
            } catch (RuntimeException e) {
                log.warn("alert evaluation failed (retrying next interval): {}", e.toString());
            }
            Instant done = clock.instant();
            observer.onEvaluation(Math.max(0, Duration.between(started, done).toNanos()));
            long nowMs = done.toEpochMilli();
            long next = schedule.nextAtMs(startedMs, nowMs);
            try {
                if (stop.await(Math.max(MIN_WAIT_MS, next - nowMs), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the evaluator, waiting at most {@code grace} for an evaluation under way (which is interrupted). */
    void close(Duration grace) {
        stop.countDown();
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(Math.max(1, grace.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("shutdown: {} did not stop within the grace period; what it was doing is redone after the "
                    + "next start (alert state and the notification outbox are in storage)", thread.getName());
        }
    }
}
