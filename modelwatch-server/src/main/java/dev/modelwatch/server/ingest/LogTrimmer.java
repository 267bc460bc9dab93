package dev.modelwatch.server.ingest;

import dev.modelwatch.server.health.WorkerThreads;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the ingest log behind each commit on a thread of its own, so that the aggregation thread,
 * which learns of the commit, does not wait for the files to go: deleting a segment of tens of
 * megabytes takes the file system tens of milliseconds (longer where it discards the freed blocks
 * at once), and the aggregation thread sets the pace of ingest.
 *
 * <p>Commits that land while a trim runs are folded into one trim to the latest of them. A trim
 * first runs {@code beforeTrim} (the training runs store what they built from the log) and drops
 * nothing when it answers false; the next commit tries again.
 *
 * <p>Thread-safe.
 */
public final class LogTrimmer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogTrimmer.class);

    private final DurableLog log;
    private final BooleanSupplier beforeTrim;
    private final ExecutorService thread;
    /** The latest committed log position handed over. */
    private final AtomicLong committed = new AtomicLong(Long.MIN_VALUE);
    /** Set while a trim is queued and has not yet read {@link #committed}. */
    private final AtomicBoolean queued = new AtomicBoolean();
    /** The position the log was last trimmed to (on the trimming thread only). */
    private long trimmedTo = Long.MIN_VALUE;

    /**
     * @param beforeTrim runs before each trim; false keeps the log (what it needs could not be stored)
     * @param threads    makes the trimming thread
     */
    public LogTrimmer(DurableLog log, BooleanSupplier beforeTrim, WorkerThreads threads) {
        this.log = log;
        this.beforeTrim = beforeTrim;
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                threads.factory("modelwatch-log-trimmer"));
        executor.prestartCoreThread(); // a worker from the start, as the others are, not from the first commit on
        this.thread = executor;
    }

    /** Takes note that everything before {@code lsn} is committed; returns at once. */
    public void committed(long lsn) {
        committed.accumulateAndGet(lsn, Math::max);
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(this::trim);
            } catch (RejectedExecutionException e) {
                queued.set(false); // closed: the next start trims what is left
            }
        }
    }

    private void trim() {
        queued.set(false);
        long to = committed.get();
        try {
            // the step before runs each time, as it did after each commit (the training runs it stores
            // may have changed, or gone stalled, without the log moving)
            if (beforeTrim.getAsBoolean() && to > trimmedTo) {
                log.truncateBefore(to);
                trimmedTo = to;
            }
        } catch (RuntimeException e) {
            // the log only keeps more than it needs: the next commit tries again
            LOG.warn("could not trim the ingest log before position {}: {}", to, e.toString());
        }
    }

    /** Finishes the trim queued, if any, waiting at most {@code grace}; later commits trim nothing. */
    public void close(Duration grace) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS)) {
                LOG.warn("the ingest log was not trimmed within the shutdown grace period; the next start trims it");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
