package dev.modelwatch.server;

import static dev.modelwatch.server.AlertingEndToEndTest.await;
import static dev.modelwatch.server.AlertingEndToEndTest.closedWindow;
import static dev.modelwatch.server.AlertingEndToEndTest.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.config.ConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery's guarantees, through the real server and real HTTP receivers: a slow
 * receiver does not delay a healthy one and gets one POST per attempt; a receiver that was down gets
 * only the group's latest state when it comes back (never a stale firing after the resolution).
 */
class DeliveryQueuesEndToEndTest {
    @TempDir
    Path dir;

    private static final String CONFIG = AlertingEndToEndTest.CONFIG + "    webhook_configs:\n%s\n";

    /** A webhook receiver on its own port; each POST's status and Idempotency-Key are recorded in order. */
    static final class Hook implements AutoCloseable {
        final HttpServer server;
        final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
        final List<String> keys = new CopyOnWriteArrayList<>();
        /** Each POST's status and key in the order the POSTs arrived (before a slow receiver holds them). */
        final List<String> arrivedStatuses = new java.util.ArrayList<>();
        final List<String> arrivedKeys = new java.util.ArrayList<>();
        final AtomicInteger posts = new AtomicInteger();
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicBoolean up = new AtomicBoolean(true);
        final boolean slow;

        Hook(boolean slow) throws IOException {
            this.slow = slow;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                synchronized (arrivedStatuses) {
                    arrivedStatuses.add(TestServer.JSON.readTree(new String(body, StandardCharsets.UTF_8))
                            .path("status").asText());
                    arrivedKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
                }
                posts.incrementAndGet();
                try {
                    if (slow && !released.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!up.get()) {
                    exchange.sendResponseHeaders(503, -1);
                } else {
                    keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
                    accepted.add(TestServer.JSON.readTree(new String(body, StandardCharsets.UTF_8)));
                    exchange.sendResponseHeaders(200, -1);
                }
                exchange.close();
            });
            server.start();
        }

        String config(String timeout) {
            return "      - {url: \"http://127.0.0.1:%d/hook\", send_resolved: true, timeout: %s}"
                    .formatted(server.getAddress().getPort(), timeout);
        }

        List<String> statuses() {
            return accepted.stream().map(p -> p.path("status").asText()).toList();
        }

