package dev.modelwatch.server.aggregate;

/**
 * Waits between the aggregator's retries: {@code Thread::sleep} in the server, a recording one in
 * tests that check a retry's pauses without waiting for them.
 */
@FunctionalInterface
public interface Sleeper {
    /** The system's: {@link Thread#sleep(long)}. */
    Sleeper SYSTEM = Thread::sleep;

    void sleep(long ms) throws InterruptedException;
}
