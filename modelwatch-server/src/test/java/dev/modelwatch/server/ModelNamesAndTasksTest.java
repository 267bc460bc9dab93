package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model names that are path segments are refused; a model with data keeps its task. */
class ModelNamesAndTasksTest {
    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void eventsForTheModelsDotAndDotDotAreRejectedNamingTheField() {
        TestServer.Response r = server.postJson("[{\"type\": \"prediction\", \"model\": \".\", \"id\": \"a\", \"prediction\": 1},"
                + "{\"type\": \"prediction\", \"model\": \"..\", \"id\": \"b\", \"prediction\": 1},"
                + "{\"type\": \"metric\", \"name\": \"gpu\", \"value\": 1, \"model\": \"..\"},"
                + "{\"type\": \"prediction\", \"model\": \"a..b\", \"id\": \"c\", \"prediction\": 1}]");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(1);
        assertThat(r.json().path("rejected").asInt()).isEqualTo(3);
        assertThat(r.json().path("errors").findValuesAsText("error")).hasSize(3)
                .allSatisfy(e -> assertThat(e).startsWith("model: ").contains("must not be '.' or '..'"));
    }

    @Test
    void declaringOrReadingTheModelsDotAndDotDotIsA400NamingTheField() {
        for (String name : new String[] {"%2E", "%2E%2E"}) {
            TestServer.Response put = server.put("/api/v1/models/" + name, "{\"task\": \"regression\"}");
            assertThat(put.status()).as(name).isEqualTo(400);
            TestServer.Response get = server.get("/api/v1/models/" + name + "/summary");
            assertThat(get.status()).as(name).isEqualTo(400);
            assertThat(put.json().path("error").asText()).as(name).isNotEmpty();
        }
        assertThat(server.get("/api/v1/models").json().path("models").size()).isZero();
    }

    @Test
    void redeclaringAModelWithDataUnderAnotherTaskIsA409WithTheReason() {
        assertThat(server.put("/api/v1/models/fraud", "{\"task\": \"binary_classification\", \"positive_class\": \"1\"}")
                .status()).isEqualTo(200);
        assertThat(server.postJson("{\"type\": \"prediction\", \"model\": \"fraud\", \"id\": \"p1\", \"prediction\": \"1\","
                + " \"score\": 0.9}").json().path("accepted").asInt()).isEqualTo(1);

        TestServer.Response changed = server.put("/api/v1/models/fraud", "{\"task\": \"regression\"}");
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.json().path("error").asText()).contains("task cannot change").contains("binary_classification")
                .contains("1 predictions");
        assertThat(server.get("/api/v1/models/fraud").json().path("task").asText()).isEqualTo("binary_classification");

        assertThat(server.put("/api/v1/models/fraud", "{\"task\": \"binary_classification\", \"positive_class\": \"1\"}")
                .status()).as("same task").isEqualTo(200);
        assertThat(server.put("/api/v1/models/fresh", "{\"task\": \"regression\"}").status()).isEqualTo(200);
        assertThat(server.put("/api/v1/models/fresh", "{\"task\": \"multiclass_classification\"}").status())
                .as("no data yet").isEqualTo(200);
    }
}
