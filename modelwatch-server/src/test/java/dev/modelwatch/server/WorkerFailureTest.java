package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.health.Workers;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No zombies: an {@code Error} in any worker ends the process (through the injected exit, code 70,
 * with one line naming the worker and the cause), and while it is going the health endpoints say
 * so; a transient failure is retried and the worker lives on.
 */
class WorkerFailureTest {
    @TempDir
    Path dir;

    private static String event(String model, String id) {
        return "{\"type\":\"prediction\",\"model\":\"" + model + "\",\"id\":\"" + id + "\",\"timestamp\":"
                + (System.currentTimeMillis() - 1000) + ",\"prediction\":1,\"score\":0.9}";
    }

    @Test
    void anErrorInTheAggregatorEndsTheProcessAndBothHealthEndpointsNameTheDeadWorker() throws Exception {
        RecordingExit exit = new RecordingExit();
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), exit,
                java.util.function.UnaryOperator.identity())) {
            assertThat(server.get("/healthz").status()).isEqualTo(200);
            server.server().aggregator().ask(a -> {
                throw new OutOfMemoryError("Java heap space (injected)");
            });
            RecordingExit.Call call = exit.called.get(30, TimeUnit.SECONDS);
            assertThat(call.code()).isEqualTo(70);
            assertThat(call.reason()).contains("worker modelwatch-aggregator died")
                    .contains("java.lang.OutOfMemoryError: Java heap space (injected)").contains("exiting with code 70");

            TestServer.Response health = server.get("/healthz");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().path("dead_workers").get(0).path("name").asText()).isEqualTo("modelwatch-aggregator");
            TestServer.Response ready = server.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("status").asText()).isEqualTo("not_ready");
            assertThat(problems(ready.json())).anySatisfy(p -> assertThat(p)
                    .startsWith("modelwatch-aggregator: worker died: java.lang.OutOfMemoryError"));
        }
    }

    @Test
    void anErrorInTheStoreWriterEndsTheProcess() throws Exception {
        RecordingExit exit = new RecordingExit();
        FaultInjectingStore[] store = new FaultInjectingStore[1];
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), exit, s -> {
            store[0] = new FaultInjectingStore(s);
            return store[0];
        })) {
            store[0].commitError = new OutOfMemoryError("Java heap space (injected)");
            assertThat(server.postJson(event("m", "a")).status()).isEqualTo(200);
            RecordingExit.Call call = exit.called.get(30, TimeUnit.SECONDS);
            assertThat(call.code()).isEqualTo(70);
            assertThat(call.reason()).contains("worker modelwatch-store-writer died").contains("OutOfMemoryError");
            assertThat(server.get("/readyz").status()).isEqualTo(503);
        }
    }

    @Test
    void aTransientFailureOfTheDelivererIsRetriedAndAnErrorEndsTheProcess() throws Exception {
        RecordingExit exit = new RecordingExit();
        FaultInjectingStore[] store = new FaultInjectingStore[1];
        // one receiver integration, so that one delivery queue reads the outbox (at least once a second)
        ServerConfig config = dev.modelwatch.server.config.ConfigLoader.parse(AlertingEndToEndTest.CONFIG
                + "    webhook_configs: [{url: 'http://127.0.0.1:9/hook'}]\n", "test.yml").withDataDir(dir);
        try (TestServer server = TestServer.start(config, exit, s -> {
            store[0] = new FaultInjectingStore(s);
            return store[0];
        })) {
            store[0].deliveryFailure = new dev.modelwatch.store.StoreException("connection reset (injected)");
            int before = store[0].dueCalls.get();
            // the failing call, then at least one more: the deliverer survived it
            awaitTrue(() -> store[0].deliveryFailure == null && store[0].dueCalls.get() >= before + 2);
            assertThat(exit.called).isNotDone();
            assertThat(server.get("/healthz").status()).isEqualTo(200);

            store[0].deliveryError = new StackOverflowError("injected");
            RecordingExit.Call call = exit.called.get(30, TimeUnit.SECONDS);
            assertThat(call.reason()).containsPattern("worker alert-deliverer-\\d+ died").contains("StackOverflowError");
            assertThat(server.get("/healthz").json().path("dead_workers").get(0).path("name").asText())
                    .startsWith("alert-deliverer-");
        }
    }

    @Test
    void anErrorInTheAlertEvaluatorEndsTheProcess() throws Exception {
        RecordingExit exit = new RecordingExit();
        try (Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT)) {
            AlertRuntime alerts = AlertRuntime.builder(AlertingConfig.NONE, store, (name, matchers, from, to) -> List.of())
                    .clock(Clock.systemUTC()).random(new java.util.SplittableRandom(1))
                    .windowLengths(() -> {
                        throw new OutOfMemoryError("Metaspace (injected)");
                    }).build();
            Workers workers = new Workers(exit);
            alerts.start(workers, dev.modelwatch.server.alert.delivery.DeliveryQueues.newWorkerPool(workers));
            RecordingExit.Call call = exit.called.get(30, TimeUnit.SECONDS);
            assertThat(call.code()).isEqualTo(70);
            assertThat(call.reason()).contains("worker alert-evaluator died").contains("Metaspace (injected)");
            alerts.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void anErrorInTheIngestLogWriterEndsTheProcess() throws Exception {
        RecordingExit exit = new RecordingExit();
        DurableLog log = DurableLog.open(dir.resolve("log"), 1 << 20, false, java.time.Clock.systemUTC());
        log.start((start, end, attachment) -> {
            throw new StackOverflowError("injected");
        }, null, new Workers(exit));
        log.append("{}".getBytes(), null);
        RecordingExit.Call call = exit.called.get(30, TimeUnit.SECONDS);
        assertThat(call.code()).isEqualTo(70);
        assertThat(call.reason()).contains("worker modelwatch-log-writer died").contains("StackOverflowError");
        log.close(Duration.ofSeconds(1));
    }

    /** The problems of a {@code /readyz} answer as {@code "component: problem"}. */
    public static List<String> problems(JsonNode ready) {
        List<String> out = new java.util.ArrayList<>();
        ready.path("problems").forEach(p -> out.add(p.path("component").asText() + ": " + p.path("problem").asText()));
        return out;
    }

    /** Waits (at most 30 s) until {@code condition} holds. */
    public static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the condition did not come true within 30 s");
            }
            Thread.sleep(20);
        }
    }
}
