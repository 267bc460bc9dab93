package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.server.health.WorkerThreads;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregation thread, from start to stop: takes event batches and tasks off the queue in order,
 * applies the batches (waiting while storage cannot be read), and starts commits and expiry when due.
 */
final class AggregationLoop {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
    private static final int MAX_EVENTS_PER_APPLY = 50_000;

    private final WorkQueue queue;
    private final RuntimeState state;
    private final LabelJoin join;
    private final ProfileUpdates updates;
    private final CommitPipeline commits;
    private final Retention retention;
    private final StartPositions positions;
    private final Limits limits;
    private final ModelRegistry registry;
    private final Clock clock;
    private final Aggregator.AggregatorObserver observer;
    private final Duration flushInterval;
    private final Retries retries;
    /** Cleared when the runtime stops: the loop then ends once the queue is drained and no commit is in flight. */
    volatile boolean running;
    private final LongSupplier nanoTime;
    private Thread thread;

    AggregationLoop(RuntimeSettings settings, WorkQueue queue, RuntimeState state, LabelJoin join,
                    ProfileUpdates updates, CommitPipeline commits, Retention retention, StartPositions positions) {
        this.queue = queue;
        this.state = state;
        this.join = join;
        this.updates = updates;
        this.commits = commits;
        this.retention = retention;
        this.positions = positions;
        this.limits = settings.limits();
        this.registry = settings.registry();
        this.clock = settings.clock();
        this.observer = settings.observer();
        this.flushInterval = settings.flushInterval();
        this.retries = settings.retries();
        this.nanoTime = settings.nanoTime();
    }

    /** Starts the aggregation thread and the profile helpers, made by {@code threads}. */
    void start(WorkerThreads threads) {
        updates.start(threads, "modelwatch-profile-helper");
        running = true;
        thread = threads.newThread("modelwatch-aggregator", this::run);
        thread.start();
    }

