package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.health.WorkerThreads;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The window-profile updates of the events the aggregation thread applies, spread over more than
 * one thread. The aggregation thread records each update (a prediction or an outcome added to a
 * profile) instead of making it; at the end of a chunk of events, and before anything reads or
 * hands over profiles, {@link #drain()} applies them: the profiles touched are split into
 * partitions, each profile in exactly one, its updates in their original order; the aggregation
 * thread applies one partition and helper threads the others, and it waits for all of them (the
 * helper's writes are seen through the future each hands back). Everything else stays on the
 * aggregation thread: profiles are still written by one thread at a time.
 *
 * <p>The buffered-heap estimate ({@link BufferedBytes#profileUpdated}) is taken after the same
 * events as on one thread: the number of events and labels a profile has seen is counted as its
 * updates are recorded, and an event after which an estimate falls due ends the chunk. So commits
 * for memory start at the same events as on one thread.
 *
 * <p>With one thread ({@code threads = 1}) each update is made at once, as it always was. Used by
 * the aggregation thread only, except for the helpers' bodies.
 */
final class ProfileUpdates {
    /** Updates recorded before they are applied: about 2,000 events of two profiles each. */
    static final int DEFAULT_CHUNK_UPDATES = 4_096;
    /** How often a wait for a helper checks that its thread still lives. */
    private static final long HELPER_CHECK_MS = 1_000;

    /** One recorded update: a prediction (with the model's positive class) or an outcome added to a profile. */
    private record Update(WindowProfile profile, PredictionEvent prediction, PendingPrediction outcomeOf, Object label,
                          String positiveClass, boolean classification) {
        void apply() {
            if (prediction != null) {
                profile.addPrediction(prediction, positiveClass);
            } else {
                profile.addOutcome(outcomeOf, label, positiveClass, classification);
            }
        }
    }

    /** A profile updated in the current chunk: its key, its partition, and its events and labels so far. */
    private static final class Touched {
        final ProfileKey key;
        final int partition;
        long seen;

        Touched(ProfileKey key, int partition, long seen) {
            this.key = key;
            this.partition = partition;
            this.seen = seen;
        }
    }

    /** The updates of one partition for a helper, and what it completes when they are made. */
    private record Job(List<Update> updates, CompletableFuture<Void> done) {
    }

    private static final Job STOP = new Job(List.of(), new CompletableFuture<>());

    /** A helper thread's body: applies the jobs handed to it until stopped. */
    private static final class Helper implements Runnable {
        final BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
        Thread thread;

        @Override
        public void run() {
            while (true) {
                Job job;
                try {
                    job = jobs.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (job == STOP) {
                    return;
                }
                try {
                    job.updates.forEach(Update::apply);
                    job.done.complete(null);
                } catch (Throwable t) {
                    job.done.completeExceptionally(t);
                    if (t instanceof Error err) {
                        throw err; // the worker dies of it, as the aggregation thread would
                    }
                }
            }
        }
    }

    private final RuntimeState state;
    private final int chunkUpdates;
    private final Helper[] helpers;
    private final Map<WindowProfile, Touched> touched = new IdentityHashMap<>();
    private final List<List<Update>> partitions = new ArrayList<>();
    /** The estimated cost of each partition's updates in this chunk. */
    private final long[] load;
    private int recorded;
    /** Whether a buffered-heap estimate fell due in the event being applied. */
    private boolean estimateDue;

    /**
     * @param threads      the threads that apply profile updates, the aggregation thread included
     * @param chunkUpdates the updates recorded before they are applied
     */
    ProfileUpdates(RuntimeState state, int threads, int chunkUpdates) {
        if (threads < 1 || chunkUpdates < 1) {
            throw new IllegalArgumentException("profile threads and chunk size must be positive");
        }
        this.state = state;
        this.chunkUpdates = chunkUpdates;
        this.helpers = new Helper[threads - 1];
        this.load = new long[threads];
        for (int i = 0; i < threads; i++) {
            partitions.add(new ArrayList<>());
        }
    }

    /**
     * Starts the helper threads, named {@code name}, made by {@code workers}, in place of those started
     * before (a replay's), which end; until then every update is made at once.
     */
    void start(WorkerThreads workers, String name) {
        stop();
        for (int i = 0; i < helpers.length; i++) {
            Helper h = new Helper();
            h.thread = workers.newThread(helpers.length == 1 ? name : name + "-" + (i + 1), h);
            helpers[i] = h;
            h.thread.start();
        }
    }

    /** Ends the helper threads (each has finished what it was given); later updates are made at once. */
    void stop() {
        for (int i = 0; i < helpers.length; i++) {
            if (helpers[i] != null) {
                helpers[i].jobs.add(STOP);
                helpers[i] = null;
            }
        }
    }

    /** Whether helper threads have been started (and not stopped). */
    boolean started() {
        return parallel();
    }

    private boolean parallel() {
        return helpers.length > 0 && helpers[0] != null;
    }

    /** Adds a prediction to {@code profile} (kept under {@code key} in the active generation). */
    void addPrediction(ProfileKey key, WindowProfile profile, PredictionEvent e, String positiveClass) {
        if (!parallel()) {
            profile.addPrediction(e, positiveClass);
            state.active.buffered.profileUpdated(key, profile);
            return;
        }
        record(key, new Update(profile, e, null, null, positiveClass, false));
    }

    /** Adds the outcome of {@code p} to {@code profile} (kept under {@code key} in the active generation). */
    void addOutcome(ProfileKey key, WindowProfile profile, PendingPrediction p, Object label, String positiveClass,
                    boolean classification) {
        if (!parallel()) {
            profile.addOutcome(p, label, positiveClass, classification);
            state.active.buffered.profileUpdated(key, profile);
            return;
        }
        record(key, new Update(profile, null, p, label, positiveClass, classification));
    }

    private void record(ProfileKey key, Update u) {
        Touched t = touched.get(u.profile);
        if (t == null) {
            // the profile is not written by anyone between chunks: its counts can be read here
            t = new Touched(key, lightest(), u.profile.count() + u.profile.labeled());
            touched.put(u.profile, t);
        }
        partitions.get(t.partition).add(u);
        load[t.partition] += ProfileKey.ALL.equals(key.segment()) ? 3 : 2;
        recorded++;
        t.seen++;
        if (BufferedBytes.estimateDue(t.seen)) {
            estimateDue = true;
        }
    }

    private int lightest() {
        int best = 0;
        for (int i = 1; i < load.length; i++) {
            if (load[i] < load[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Called after each event: applies what was recorded when the chunk is full or when a profile's
     * heap estimate fell due with this event (so that it is taken after the same events as on one thread).
     */
    void eventDone() throws InterruptedException {
        if (estimateDue || recorded >= chunkUpdates) {
            drain();
        }
    }

    /**
     * Applies every recorded update, spread over the threads, waits for all of them, then takes the
     * heap estimates that fell due. Called before anything reads or hands over the profiles.
     */
    void drain() throws InterruptedException {
        if (recorded == 0) {
            return;
        }
        List<Job> waits = new ArrayList<>(helpers.length);
        List<Helper> waitsOn = new ArrayList<>(helpers.length);
        Throwable failure = null;
        try {
            for (int i = 0; i < helpers.length; i++) {
                List<Update> part = partitions.get(i + 1);
                if (part.isEmpty()) {
                    continue;
                }
                Helper h = helpers[i];
                if (!h.thread.isAlive()) {
                    throw new IllegalStateException("the profile helper thread " + h.thread.getName() + " has died");
                }
                partitions.set(i + 1, new ArrayList<>());
                Job job = new Job(part, new CompletableFuture<>());
                h.jobs.add(job);
                waits.add(job);
                waitsOn.add(h);
            }
            partitions.get(0).forEach(Update::apply);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        try {
            // every helper has finished before any profile is touched again, also after a failure
            for (int i = 0; i < waits.size(); i++) {
                try {
                    await(waitsOn.get(i), waits.get(i).done);
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            touched.forEach((profile, t) -> state.active.buffered.profileUpdated(t.key, profile));
        } finally {
            touched.clear();
            partitions.forEach(List::clear);
            java.util.Arrays.fill(load, 0);
            recorded = 0;
            estimateDue = false;
        }
    }

    /** Waits for a helper's job; its failure is thrown here, on the aggregation thread, and a dead helper too. */
    private static void await(Helper h, CompletableFuture<Void> done) throws InterruptedException {
        while (true) {
            try {
                done.get(HELPER_CHECK_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (!h.thread.isAlive() && !done.isDone()) {
                    throw new IllegalStateException("the profile helper thread " + h.thread.getName()
                            + " died while applying profile updates");
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw new IllegalStateException("profile updates failed on " + h.thread.getName() + ": " + r, r);
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("profile updates failed on " + h.thread.getName(), cause);
            }
        }
    }
}
