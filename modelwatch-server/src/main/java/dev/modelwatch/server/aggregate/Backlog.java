package dev.modelwatch.server.aggregate;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events durable but not yet aggregated, counted and estimated in heap bytes: the aggregation
 * runtime adds what it is handed and removes what it applied; ingest waits on it, woken by each
 * removal, until the backlog is below its limits (backpressure) instead of polling.
 */
public final class Backlog {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition shrunk = lock.newCondition();
    private long events;
    private long bytes;
    /** Requests waiting now in {@link #awaitAtMost} for the backlog to shrink. */
    private int waiting;

    /** Counts a batch handed to the runtime. */
    void add(long addedEvents, long addedBytes) {
        lock.lock();
        try {
            events += addedEvents;
            bytes += addedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Uncounts a batch the runtime applied, and wakes whoever waits for the backlog to shrink. */
    void remove(long removedEvents, long removedBytes) {
        lock.lock();
        try {
            events -= removedEvents;
            bytes -= removedBytes;
            shrunk.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public long events() {
        lock.lock();
        try {
            return events;
        } finally {
            lock.unlock();
        }
    }

    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits at most {@code timeout} until at most {@code maxEvents} events of at most {@code maxBytes}
     * are waiting; true when they are (at once, or once enough were applied), false on the timeout.
     */
    public boolean awaitAtMost(long maxEvents, long maxBytes, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            waiting++;
            try {
                while (events > maxEvents || bytes > maxBytes) {
                    if (left <= 0) {
                        return false;
                    }
                    left = shrunk.awaitNanos(left);
                }
                return true;
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many requests are waiting now for the backlog to shrink (an observable event for tests and metrics). */
    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }
}
