package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server process hard (a separate JVM, {@code destroyForcibly}) while a client is
 * ingesting, restarts it on the same data directory, and finds exactly the acknowledged events.
 */
class CrashRecoveryTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int PER_BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void aHardKillLosesNoAcknowledgedEventAndCountsNoneTwice() throws Exception {
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Process server = startServer(port, "run-1");
        awaitHealthy(base);

        AtomicInteger acknowledgedBatches = new AtomicInteger();
        AtomicReference<String> inFlight = new AtomicReference<>();
        List<String> sentBodies = new ArrayList<>();
        Thread client = new Thread(() -> {
            for (int b = 0; ; b++) {
                String body = batch(b);
                synchronized (sentBodies) {
                    sentBodies.add(body);
                }
                inFlight.set(body);
                try {
                    HttpResponse<String> r = post(base, body);
                    if (r.statusCode() != 200 || !r.body().contains("\"accepted\":" + (b == 0 ? PER_BATCH : 2 * PER_BATCH))) {
                        throw new AssertionError("unexpected answer " + r.statusCode() + " " + r.body());
                    }
                    acknowledgedBatches.incrementAndGet();
                    inFlight.set(null);
                } catch (IOException e) {
                    return; // the server died under us: this batch may or may not be durable
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        client.start();
        while (acknowledgedBatches.get() < 20) {
            Thread.sleep(10);
        }
        server.destroyForcibly().waitFor();
        client.join(30_000);
        int acked = acknowledgedBatches.get();
        String unacknowledged = inFlight.get();

        Process restarted = startServer(port, "run-2");
        try {
            awaitHealthy(base);
            JsonNode s = summary(base);
            long ackedPredictions = (long) acked * PER_BATCH;
            long ackedLabels = (long) Math.max(0, acked - 1) * PER_BATCH;
            // the batch in flight at the kill may or may not have become durable, but never twice
            assertThat(s.path("count").asLong()).isBetween(ackedPredictions, ackedPredictions + PER_BATCH);
            assertThat(s.path("labeled").asLong()).isBetween(ackedLabels, ackedLabels + PER_BATCH);

            // the client retries what was not acknowledged; replays are idempotent
            if (unacknowledged != null) {
                assertThat(post(base, unacknowledged).statusCode()).isEqualTo(200);
            }
            int batches = unacknowledged != null ? acked + 1 : acked;
            JsonNode after = summary(base);
            assertThat(after.path("count").asLong()).isEqualTo((long) batches * PER_BATCH);
            assertThat(after.path("labeled").asLong()).isEqualTo((long) (batches - 1) * PER_BATCH);
            // each prediction's label carries the truth "1" and each prediction predicted 1 with score 0.9
            assertThat(after.path("accuracy").asDouble()).isEqualTo(1.0);
        } finally {
            restarted.destroy();
            restarted.waitFor();
        }
    }

    /** Batch b: predictions b*100..b*100+99 and the labels of batch b-1's predictions. */
    private static String batch(int b) {
        StringBuilder sb = new StringBuilder("[");
        long ts = System.currentTimeMillis();
        for (int i = 0; i < PER_BATCH; i++) {
            int id = b * PER_BATCH + i;
            sb.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"crash\",\"id\":\"p").append(id)
                    .append("\",\"timestamp\":").append(ts).append(",\"features\":{\"x\":").append(id % 17)
                    .append("},\"prediction\":1,\"score\":0.9}");
        }
        if (b > 0) {
            for (int i = 0; i < PER_BATCH; i++) {
                sb.append(",{\"type\":\"label\",\"model\":\"crash\",\"id\":\"p").append((b - 1) * PER_BATCH + i)
                        .append("\",\"label\":1}");
            }
        }
        return sb.append("]").toString();
    }

    private Process startServer(int port, String logName) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.modelwatch.server.cli.Main", "serve", "--port", Integer.toString(port),
                "--data-dir", dir.resolve("data").toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(new File(dir.toFile(), logName + ".log"));
        return pb.start();
    }

    static void awaitHealthy(String base) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not become ready at " + base);
    }

    private static HttpResponse<String> post(String base, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode summary(String base) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models/crash/summary")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.JSON.readTree(r.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
