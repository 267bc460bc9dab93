package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard's event stream names a training run that took events and one whose problem was found. */
class TrainingLiveFeedTest {
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    private static String step(String run, int step, String loss) {
        return "{\"type\":\"training\",\"model\":\"mlp\",\"run\":\"" + run + "\",\"step\":" + step
                + ",\"metrics\":{\"loss\":" + loss + "}}";
    }

    /** The data of the next {@code change} event (lines are read until one comes). */
    private static JsonNode nextChange(BlockingQueue<String> lines) throws Exception {
        String event = null;
        while (true) {
            String line = lines.poll(60, TimeUnit.SECONDS);
            assertThat(line).as("the stream ended or went quiet without a change").isNotNull();
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ") && "change".equals(event)) {
                return TestServer.JSON.readTree(line.substring(6));
            }
        }
    }

    @Test
    void aRunThatTakesEventsOrFindsAProblemIsNamedInTheNextChange(TestServer server) throws Exception {
        assertThat(server.postJson("[" + step("r1", 0, "1.0") + "]").json().path("accepted").asInt()).isEqualTo(1);
        // the run is built from the ingest log after the answer: connect once it is there
        while (server.get("/api/v1/runs/r1").status() != 200) {
            Thread.sleep(20);
        }
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(HttpRequest.newBuilder(
                        URI.create(server.base + "/api/v1/dashboard/events")).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        Thread reader = new Thread(() -> stream.join().body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            String first;
            do {
                first = lines.poll(60, TimeUnit.SECONDS);
                assertThat(first).as("hello").isNotNull();
            } while (!first.equals("event: hello"));

            assertThat(server.postJson("[" + step("r1", 1, "0.9") + "," + step("r2", 0, "1.0") + "]").json()
                    .path("accepted").asInt()).isEqualTo(2);
            // both runs' events came in one request, so one change names both
            JsonNode change = nextChange(lines);
            while (change.path("runs").isEmpty()) {
                change = nextChange(lines);
            }
            assertThat(change.path("runs").toString()).isEqualTo("[\"mlp/r1\",\"mlp/r2\"]");

            assertThat(server.postJson("[" + step("r1", 2, "NaN") + "]").json().path("accepted").asInt()).isEqualTo(1);
            JsonNode nan = nextChange(lines);
            while (nan.path("runs").isEmpty()) {
                nan = nextChange(lines);
            }
            assertThat(nan.path("runs").toString()).isEqualTo("[\"mlp/r1\"]");
            assertThat(server.get("/api/v1/runs/r1").json().path("problems").get(0).path("kind").asText())
                    .isEqualTo("nan_loss");
        } finally {
            stream.cancel(true);
            reader.interrupt();
        }
    }
}
