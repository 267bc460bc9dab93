package dev.modelwatch.server.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The callers of {@link Aggregator#flushNow()} waiting for the commit, by number, that holds their events. */
final class FlushWaiters {
    private final List<Map.Entry<Long, CompletableFuture<Void>>> waiters = new ArrayList<>();

    /** A future completed once commit number {@code number} has succeeded, or failed if a commit fails first. */
    CompletableFuture<Void> add(long number) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiters.add(Map.entry(number, done));
        return done;
    }

    /** Completes the waiters whose commit (by number) has succeeded, or fails them all. */
    void resolve(long number, RuntimeException failure) {
        waiters.removeIf(w -> {
            if (failure != null) {
                w.getValue().completeExceptionally(new IllegalStateException(
                        "storage is unavailable (" + failure.getMessage() + "); the events stay in the ingest log", failure));
                return true;
            }
            if (w.getKey() <= number) {
                w.getValue().complete(null);
                return true;
            }
            return false;
        });
    }
}
