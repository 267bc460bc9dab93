package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.health.HealthProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What readiness reads of the commits, from any thread: when one last succeeded, why they fail,
 * and why pending rows cannot be written.
 */
final class CommitHealth {
    /** When a commit last succeeded, or found nothing to commit. */
    volatile long lastCommitOkMs;
    /** Why the last commit failed, while commits fail; null once one succeeds. */
    volatile String commitProblem;
    /** Set when the store writer died in a commit, which then never finishes. */
    volatile boolean commitLost;
    /** Why pending rows cannot be written, while they cannot; null once a write succeeds. */
    volatile String pendingProblem;

    /**
     * What keeps the runtime from committing at {@code now}: storage refusing commits, pending rows
     * that cannot be written, or no commit for longer than {@code stallAfter}.
     */
    List<HealthProblem> problems(long now, Duration stallAfter, Duration flushInterval) {
        List<HealthProblem> out = new ArrayList<>();
        long age = now - lastCommitOkMs;
        String commit = commitProblem;
        String pend = pendingProblem;
        if (pend != null) {
            out.add(HealthProblem.blocking("pending-row store", "not writable: " + pend));
        }
        if (age > stallAfter.toMillis()) {
            out.add(HealthProblem.blocking("storage", "no commit for " + age / 1000 + " s (flush interval "
                    + flushInterval.toMillis() + " ms)" + (commit != null ? ": " + commit : "")
                    + "; the events stay in the ingest log"));
        } else if (commit != null) {
            out.add(HealthProblem.degraded("storage", "the last commit failed (retried): " + commit));
        }
        return out;
    }
}
