package dev.modelwatch.server;

import static dev.modelwatch.server.PoisonAndIsolationTest.committed;
import static dev.modelwatch.server.WorkerFailureTest.awaitTrue;
import static dev.modelwatch.server.WorkerFailureTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The database leaving and returning: ingest goes on into the durable log, {@code /readyz} says
 * storage is unreachable meanwhile, commits are retried and succeed once it is back, without a
 * restart and without losing or double-counting an acknowledged event.
 */
class DatabaseOutageTest {
    @TempDir
    Path dir;

    /** {@code n} predictions of model {@code m}, ids {@code prefix0..}, a minute old, as a JSON array. */
    static String batch(String prefix, int n) {
        long ts = System.currentTimeMillis() - 60_000;
        return "[" + String.join(",", IntStream.range(0, n).mapToObj(i -> "{\"type\":\"prediction\",\"model\":\"m\",\"id\":\""
                + prefix + i + "\",\"timestamp\":" + ts + ",\"prediction\":1,\"score\":0.7}").toList()) + "]";
    }

    @Test
    void aStoreThatFailsAndRecoversIsRetriedAndReadinessFollowsIt() throws Exception {
        FaultInjectingStore[] store = new FaultInjectingStore[1];
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), new RecordingExit(), s -> {
            store[0] = new FaultInjectingStore(s);
            return store[0];
        })) {
            assertThat(server.postJson(batch("a", 100)).status()).isEqualTo(200);
            awaitTrue(() -> committed(store[0].real, "m") == 100);
            store[0].down = true;
            assertThat(server.postJson(batch("b", 100)).status()).isEqualTo(200);
            awaitTrue(() -> server.get("/readyz").status() == 503);
            assertThat(problems(server.get("/readyz").json())).contains("storage: the database does not answer");
            store[0].down = false;
            awaitTrue(() -> committed(store[0].real, "m") == 200);
            // the commit lands before the aggregator hears of it: readiness is "degraded" (200) until then
            awaitTrue(() -> server.get("/readyz").json().path("status").asText().equals("ready"));
            assertThat(server.get("/readyz").status()).isEqualTo(200);
            assertThat(server.get("/api/v1/models/m/summary").json().path("count").asLong()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aRealDatabaseWhoseConnectionsAreCutAndComeBackIsCommittedToAgain(String kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind);
             TcpProxy proxy = TcpProxy.start(kind.equals("postgresql") ? 5432 : 3306)) {
            FaultInjectingStore[] store = new FaultInjectingStore[1];
            try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir)
                    .withDb(db.urlThrough(proxy.port())), new RecordingExit(), s -> {
                        store[0] = new FaultInjectingStore(s);
                        return store[0];
                    })) {
                assertThat(server.postJson(batch("a", 100)).status()).isEqualTo(200);
                awaitTrue(() -> committed(store[0].real, "m") == 100);

                proxy.cut();
                assertThat(server.postJson(batch("b", 100)).status()).isEqualTo(200);
                awaitTrue(() -> server.get("/readyz").status() == 503);
                assertThat(server.get("/readyz").json().path("storage").asText()).isEqualTo("unreachable");

                long restoredAt = System.nanoTime();
                proxy.restore();
                awaitTrue(() -> server.get("/readyz").status() == 200);
                long readyMs = (System.nanoTime() - restoredAt) / 1_000_000;
                awaitTrue(() -> committed(store[0].real, "m") == 200);
                long committedMs = (System.nanoTime() - restoredAt) / 1_000_000;
                System.out.printf("%s outage: ready %d ms and committed %d ms after the database came back%n", kind,
                        readyMs, committedMs);
                assertThat(server.get("/api/v1/models/m/summary").json().path("count").asLong()).isEqualTo(200);
            }
        }
    }
}
