package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.health.WorkerThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The window-profile updates of the events the aggregation thread applies, spread over more than
 * one thread. The aggregation thread records each update (a prediction or an outcome added to a
 * profile) instead of making it; at the end of a chunk of events, and before anything reads or
 * hands over profiles, {@link #drain()} applies them: the aggregation thread and the helper
 * threads claim the profiles touched one at a time, the costliest first, and apply each one's
 * updates in their original order, until none is left; the aggregation thread then waits for the
 * profiles still being applied (their writes are seen through the round's count of profiles ended).
 * A helper that is not scheduled in time leaves its share to the aggregation thread instead of
 * holding it up (with a fixed half for each, it waited 16 ms on average in 180 waits of over 10 ms
 * a run of the ingest benchmark). Everything else stays on the aggregation thread: profiles are
 * still written by one thread at a time.
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

    /** A profile updated in the current chunk: its key, its updates in event order, their estimated cost. */
    private static final class Touched {
        final ProfileKey key;
        final List<Update> updates = new ArrayList<>();
        long cost;
        long seen;

        Touched(ProfileKey key, long seen) {
            this.key = key;
            this.seen = seen;
        }
    }

    /**
     * The updates of one chunk, by profile, shared by the aggregation thread and the helpers: each
     * thread claims one profile's updates at a time (the costliest first) and applies them in their
     * order, until none is left; so the aggregation thread never waits for a helper that has not
     * been scheduled yet, it takes that helper's profiles itself. A failure is kept and thrown on
     * the aggregation thread once every profile's updates were claimed and ended.
     */
    private static final class Round {
        final Touched[] profiles;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The thread the first failure was met on. */
        volatile String failedOn;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Round(Touched[] profiles) {
            this.profiles = profiles;
        }

        /** Applies profiles until none is left to claim; returns an Error this thread met, if any. */
        Error work() {
            Error fatal = null;
            int i;
            while ((i = next.getAndIncrement()) < profiles.length) {
                try {
                    for (Update u : profiles[i].updates) {
                        u.apply();
                    }
                } catch (Throwable t) {
                    if (failure.compareAndSet(null, t)) {
                        failedOn = Thread.currentThread().getName();
                    } else if (failure.get() != t) {
                        // the same instance may come again (a failure thrown for each profile, a JVM's preallocated error)
                        failure.get().addSuppressed(t);
                    }
                    if (t instanceof Error e) {
                        fatal = e;
                    }
                } finally {
                    if (ended.incrementAndGet() == profiles.length) {
                        Throwable f = failure.get();
                        if (f == null) {
                            done.complete(null);
                        } else {
                            done.completeExceptionally(f);
                        }
                    }
                }
                if (fatal != null) {
                    return fatal; // this thread dies of it; the others claim what is left
                }
            }
            return null;
        }
    }

    private static final Round STOP = new Round(new Touched[0]);

    /** A helper thread's body: joins the rounds handed to it until stopped. */
    private static final class Helper implements Runnable {
        final BlockingQueue<Round> rounds = new LinkedBlockingQueue<>();
        Thread thread;
        /**
         * Set when it dies of an Error, before the Error leaves it: its thread may still be alive a
         * while (its worker reports the death on the way out), and no round must wait for it meanwhile.
         */
        volatile boolean dying;

        boolean dead() {
            return dying || !thread.isAlive();
        }

        @Override
        public void run() {
            while (true) {
                Round round;
                try {
                    round = rounds.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (round == STOP) {
                    return;
                }
                Error fatal = round.work();
                if (fatal != null) {
                    dying = true;
                    throw fatal; // the worker dies of it, as the aggregation thread would
                }
            }
        }
    }

    private final RuntimeState state;
    private final int chunkUpdates;
    private final Helper[] helpers;
    private final Map<WindowProfile, Touched> touched = new IdentityHashMap<>();
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
                helpers[i].rounds.add(STOP);
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
            t = new Touched(key, u.profile.count() + u.profile.labeled());
            touched.put(u.profile, t);
        }
        t.updates.add(u);
        t.cost += ProfileKey.ALL.equals(key.segment()) ? 3 : 2;
        recorded++;
        t.seen++;
        if (BufferedBytes.estimateDue(t.seen)) {
            estimateDue = true;
        }
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
        try {
            Touched[] profiles = touched.values().toArray(new Touched[0]);
            // the costliest first, so that the last ones claimed are short and the threads end together
            Arrays.sort(profiles, (x, y) -> Long.compare(y.cost, x.cost));
            Round round = new Round(profiles);
            if (profiles.length > 1) {
                for (Helper h : helpers) {
                    if (h.dead()) {
                        throw new IllegalStateException("the profile helper thread " + h.thread.getName() + " has died");
                    }
                    h.rounds.add(round);
                }
            }
            round.work();
            // every profile's updates have ended before any profile is touched again, also after a failure
            await(round);
            touched.forEach((profile, t) -> state.active.buffered.profileUpdated(t.key, profile));
        } finally {
            touched.clear();
            recorded = 0;
            estimateDue = false;
        }
    }

    /**
     * Waits until every profile of {@code round} was applied; a failure is thrown here, on the
     * aggregation thread, and a helper that died while applying one too.
     */
    private void await(Round round) throws InterruptedException {
        while (true) {
            try {
                round.done.get(HELPER_CHECK_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                for (Helper h : helpers) {
                    if (h.dead() && !round.done.isDone()) {
                        throw new IllegalStateException("the profile helper thread " + h.thread.getName()
                                + " died while applying profile updates");
                    }
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("profile updates failed on " + round.failedOn + ": " + cause, cause);
            }
        }
    }
}
