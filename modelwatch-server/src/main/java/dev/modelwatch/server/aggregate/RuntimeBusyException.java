package dev.modelwatch.server.aggregate;

/**
 * A query could not be answered in time because the aggregation runtime is still applying the
 * events submitted before it (read-your-writes makes a query wait for them): a backlog after a burst
 * or a backfill, not a fault. The API answers 503 with {@code Retry-After}.
 */
public final class RuntimeBusyException extends RuntimeException {
    public RuntimeBusyException(String message) {
        super(message);
    }
}
