package dev.modelwatch.server.api;

/** A request that is answered with an error status and a JSON {@code {"error": ...}} body. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
