package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 row: the real server in its own JVM is killed hard, repeatedly, while it is
 * delivering to a counting webhook, and restarted on the same data; the webhook counts duplicates by
 * idempotency key. Every kill lands while a POST is inside the webhook (received, not yet answered):
 * the worst moment, when the server cannot know whether the receiver got it.
 */
class DeliveryCrashTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int KILLS = 5;

    @TempDir
    Path dir;

    /** One POST the webhook received: its key (header), the payload's key, and what it said. */
    record Received(String key, String payloadKey, String status, String content) {
    }

    @Test
    void killedDuringDeliveriesTheReceiverLosesNothingEndsOnTheRightStateAndSeesAtMostOneDuplicatePerKill()
            throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        Semaphore inFlight = new Semaphore(0);
        // a POST of the state the current server is to be killed with is answered only after the kill, so
        // that the kill lands mid-delivery; other POSTs (re-sent after a kill) are answered at once
        AtomicReference<String> heldStatus = new AtomicReference<>();
        AtomicReference<CountDownLatch> killed = new AtomicReference<>(new CountDownLatch(1));
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.setExecutor(Executors.newCachedThreadPool());
        hook.createContext("/hook", exchange -> {
            JsonNode p = TestServer.JSON.readTree(exchange.getRequestBody().readAllBytes());
            StringBuilder content = new StringBuilder(p.path("status").asText());
            p.path("alerts").forEach(a -> content.append(' ').append(a.path("fingerprint").asText()).append('/')
                    .append(a.path("status").asText()).append('/').append(a.path("startsAt").asText()));
            received.add(new Received(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    p.path("idempotencyKey").asText(), p.path("status").asText(), content.toString()));
            CountDownLatch answer = p.path("status").asText().equals(heldStatus.get()) ? killed.get() : null;
            inFlight.release();
            try {
                if (answer != null) {
                    answer.await(60, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        Path config = dir.resolve("modelwatch.yml");
        Files.writeString(config, AlertingEndToEndTest.CONFIG
                .replace("  - alert: AccuracyDrop\n", "  - alert: AccuracyDrop\n    flap_window: 0s\n") // notify each change
                + "    webhook_configs: [{url: \"http://127.0.0.1:%d/hook\", send_resolved: true}]\n"
                .formatted(hook.getAddress().getPort()));
        int port = CrashRecoveryTest.freePort();
        String base = "http://127.0.0.1:" + port;
        List<String> inFlightAtKill = new ArrayList<>();
        long lastWindow = 0;
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                Process server = start(config, port, "run-" + kill);
                try {
                    CrashRecoveryTest.awaitHealthy(base);
                    inFlight.drainPermits();
                    heldStatus.set(kill % 2 == 1 ? "firing" : "resolved");
                    lastWindow = nextWindow(lastWindow);
                    postWindow(base, lastWindow, kill % 2 == 1 ? 5 : 10, "k" + kill + "-"); // bad, good, bad, ...
                    // a POST of the new state (or of the one re-sent after the last kill) is inside the webhook
                    assertThat(inFlight.tryAcquire(30, TimeUnit.SECONDS))
                            .as("a delivery in flight before kill %d (received %s, logs in %s)", kill, received, dir)
                            .isTrue();
                    while (!received.get(received.size() - 1).status().equals(kill % 2 == 1 ? "firing" : "resolved")) {
                        assertThat(inFlight.tryAcquire(30, TimeUnit.SECONDS)).as("the new state in flight").isTrue();
                    }
                    inFlightAtKill.add(received.get(received.size() - 1).key());
                } finally {
                    server.destroyForcibly().waitFor();
                    heldStatus.set(null);
                    killed.getAndSet(new CountDownLatch(1)).countDown();
                }
            }
            Process last = start(config, port, "run-last");
            try {
                CrashRecoveryTest.awaitHealthy(base);
                // the state at the last kill was firing (KILLS is odd): the in-flight firing is re-sent once
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (pending(base) || received.size() < KILLS + 1) {
                    assertThat(System.nanoTime()).as("the outbox drains").isLessThan(deadline);
                    Thread.sleep(100);
                }
                JsonNode firing = get(base, "/api/v1/alerts?state=firing").path("alerts");
                assertThat(firing).hasSize(1);
                int delivered = 0;
                for (JsonNode d : get(base, "/api/v1/alerts/" + firing.get(0).path("id").asText()).path("deliveries")) {
                    delivered += d.path("status").asText().equals("delivered") ? 1 : 0;
                }
                Set<String> keys = new HashSet<>();
                Map<String, Set<String>> keysByContent = new HashMap<>();
                for (Received r : received) {
                    assertThat(r.payloadKey()).isEqualTo(r.key()).hasSize(32);
                    keys.add(r.key());
                    keysByContent.computeIfAbsent(r.content(), c -> new HashSet<>()).add(r.key());
                }
                // no loss: every state the server decided reached the receiver, and it ends on the right one
                assertThat(keys).hasSize(KILLS); // firing, resolved, firing, resolved, firing
                assertThat(keys.size()).isGreaterThanOrEqualTo(delivered);
                assertThat(received.get(received.size() - 1).status()).isEqualTo("firing");
                // a duplicate is the same notification with the same key, never a new key for the same content
                assertThat(keysByContent.values()).allSatisfy(k -> assertThat(k).hasSize(1));
                int duplicates = duplicates(received);
                List<Long> perKill = inFlightAtKill.stream()
                        .map(k -> received.stream().filter(r -> r.key().equals(k)).count() - 1).toList();
                System.out.printf("kill -9 during deliveries: %d kills, %d POSTs, %d notifications, %d duplicates;"
                        + " POSTs of the notification in flight at each kill, beyond the first: %s%n", KILLS,
                        received.size(), keys.size(), duplicates, perKill);
                assertThat(perKill).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1));
                assertThat(duplicates).isLessThanOrEqualTo(KILLS);
            } finally {
                last.destroy();
                last.waitFor();
            }
        } finally {
            hook.stop(0);
        }
    }

    private static int duplicates(List<Received> received) {
        Map<String, Integer> byKey = new HashMap<>();
        received.forEach(r -> byKey.merge(r.key(), 1, Integer::sum));
        return byKey.values().stream().mapToInt(n -> n - 1).sum();
    }

    private static boolean pending(String base) throws IOException, InterruptedException {
        for (JsonNode a : get(base, "/api/v1/alerts").path("alerts")) {
            for (JsonNode d : get(base, "/api/v1/alerts/" + a.path("id").asText()).path("deliveries")) {
                if (d.path("status").asText().equals("pending")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The start of a 1-second window that closed at least a second ago and is later than {@code after}. */
    private static long nextWindow(long after) throws InterruptedException {
        while ((System.currentTimeMillis() / 1000 - 2) * 1000 <= after) {
            Thread.sleep(50);
        }
        return (System.currentTimeMillis() / 1000 - 2) * 1000;
    }

    private static void postWindow(String base, long windowStart, int correct, String prefix) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AlertingEndToEndTest.windowEvents(windowStart, correct, prefix)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static JsonNode get(String base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.JSON.readTree(r.body());
    }

    private Process start(Path config, int port, String logName) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.modelwatch.server.cli.Main", "serve", "--config", config.toString(), "--port",
                Integer.toString(port), "--data-dir", dir.resolve("data").toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(new File(dir.toFile(), logName + ".log"));
        return pb.start();
    }
}
