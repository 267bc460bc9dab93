package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.config.ConfigLoader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ingest backpressure of docs/api.md: past {@code ingest.max_queued_events} waiting for
 * aggregation a request waits up to {@code ingest.max_queue_wait}; still over, it gets a 429 with
 * Retry-After and nothing of it is accepted.
 */
class IngestBackpressureTest {
    /** A backlog of at most 1,000 events, and requests that wait at most 2 s for room in it. */
    private static final String CONFIG = """
            ingest:
              max_queued_events: 1000
              max_queue_wait: 2s
            """;

    @RegisterExtension
    final ServerFixture fixture = ServerFixture.of(dir -> ConfigLoader.parse(CONFIG, "test.yml").withDataDir(dir));

    private static String predictions(String prefix, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"bp\",\"id\":\"").append(prefix).append(i)
                    .append("\",\"prediction\":1,\"score\":0.9}");
        }
        return b.append("]").toString();
    }

    @Test
    void aRequestWaitsForTheBacklogThenGetsA429AndOneThatOutlastsItIsAccepted(TestServer server) throws Exception {
        // hold the aggregator still: what is acknowledged now waits in the backlog
        CountDownLatch release = new CountDownLatch(1);
        server.server().aggregator().ask(a -> {
            try {
                return release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        assertThat(server.postJson(predictions("a", 1500)).status()).isEqualTo(200);

        TestServer.Response refused = server.postJson(predictions("b", 1));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body()).contains("overloaded").contains("1500 events are waiting");

        // a request arriving now waits; the backlog drains within its wait, and it is accepted
        CompletableFuture<TestServer.Response> waiting = CompletableFuture.supplyAsync(
                () -> server.postJson(predictions("c", 1)));
        AlertingEndToEndTest.await("the request to wait for the backlog",
                () -> server.server().api().requestsWaitingForBacklog() == 1 || waiting.isDone());
        assertThat(waiting).as("a request over the backlog waits instead of being answered").isNotDone();
        release.countDown();
        assertThat(waiting.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);

        server.server().awaitAggregated(Duration.ofSeconds(30));
        String summary = server.get("/api/v1/models/bp/summary").body();
        assertThat(summary).contains("\"count\":1501");
    }
}
