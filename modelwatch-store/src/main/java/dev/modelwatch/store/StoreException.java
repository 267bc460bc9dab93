package dev.modelwatch.store;

/**
 * A storage operation failed; the message says which operation and why. A failed
 * {@link Store#commit(Flush)} has been rolled back, so the caller may retry the same flush.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
