package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.store.StoreException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's retries, all on the project's {@link RetryPolicy}: storage steps it waits for
 * (a lookup, a pending-row write, a commit for memory) pause 100 ms, doubling up to 5 s, without
 * end; a model whose writes storage refuses is tried again from the flush interval up to a minute,
 * with full jitter. Pauses go through the injected {@link Sleeper}.
 */
final class Retries {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
    /** The pauses between tries of a storage step the runtime waits for. */
    static final RetryPolicy STORAGE = new RetryPolicy(100, 2.0, 5_000, Integer.MAX_VALUE, Long.MAX_VALUE);

    /** A step that may be interrupted while it waits. */
    @FunctionalInterface
    interface Step {
        void run() throws InterruptedException;
    }

    /** The growing pauses of one sequence of tries. */
    final class Backoff {
        private int failures;

        /** How long the next {@link #pause()} waits. */
        long nextPauseMs() {
            return storagePauseMs(failures + 1);
        }

        /** Waits after one more failed try. */
        void pause() throws InterruptedException {
            long ms = nextPauseMs();
            failures++;
            sleeper.sleep(ms);
        }
    }

    private final Sleeper sleeper;
    private final RetryPolicy holds;

    Retries(Duration flushInterval, Sleeper sleeper) {
        this.sleeper = sleeper;
        this.holds = new RetryPolicy(Math.max(1, flushInterval.toMillis()), 2.0,
                Math.max(60_000, flushInterval.toMillis()), Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** A new sequence of growing pauses. */
    Backoff backoff() {
        return new Backoff();
    }

    /** Runs {@code step} until it does not fail with a {@link StoreException} (storage cannot be read). */
    void untilStorageAnswers(Step step) throws InterruptedException {
        Backoff backoff = backoff();
        while (true) {
            try {
                step.run();
                return;
            } catch (StoreException e) {
                LOG.warn("storage unavailable while joining events ({}); retrying in {} ms", e.getMessage(),
                        backoff.nextPauseMs());
                backoff.pause();
            }
        }
    }

    /** Told of one failed try of {@link #untilAnswered}, with the pause before the next. */
    @FunctionalInterface
    interface FailedTry {
        void failed(RuntimeException e, long nextPauseMs);
    }

    /**
     * Calls {@code call} (which answers non-null) until it answers: after each failure, any runtime
     * exception, {@code failed} is told, then, unless {@code stopping} says the runtime stops, the
     * storage pause is waited. Empty when the runtime stopped, or the thread was interrupted (its
     * flag set again), first.
     */
    <T> Optional<T> untilAnswered(Supplier<T> call, BooleanSupplier stopping, FailedTry failed) {
        Backoff backoff = backoff();
        while (true) {
            try {
                return Optional.of(call.get());
            } catch (RuntimeException e) {
                failed.failed(e, backoff.nextPauseMs());
                if (stopping.getAsBoolean()) {
                    return Optional.empty();
                }
                try {
                    backoff.pause();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }

    /** When a held model is tried again after its {@code attempts}-th refused try at {@code nowMs}. */
    long nextHoldAttemptMs(int attempts, long nowMs, RandomGenerator random) {
        return holds.nextAttemptAtMs(attempts, nowMs, random);
    }

    private static long storagePauseMs(int attempt) {
        return STORAGE.backoffCapMs(attempt);
    }
}
