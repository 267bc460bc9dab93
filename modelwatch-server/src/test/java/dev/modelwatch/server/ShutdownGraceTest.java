package dev.modelwatch.server;

import static dev.modelwatch.server.WorkerFailureTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown within its grace period whatever the state: with the database hanging in a commit,
 * {@code close()} returns once {@code server.shutdown_grace} is spent (not after the 90 s it took),
 * and the events it could not commit are counted after the next start, from the ingest log.
 */
class ShutdownGraceTest {
    @TempDir
    Path dir;

    @Test
    void closeEndsWithinTheGracePeriodWhileTheStoreHangsAndTheLogKeepsTheEvents() throws Exception {
        ServerConfig config = ServerConfig.defaults().withDataDir(dir).toBuilder().shutdownGrace(Duration.ofSeconds(3))
                .build();
        FaultInjectingStore[] store = new FaultInjectingStore[1];
        CountDownLatch hang = new CountDownLatch(1);
        TestServer server = TestServer.start(config, new RecordingExit(), s -> {
            store[0] = new FaultInjectingStore(s);
            return store[0];
        });
        try {
            store[0].hang = hang;
            long ts = System.currentTimeMillis() - 60_000;
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 100; i++) {
                body.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"p").append(i)
                        .append("\",\"timestamp\":").append(ts).append(",\"prediction\":1}");
            }
            assertThat(server.postJson(body.append("]").toString()).status()).isEqualTo(200);
            TestServer live = server;
            // a commit is stuck in the database: readiness says so once it has taken too long
            awaitTrue(() -> live.server().aggregator().queuedEvents() == 0);
            long t0 = System.nanoTime();
            server.close();
            long closeMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("store hanging: close() took %d ms with a grace period of 3000 ms%n", closeMs);
            assertThat(Duration.ofMillis(closeMs)).isLessThan(Duration.ofSeconds(3 + 12));
            assertThat(store[0].commits.get()).isZero();
        } finally {
            hang.countDown();
            server.close();
        }
        try (TestServer again = server.restart(UnaryOperator.identity())) {
            assertThat(again.get("/api/v1/models/m/summary").json().path("count").asLong()).isEqualTo(100);
        }
    }
}
