package dev.modelwatch.server.agent;

/** GPUs could not be read; the message says why in words (no GPU, an error exit, a hung call, a bad answer). */
public final class GpuException extends Exception {
    public GpuException(String message) {
        super(message);
    }
}
