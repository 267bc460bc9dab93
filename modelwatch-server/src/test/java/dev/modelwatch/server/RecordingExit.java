package dev.modelwatch.server;

import dev.modelwatch.server.health.ProcessExit;
import java.util.concurrent.CompletableFuture;

/** A {@link ProcessExit} that records the first call instead of ending the test JVM. */
public final class RecordingExit implements ProcessExit {
    /** The first call: its code and reason. */
    public record Call(int code, String reason) {
    }

    public final CompletableFuture<Call> called = new CompletableFuture<>();

    @Override
    public void exit(int code, String reason) {
        called.complete(new Call(code, reason));
    }
}
