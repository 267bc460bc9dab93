package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.Event;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The aggregation thread's input, in order: the acknowledged events of durable log records and
 * the tasks run between them, with the number and estimated heap of the events not yet applied.
 */
final class WorkQueue {
    sealed interface Item permits EventBatch, Task {
    }

    /** The acknowledged events of one log record, which lies at {@code [lsnStart, lsnEnd)}. */
    record EventBatch(List<Event> events, long lsnStart, long lsnEnd, long bytes) implements Item {
        /**
         * The log position after the first {@code applied} events: the record's start before any,
         * its end after all, and in between a position inside the record (a record is longer in
         * bytes than it has events), from which a replay skips those events. A record whose start
         * is not known is only ever taken whole: its position is its end.
         */
        long positionAfter(int applied) {
            return applied >= events.size() || lsnStart < 0 ? lsnEnd : lsnStart + applied;
        }
    }

    record Task(Runnable run) implements Item {
    }

    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    /** The events durable but not yet aggregated (the ingest backpressure signal, which requests wait on). */
    private final Backlog backlog = new Backlog();

    /** Queues the events of a durable log record at {@code [lsnStart, lsnEnd)}. */
    void submit(List<Event> events, long lsnStart, long lsnEnd) {
        long bytes = BufferedBytes.eventBytes(events);
        backlog.add(events.size(), bytes);
        queue.add(new EventBatch(events, lsnStart, lsnEnd, bytes));
    }

    /** Queues a task behind everything queued before it. */
    void run(Runnable task) {
        queue.add(new Task(task));
    }

    /** The next item, waiting at most {@code ms}; null when none came. */
    Item poll(long ms) throws InterruptedException {
        return queue.poll(ms, TimeUnit.MILLISECONDS);
    }

    /** The next item when it is an event batch (taken off the queue), else null. */
    EventBatch pollBatch() {
        return queue.peek() instanceof EventBatch ? (EventBatch) queue.poll() : null;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Takes note that {@code events} events of {@code bytes} estimated bytes have been applied. */
    void applied(int events, long bytes) {
        backlog.remove(events, bytes);
    }

    long queuedEvents() {
        return backlog.events();
    }

    long queuedBytes() {
        return backlog.bytes();
    }

    Backlog backlog() {
        return backlog;
    }
}
