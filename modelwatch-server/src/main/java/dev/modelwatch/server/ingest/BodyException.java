package dev.modelwatch.server.ingest;

/** The request body as a whole cannot be read; nothing of it is accepted. */
public final class BodyException extends RuntimeException {
    private final int status;

    public BodyException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
