package dev.modelwatch.server.incident;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hooks themselves: a real command with the incident on its input, a real HTTP receiver, retries by the policy. */
class ActionHooksTest {
    @TempDir
    Path dir;
    final ExecutorService threads = Executors.newFixedThreadPool(4);
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    /** Retries at once (1 ms backoff), three attempts at most. */
    final RetryPolicy quick = new RetryPolicy(1, 1.0, 1, 3, 60_000);
    final ActionHooks hooks = new ActionHooks(HttpClient.newHttpClient(), scheduler, threads, Clock.systemUTC(),
            new SplittableRandom(7), quick);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        scheduler.shutdownNow();
    }

    ActionHooks.Outcome run(ActionConfig.Hook hook, String json) throws Exception {
        CompletableFuture<ActionHooks.Outcome> done = new CompletableFuture<>();
        hooks.run(hook, "key-1", json.getBytes(StandardCharsets.UTF_8), done::complete);
        return done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aCommandGetsTheIncidentOnItsInputAndItsOutputIsQuoted() throws Exception {
        Path out = dir.resolve("incident.json");
        ActionHooks.Outcome o = run(new ActionConfig.CommandHook(List.of("sh", "-c", "cat > '" + out + "'; echo rolled back"),
                Duration.ofSeconds(20)), "{\"incident\":{\"id\":\"1\"}}");
        assertThat(o).isEqualTo(new ActionHooks.Outcome(true, 1, "exit code 0: rolled back"));
        assertThat(Files.readString(out)).isEqualTo("{\"incident\":{\"id\":\"1\"}}");
    }

    @Test
    void aFailingCommandIsTriedAgainByThePolicyThenGivenUp() throws Exception {
        Path count = dir.resolve("count");
        ActionHooks.Outcome o = run(new ActionConfig.CommandHook(List.of("sh", "-c", "echo x >> '" + count
                + "'; echo no capacity >&2; exit 3"), Duration.ofSeconds(20)), "{}");
        assertThat(o.succeeded()).isFalse();
        assertThat(o.attempts()).isEqualTo(3);
        assertThat(o.detail()).isEqualTo("gave up after 3 attempts: exit code 3: no capacity");
        assertThat(Files.readAllLines(count)).hasSize(3);
    }

    @Test
    void aCommandPastItsTimeoutIsKilled() throws Exception {
        RetryPolicy once = new RetryPolicy(1, 1.0, 1, 1, 60_000);
        ActionHooks single = new ActionHooks(HttpClient.newHttpClient(), scheduler, threads, Clock.systemUTC(),
                new SplittableRandom(7), once);
        CompletableFuture<ActionHooks.Outcome> done = new CompletableFuture<>();
        single.run(new ActionConfig.CommandHook(List.of("sleep", "60"), Duration.ofMillis(200)), "k", new byte[0],
                done::complete);
        ActionHooks.Outcome o = done.get(30, TimeUnit.SECONDS);
        assertThat(o.succeeded()).isFalse();
        assertThat(o.detail()).isEqualTo("gave up after 1 attempts: timed out after 200 ms");
    }

    @Test
    void aProgramThatCannotStartIsNotTriedAgain() throws Exception {
        ActionHooks.Outcome o = run(new ActionConfig.CommandHook(List.of(dir.resolve("missing.sh").toString()),
                Duration.ofSeconds(5)), "{}");
        assertThat(o.succeeded()).isFalse();
        assertThat(o.attempts()).isEqualTo(1);
        assertThat(o.detail()).startsWith("not retryable: cannot start " + dir.resolve("missing.sh"));
    }

    @Test
    void aWebhookIsPostedTheIncidentWithTheSameIdempotencyKeyOnEveryAttempt() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> keys = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/rollback", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            ActionHooks.Outcome o = run(new ActionConfig.WebhookHook(URI.create("http://127.0.0.1:"
                    + server.getAddress().getPort() + "/rollback"), Duration.ofSeconds(5)), "{\"incident\":{}}");
            assertThat(o).isEqualTo(new ActionHooks.Outcome(true, 2, "HTTP 200"));
            assertThat(bodies).containsExactly("{\"incident\":{}}", "{\"incident\":{}}");
            assertThat(keys).containsExactly("key-1", "key-1");
        } finally {
            server.stop(0);
        }
    }
}
