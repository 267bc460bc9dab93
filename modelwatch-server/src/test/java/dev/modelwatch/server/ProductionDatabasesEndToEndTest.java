package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole server on PostgreSQL and MariaDB (the machine's servers): ingest with delayed labels,
 * a graceful restart, and the same answer afterwards. Skipped when a server is absent, failed
 * instead when {@code modelwatch.requireDatabases} is true (CI).
 */
class ProductionDatabasesEndToEndTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void theServerWorksTheSameOnAProductionDatabase(String kind) {
        try (TestDatabase db = TestDatabase.create(kind)) {
            run(ServerConfig.defaults().withDataDir(dir).withDb(db.url()));
        }
    }

    private static void run(ServerConfig config) {
        long ts = System.currentTimeMillis() - 60_000;
        StringBuilder predictions = new StringBuilder("[");
        StringBuilder labels = new StringBuilder("[");
        String earlyLabels = null;
        for (int i = 0; i < 200; i++) {
            predictions.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"db\",\"id\":\"q").append(i)
                    .append("\",\"timestamp\":").append(ts).append(",\"features\":{\"x\":").append(i)
                    .append(",\"c\":\"").append(i % 3 == 0 ? "a" : "b").append("\"},\"prediction\":")
                    .append(i % 2).append(",\"score\":").append(i % 2 == 0 ? 0.2 : 0.8).append("}");
            labels.append(i == 0 ? "" : ",").append("{\"type\":\"label\",\"model\":\"db\",\"id\":\"q").append(i)
                    .append("\",\"label\":").append(i % 4 == 0 ? 1 : i % 2).append("}");
            if (i == 49) {
                earlyLabels = labels + "]"; // the first 50 labels also arrive before their predictions
            }
        }
        TestServer server = TestServer.start(config);
        try {
            assertThat(server.postJson(earlyLabels).json().path("accepted").asInt()).isEqualTo(50);
            assertThat(server.postJson(predictions + "]").json().path("accepted").asInt()).isEqualTo(200);
            assertThat(server.postJson(labels + "]").json().path("accepted").asInt()).isEqualTo(200);
            JsonNode before = server.get("/api/v1/models/db/summary").json();
            // labels: i%4==0 → 1 (50 of them predicted 0), else the prediction itself → 150 correct
            assertThat(before.path("count").asLong()).isEqualTo(200);
            assertThat(before.path("labeled").asLong()).isEqualTo(200);
            assertThat(before.path("accuracy").asDouble()).isEqualTo(0.75);
            assertThat(before.path("features").path("x").path("mean").asDouble()).isEqualTo(99.5);
            server = server.restart();
            JsonNode after = server.get("/api/v1/models/db/summary").json();
            assertThat(after.path("count").asLong()).isEqualTo(200);
            assertThat(after.path("labeled").asLong()).isEqualTo(200);
            assertThat(after.path("accuracy").asDouble()).isEqualTo(0.75);
            assertThat(after.path("confusion_matrix")).isEqualTo(before.path("confusion_matrix"));
        } finally {
            server.close();
        }
    }
}