    /** Runs {@code f} on the aggregation thread after everything queued before it. */
    <T> CompletableFuture<T> ask(Supplier<T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!running || (thread != null && !thread.isAlive())) {
            result.completeExceptionally(new IllegalStateException("the aggregation runtime is stopped"));
            return result;
        }
        queue.run(() -> {
            try {
                result.complete(f.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** See {@link Aggregator#flushNow()}. */
    CompletableFuture<Void> flushNow() {
        return ask(commits::requestFlush).thenCompose(f -> f);
    }

    /** See {@link Aggregator#close(Duration)}. */
    void stop(Duration grace) {
        if (!running) {
            updates.stop(); // a replay's helpers
            commits.stopping = true;
            commits.stopWriter(false);
            return;
        }
        long deadline = nanoTime.getAsLong() + grace.toNanos();
        if (!thread.isAlive() || commits.health.commitLost) {
            LOG.warn("shutdown: the aggregator or the store writer died; the events after log position {} stay in the "
                    + "ingest log", state.committedLsn);
            commits.stopping = true;
            running = false;
            commits.stopWriter(true);
            return;
        }
        try {
            flushNow().get(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("shutdown: the last commit did not complete within the grace period ({}); the events after log "
                    + "position {} stay in the ingest log and are replayed at the next start", e.toString(),
                    state.committedLsn);
        }
        commits.stopping = true;
        running = false;
        try {
            thread.join(Math.max(1, (deadline - nanoTime.getAsLong()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("shutdown: the aggregator did not stop within the grace period (a commit still runs); left undone: "
                    + "the events after log position {}, which stay in the ingest log", state.committedLsn);
            thread.interrupt();
        }
        commits.stopWriter(true);
    }

    /** The aggregation thread's body: runs until stopped, the queue drained and no commit in flight. */
    void run() {
        try {
            loop();
        } finally {
            if (!running) {
                // stopped: the helpers end too. A loop that died of an Error leaves them waiting, so that
                // the worker reported dead is the aggregation thread alone (the process exits)
                updates.stop();
            }
        }
    }

    private void loop() {
        List<WorkQueue.EventBatch> combined = new ArrayList<>();
        while (running || !queue.isEmpty() || state.committing != null) {
            try {
                long wait = Math.max(1, state.lastFlushMs + flushInterval.toMillis() - clock.millis());
                WorkQueue.Item item = queue.poll(Math.min(wait, 200));
                if (item instanceof WorkQueue.Task t) {
                    t.run().run();
                } else if (item instanceof WorkQueue.EventBatch b) {
                    combined.clear();
                    combined.add(b);
                    int events = b.events().size();
                    long bytes = b.bytes();
                    WorkQueue.EventBatch next;
                    while (events < MAX_EVENTS_PER_APPLY && (next = queue.pollBatch()) != null) {
                        combined.add(next);
                        events += next.events().size();
                        bytes += next.bytes();
                    }
                    applyWithRetry(combined);
                    queue.applied(events, bytes);
                }
                long now = clock.millis();
                if (now - state.lastFlushMs >= flushInterval.toMillis() && state.committing == null) {
                    commits.startCommit();
                    state.lastFlushMs = now;
                }
                retention.expireIfDue(now, state.models.values(), commits);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("aggregation runtime error", e);
            }
        }
    }

    private void applyWithRetry(List<WorkQueue.EventBatch> batches) throws InterruptedException {
        List<Event> all = allOf(batches);
        // the ids enter the known-id filter once, also when storage fails and the list is applied again
        boolean[] known = join.checkKnown(all);
        retries.untilStorageAnswers(() -> apply(batches, all, known, false));
    }

    private static List<Event> allOf(List<WorkQueue.EventBatch> batches) {
        List<Event> all = new ArrayList<>();
        batches.forEach(b -> all.addAll(b.events()));
        return all;
    }

    /**
     * Applies records in log order. Throws a StoreException only before it applied anything (the
     * lookup of stored rows comes first), so that the caller may retry the whole list.
     *
     * @param replaying whether these are records replayed at start (see {@link #replay(List, long, long)})
     */
    void apply(List<WorkQueue.EventBatch> batches, boolean replaying) throws InterruptedException {
        // a replay skips the events committed already: each of the others asks the filter as it is applied
        apply(batches, allOf(batches), null, replaying);
    }

    /** @param known the known-id filter's answers for {@code all} ({@link LabelJoin#checkKnown}), or null */
    private void apply(List<WorkQueue.EventBatch> batches, List<Event> all, boolean[] known, boolean replaying)
            throws InterruptedException {
        join.startList(known);
        join.lookUpStored(all, 0);
        int[] count;
        Set<String> touched = new HashSet<>();
        Set<String> labelled = new HashSet<>();
        try {
            count = applyEach(batches, all, replaying, touched, labelled);
        } catch (RuntimeException | Error e) {
            // the events before the failing one stay applied, as on one thread
            try {
                updates.drain();
            } catch (RuntimeException | Error f) {
                e.addSuppressed(f);
            }
            throw e;
        }
        updates.drain();
        join.batchDone();
        for (String m : touched) {
            ModelState s = state.models.get(m);
            if (s != null) {
                registry.publish(s.record());
            }
        }
        // queries read the applied events at once (read-your-writes): their models' series changed now
        long appliedAt = clock.millis();
        touched.forEach(m -> registry.markChanged(m, appliedAt));
        labelled.forEach(m -> registry.markChanged(m, appliedAt));
        if (observer != null) {
            observer.onApplied(count[0], count[1]);
        }
    }

    /** The loop of {@link #apply}: applies each event; returns the events applied and the duplicates among them. */
    private int[] applyEach(List<WorkQueue.EventBatch> batches, List<Event> all, boolean replaying, Set<String> touched,
                            Set<String> labelled) throws InterruptedException {
        int duplicates = 0;
        int count = 0;
        int done = 0;
        for (WorkQueue.EventBatch b : batches) {
            int first = replaying ? positions.alreadyCommitted(b) : 0;
            done += first;
            for (int i = first; i < b.events().size(); i++) {
                Event e = b.events().get(i);
                if (replaying) {
                    join.pendingOnly(positions.storedAtStart(Aggregator.modelOf(e), b.positionAfter(i + 1)));
                }
                if (!join.applyOne(e, done, touched, labelled)) {
                    duplicates++;
                }
                updates.eventDone();
                count++;
                done++;
                if (state.active.buffered.total() > limits.maxBufferedProfileBytes()
                        && (b.lsnStart() >= 0 || i == b.events().size() - 1)) {
                    // commit part-way through the record, from a position a replay resumes at
                    state.appliedLsn = Math.max(state.appliedLsn, b.positionAfter(i + 1));
                    updates.drain(); // the commit takes the generation's profiles
                    boolean finished = commits.commitForMemory(limits.maxBufferedProfileBytes());
                    join.forgetModel(); // a commit's end may have changed the generations
                    if (finished) {
                        int rest = done;
                        // the stored-row lookup for the rest of the list; retried until storage answers
                        retries.untilStorageAnswers(() -> join.lookUpStored(all, rest));
                    }
                }
            }
            state.appliedLsn = Math.max(state.appliedLsn, b.lsnEnd());
        }
        return new int[] {count, duplicates};
    }
}
