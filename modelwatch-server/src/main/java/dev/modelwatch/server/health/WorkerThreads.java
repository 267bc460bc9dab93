package dev.modelwatch.server.health;

import java.util.concurrent.ThreadFactory;

/**
 * Makes the threads of the server's long-running workers. The supervised implementation
 * ({@link Workers}) watches each: a worker that dies of an {@code Error} or of an exception it did
 * not handle ends the process; {@link #PLAIN} makes bare daemon threads (for tests and tools that
 * run a component alone).
 */
@FunctionalInterface
public interface WorkerThreads {
    /** Daemon threads that nobody watches. */
    WorkerThreads PLAIN = (name, body) -> {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    };

    /** A new, not yet started, thread named {@code name} that runs {@code body}. */
    Thread newThread(String name, Runnable body);

    /** A thread factory for an executor whose single thread is this worker. */
    default ThreadFactory factory(String name) {
        return body -> newThread(name, body);
    }

    /** An executor whose single thread is this worker, named {@code name}. */
    default java.util.concurrent.ExecutorService singleThreadExecutor(String name) {
        return java.util.concurrent.Executors.newSingleThreadExecutor(factory(name));
    }
}
