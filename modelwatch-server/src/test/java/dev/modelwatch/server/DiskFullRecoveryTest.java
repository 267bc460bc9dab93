package dev.modelwatch.server;

import static dev.modelwatch.server.DatabaseOutageTest.batch;
import static dev.modelwatch.server.PoisonAndIsolationTest.committed;
import static dev.modelwatch.server.WorkerFailureTest.awaitTrue;
import static dev.modelwatch.server.WorkerFailureTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk filling and freeing again, on a real 64 MB tmpfs holding the ingest log and the
 * pending-row store (the database lies elsewhere): while full, ingest answers 503 with the reason
 * and {@code /readyz} names what cannot be written; once space is freed, both recover without a
 * restart, and every acknowledged event is counted. Closing while full ends within the grace period.
 */
class DiskFullRecoveryTest {
    @TempDir
    Path dir;

    private static String labels(String prefix, int n) {
        return "[" + String.join(",", IntStream.range(0, n).mapToObj(i -> "{\"type\":\"label\",\"model\":\"m\",\"id\":\""
                + prefix + i + "\",\"label\":1}").toList()) + "]";
    }

    private ServerConfig config(Path data) {
        return ConfigLoader.parse("log: {segment_bytes: 1048576}\nserver: {shutdown_grace: 5s}\n", "test.yml")
                .withDataDir(data).withDb("jdbc:sqlite:" + dir.resolve("modelwatch.db"));
    }

    @Test
    void ingestAndPendingRowsRecoverOnceSpaceIsFreedWithoutARestartAndLoseNothing() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("mnt"), 64)) {
            FaultInjectingStore[] store = new FaultInjectingStore[1];
            TestServer server = TestServer.start(config(disk.dir.resolve("data")), new RecordingExit(), s -> {
                store[0] = new FaultInjectingStore(s);
                return store[0];
            });
            try {
                TestServer live = server;
                int acknowledged = 0;
                assertThat(server.postJson(batch("a", 50)).status()).isEqualTo(200);
                acknowledged += 50;
                awaitTrue(() -> committed(store[0].real, "m") == 50);

                // 50 more acknowledged while the commit waits; then the disk fills up
                CountDownLatch hang = new CountDownLatch(1);
                store[0].hang = hang;
                assertThat(server.postJson(batch("b", 50)).status()).isEqualTo(200);
                acknowledged += 50;
                disk.fill();
                TestServer.Response full = server.postJson(batch("c", 50));
                for (int i = 0; full.status() == 200 && i < 100; i++) { // what still fitted was acknowledged
                    acknowledged += 50;
                    full = server.postJson(batch("c" + i + "-", 50));
                }
                assertThat(full.status()).isEqualTo(503);
                assertThat(full.json().path("error").asText()).contains("No space left on device")
                        .contains("nothing of this request was accepted");
                TestServer.Response ready = server.get("/readyz");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(problems(ready.json())).anySatisfy(p -> assertThat(p)
                        .startsWith("ingest log: not writable since").endsWith("No space left on device"));

                // the commit goes on (the database has room), the pending rows cannot be written
                store[0].hang = null;
                hang.countDown();
                awaitTrue(() -> problems(live.get("/readyz").json()).stream()
                        .anyMatch(p -> p.startsWith("pending-row store: not writable")));

                long freedAt = System.nanoTime();
                disk.free();
                TestServer.Response again = server.postJson(batch("d", 50));
                long firstAcceptedMs = (System.nanoTime() - freedAt) / 1_000_000;
                assertThat(again.status()).isEqualTo(200);
                acknowledged += 50;
                awaitTrue(() -> live.get("/readyz").status() == 200
                        && live.get("/readyz").json().path("status").asText().equals("ready"));
                long readyMs = (System.nanoTime() - freedAt) / 1_000_000;
                System.out.printf("disk full: first request accepted %d ms after freeing space, ready after %d ms%n",
                        firstAcceptedMs, readyMs);
                int expected = acknowledged;
                awaitTrue(() -> committed(store[0].real, "m") == expected);
                assertThat(server.get("/api/v1/models/m/summary").json().path("count").asLong()).isEqualTo(expected);

                // the pending rows written after the recovery join labels, also after a restart
                server = server.restart();
                assertThat(server.postJson(labels("b", 50)).json().path("accepted").asInt()).isEqualTo(50);
                assertThat(server.get("/api/v1/models/m/summary").json().path("labeled").asLong()).isEqualTo(50);
                assertThat(server.get("/api/v1/models/m/summary").json().path("count").asLong()).isEqualTo(expected);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void closingWithTheDiskFullEndsWithinTheGracePeriodAndTheLogKeepsWhatWasNotCommitted() throws Exception {
        Path data;
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("mnt"), 64)) {
            data = disk.dir.resolve("data");
            TestServer server = TestServer.start(config(data));
            TestServer live = server;
            try {
                assertThat(server.postJson(batch("a", 50)).status()).isEqualTo(200);
                disk.fill();
                // a commit now writes the database (elsewhere), then cannot write the pending rows
                awaitTrue(() -> problems(live.get("/readyz").json()).stream()
                        .anyMatch(p -> p.startsWith("pending-row store: not writable")));
                long t0 = System.nanoTime();
                server.close();
                long closeMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("disk full: close() took %d ms with a grace period of 5000 ms%n", closeMs);
                assertThat(Duration.ofMillis(closeMs)).isLessThan(Duration.ofSeconds(15));
                disk.free();
                server = server.restart();
                assertThat(server.get("/api/v1/models/m/summary").json().path("count").asLong()).isEqualTo(50);
                assertThat(server.postJson(labels("a", 50)).json().path("accepted").asInt()).isEqualTo(50);
                assertThat(server.get("/api/v1/models/m/summary").json().path("labeled").asLong()).isEqualTo(50);
            } finally {
                server.close();
            }
        }
    }
}
