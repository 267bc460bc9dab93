package dev.modelwatch.server.alert;

import java.util.Collection;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * When the alert rules are evaluated next — at the evaluation interval, or just after the next window
 * of any model closes, whichever comes first — and how late the newest closed window was evaluated.
 *
 * <p>Pure arithmetic on the times it is given; it keeps only the newest window end it has seen.
 */
final class EvaluationSchedule {
    /** Evaluations after a window's close wait this long for its last in-flight events. */
    static final long WINDOW_CLOSE_GRACE_MS = 20;

    private final long intervalMs;
    private final Supplier<? extends Collection<Long>> windowLengths;
    private long lastWindowSeenMs = Long.MIN_VALUE;

    /**
     * @param intervalMs    the evaluation interval
     * @param windowLengths the window lengths of the models, read at every use (models come and go)
     */
    EvaluationSchedule(long intervalMs, Supplier<? extends Collection<Long>> windowLengths) {
        this.intervalMs = intervalMs;
        this.windowLengths = windowLengths;
    }

    /** When the evaluation after the one that started at {@code startedMs} is due, seen at {@code nowMs}. */
    long nextAtMs(long startedMs, long nowMs) {
        long next = startedMs + intervalMs;
        for (long w : windowLengths.get()) {
            next = Math.min(next, Math.floorDiv(nowMs, w) * w + w + WINDOW_CLOSE_GRACE_MS);
        }
        return next;
    }

    /**
     * For the newest window end (of any model's length) closed since the last call, how many seconds
     * after it the evaluation at {@code evaluatedAtMs} came; empty when no window closed since, and
     * at the first call (whose window may have closed long before the start).
     */
    OptionalDouble lagSeconds(long evaluatedAtMs) {
        long newest = Long.MIN_VALUE;
        for (long w : windowLengths.get()) {
            newest = Math.max(newest, Math.floorDiv(evaluatedAtMs, w) * w);
        }
        if (newest == Long.MIN_VALUE || newest <= lastWindowSeenMs) {
            return OptionalDouble.empty();
        }
        boolean first = lastWindowSeenMs == Long.MIN_VALUE;
        lastWindowSeenMs = newest;
        return first ? OptionalDouble.empty() : OptionalDouble.of((evaluatedAtMs - newest) / 1000.0);
    }
}