        @Override
        public void close() {
            released.countDown();
            server.stop(0);
        }
    }

    private static JsonNode delivery(TestServer server, String alertId, int index) {
        return server.get("/api/v1/alerts/" + alertId).json().path("deliveries").get(index);
    }

    @Test
    void aSlowReceiverDelaysNoOtherAndGetsOnePostPerAttemptThenOnlyTheLatestState() throws Exception {
        try (Hook slow = new Hook(true); Hook healthy = new Hook(false)) {
            String yaml = CONFIG.formatted(slow.config("3s") + "\n" + healthy.config("10s"));
            try (TestServer server = TestServer.start(ConfigLoader.parse(yaml, "test.yml").withDataDir(dir))) {
                window(server, closedWindow(), 5, "bad-");
                await("the healthy receiver gets the firing", () -> healthy.accepted.size() == 1);
                String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
                // the slow receiver's first attempt (3 s time-out) has not even ended: the healthy one did not wait
                assertThat(attempts(server, id)).isZero();
                assertThat(slow.accepted).isEmpty();

                await("the alert resolves", () -> {
                    window(server, closedWindow(), 10, "good-" + System.nanoTime() + "-");
                    return healthy.accepted.size() == 2;
                });
                assertThat(healthy.statuses()).containsExactly("firing", "resolved");
                assertThat(slow.accepted).isEmpty();

                // the slow receiver: each attempt (a 3 s time-out) is one POST, never more
                await("two timed-out attempts", () -> slow.posts.get() >= 3);
                int posts = slow.posts.get();
                int attempts = attempts(server, id);
                assertThat(posts - attempts).as("posts %d for %d recorded attempts", posts, attempts).isBetween(0, 1);

                slow.released.countDown();
                // the held handlers are released together and record their bodies in any order, so a timed-out
                // attempt's firing may be recorded after the resolution; the order they arrived in is checked below
                await("the slow receiver gets the latest state", () -> slow.statuses().contains("resolved"));
                await("nothing pending", () -> !server.get("/api/v1/alerts/" + id).body().contains("\"pending\""));
                // every POST the slow receiver got, in the order they arrived (the released handlers answer in any
                // order): one per attempt, each attempt of one notification with the same key. The firing was in
                // flight at the resolution, so it may arrive before it, never after it
                List<String> statuses;
                List<String> keys;
                synchronized (slow.arrivedStatuses) {
                    statuses = List.copyOf(slow.arrivedStatuses);
                    keys = List.copyOf(slow.arrivedKeys);
                }
                assertThat(statuses).endsWith("resolved");
                assertThat(statuses.subList(statuses.indexOf("resolved"), statuses.size())).containsOnly("resolved");
                for (int i = 0; i < statuses.size(); i++) {
                    assertThat(keys.get(i)).isEqualTo(statuses.get(i).equals("resolved")
                            ? healthy.keys.get(1) : healthy.keys.get(0));
                }
                assertThat(server.get("/api/v1/alerts/" + id).body()).contains("\"superseded\"");
            }
        }
    }

    /** The attempts recorded for the slow integration (webhook[0]) over all its notifications of the alert. */
    private static int attempts(TestServer server, String id) {
        int sum = 0;
        for (JsonNode d : server.get("/api/v1/alerts/" + id).json().path("deliveries")) {
            sum += d.path("integration").asText().equals("webhook[0]") ? d.path("attempts").asInt() : 0;
        }
        return sum;
    }

    @Test
    void aReceiverDownThroughFiringAndResolutionGetsOnlyTheResolutionWhenItComesBack() throws Exception {
        try (Hook down = new Hook(false)) {
            down.up.set(false);
            String yaml = CONFIG.formatted(down.config("2s"));
            try (TestServer server = TestServer.start(ConfigLoader.parse(yaml, "test.yml").withDataDir(dir))) {
                window(server, closedWindow(), 5, "bad-");
                await("a failed attempt at the firing", () -> down.posts.get() >= 1);
                String id = server.get("/api/v1/alerts?state=firing").json().path("alerts").get(0).path("id").asText();
                await("the alert resolves", () -> {
                    window(server, closedWindow(), 10, "good-" + System.nanoTime() + "-");
                    return server.get("/api/v1/alerts/" + id).body().contains("\"state\":\"resolved\"");
                });
                await("the firing is superseded", () -> server.get("/api/v1/alerts/" + id).body().contains("\"superseded\""));
                down.up.set(true);
                await("the receiver gets the resolution", () -> down.accepted.size() == 1);
                await("nothing pending", () -> !server.get("/api/v1/alerts/" + id).body().contains("\"pending\""));
                assertThat(down.statuses()).containsExactly("resolved");
                String metrics = server.get("/metrics").body();
                String labels = "integration=\"webhook[0]\",";
                assertThat(metrics).contains("modelwatch_notification_outcomes_total{" + labels
                        + "outcome=\"superseded\",receiver=\"ops\"} 1")
                        .contains("modelwatch_notification_outcomes_total{" + labels
                                + "outcome=\"delivered\",receiver=\"ops\"} 1")
                        .contains("modelwatch_notification_queue_depth{" + labels + "receiver=\"ops\"} 0")
                        .contains("modelwatch_notification_attempts_total{" + labels + "receiver=\"ops\"} "
                                + (down.posts.get()));
                assertThat(down.keys.get(0)).isEqualTo(down.accepted.get(0).path("idempotencyKey").asText()).hasSize(32);
            }
        }
    }
}
