package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@link dev.modelwatch.server.health.ProcessExit}, in a process of its own: a worker that
 * dies of an {@code Error} ends the JVM with exit code 70 after one log line naming it, and the
 * shutdown hook still closes the server, so that a supervisor can start a fresh one.
 */
class ProcessExitEndToEndTest {
    @TempDir
    Path dir;

    /** The server process: starts a server as {@code modelwatch serve} does, then kills its aggregator. */
    public static void main(String[] args) throws Exception {
        ServerConfig config = ServerConfig.defaults().withDataDir(Path.of(args[0])).withPort(0).toBuilder()
                .shutdownGrace(Duration.ofSeconds(5)).build();
        ModelWatchServer server = ModelWatchServer.start(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "modelwatch-shutdown"));
        server.aggregator().ask(a -> {
            throw new OutOfMemoryError("Java heap space (injected)");
        });
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void aWorkerThatDiesEndsTheProcessWithCode70AfterClosingTheServer() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ProcessExitEndToEndTest.class.getName(), dir.toString())).redirectErrorStream(true).start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the process ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String log = new String(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isEqualTo(70);
        assertThat(log).contains("worker modelwatch-aggregator died: java.lang.OutOfMemoryError: Java heap space "
                + "(injected); exiting with code 70").contains("shutting down within 5 s");
    }
}
