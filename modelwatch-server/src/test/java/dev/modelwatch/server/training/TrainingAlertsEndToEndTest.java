package dev.modelwatch.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.TestServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run's problems through the whole alerting path: the default rule pack fires on a run
 * whose loss turns NaN and on a run that stalls (its model's own {@code training.models.*.stall_after}),
 * and a webhook receiver gets each alert with the problem in its labels and summary; a model's own
 * detector threshold applies to its runs. Across a restart the problems found before are still
 * reported and the detectors continue without firing again.
 */
class TrainingAlertsEndToEndTest {
    @TempDir
    Path dir;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private HttpServer hook;
    private ExecutorService hookThreads;
    private final List<JsonNode> posts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startWebhook() throws Exception {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hookThreads = Executors.newCachedThreadPool();
        hook.setExecutor(hookThreads);
        hook.createContext("/hook", exchange -> {
            posts.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
    }

    @AfterEach
    void stopWebhook() {
        hook.stop(0);
        hookThreads.shutdownNow();
    }

    private ServerConfig config() {
        return ConfigLoader.parse("""
                alerting: {evaluation_interval: 200ms}
                training:
                  models:
                    slow-model: {stall_after: 2s}
                    tolerant: {detectors: {dead_relu_fraction: 0.95}}
                route:
                  receiver: hook
                  group_by: [alertname, model, run, kind]
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 4h
                receivers:
                  - name: hook
                    webhook_configs: [{url: "http://127.0.0.1:%d/hook"}]
                """.formatted(hook.getAddress().getPort()), "test.yml").withDataDir(dir);
    }

    private static String steps(String model, String run, int from, int to, String metrics) {
        List<String> events = new ArrayList<>();
        for (int s = from; s < to; s++) {
            events.add("{\"type\":\"training\",\"model\":\"" + model + "\",\"run\":\"" + run + "\",\"step\":" + s
                    + ",\"metrics\":{" + metrics.replace("$loss", Double.toString(2.0 / (1 + s / 50.0))) + "}}");
        }
        return "[" + String.join(",", events) + "]";
    }

    /** The first alert the webhook received that matches, waiting for it (an observable event). */
    private JsonNode awaitAlert(Predicate<JsonNode> matches) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode post : posts) {
                for (JsonNode a : post.path("alerts")) {
                    if (matches.test(a)) {
                        return a;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching alert reached the webhook; it received " + posts);
    }

    @Test
    void nanLossAndAStalledRunReachTheWebhook() throws Exception {
        try (TestServer server = TestServer.start(config())) {
            assertThat(server.postJson(steps("digits", "r1", 0, 50, "\"loss\":$loss")).status()).isEqualTo(200);
            assertThat(server.postJson(steps("digits", "r1", 50, 51, "\"loss\":NaN")).status()).isEqualTo(200);
            JsonNode nan = awaitAlert(a -> a.path("labels").path("kind").asText().equals("nan_loss"));
            assertThat(nan.path("status").asText()).isEqualTo("firing");
            assertThat(nan.path("labels").path("alertname").asText()).isEqualTo("TrainingRunCritical");
            assertThat(nan.path("labels").path("severity").asText()).isEqualTo("critical");
            assertThat(nan.path("labels").path("model").asText()).isEqualTo("digits");
            assertThat(nan.path("labels").path("run").asText()).isEqualTo("r1");
            assertThat(nan.path("labels").path("metric").asText()).isEqualTo("loss");
            assertThat(nan.path("annotations").path("summary").asText())
                    .startsWith("training run r1 of digits: nan_loss at step 50 (loss is NaN at step 50");

            // stalled after its model's 2 s; another model's run, quiet as long, is not (its default is 10 min)
            server.postJson(steps("slow-model", "r2", 0, 5, "\"loss\":$loss"));
            server.postJson(steps("other", "r3", 0, 5, "\"loss\":$loss"));
            JsonNode stalled = awaitAlert(a -> a.path("labels").path("kind").asText().equals("stalled"));
            assertThat(stalled.path("labels").path("model").asText()).isEqualTo("slow-model");
            assertThat(stalled.path("labels").path("run").asText()).isEqualTo("r2");
            assertThat(stalled.path("annotations").path("summary").asText()).contains("run stalled: no event for")
                    .contains("(limit 2 s)");
            assertThat(server.get("/api/v1/runs/r2").json().path("status").asText()).isEqualTo("stalled");
            assertThat(server.get("/api/v1/runs/r3").json().path("status").asText()).isEqualTo("running");

            // a model's own threshold: 90 % dead units are a problem by default, not under its 95 %
            server.postJson(steps("tolerant", "r4", 0, 30, "\"loss\":$loss,\"dead_fraction/fc1\":0.9"));
            server.postJson(steps("digits", "r5", 0, 30, "\"loss\":$loss,\"dead_fraction/fc1\":0.9"));
            awaitAlert(a -> a.path("labels").path("run").asText().equals("r5")
                    && a.path("labels").path("kind").asText().equals("dead_relu"));
            assertThat(server.get("/api/v1/runs/r4").json().path("events").asLong()).isEqualTo(30);
            assertThat(server.get("/api/v1/runs/r4").json().path("problems")).isEmpty();
        }
    }

    /** The first incident of {@code model} whose diagnosis has causes, waiting for it (it runs in the background). */
    private static JsonNode awaitDiagnosedIncident(TestServer server, String model) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = server.get("/api/v1/incidents?model=" + model).json().path("incidents");
            for (JsonNode incident : last) {
                if (incident.path("causes").size() > 0) {
                    return incident;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no incident of " + model + " was diagnosed with a cause: " + last);
    }

    @Test
    void anIncidentOfAModelThatOnlyTrainsIsDiagnosedByItsRun() throws Exception {
        try (TestServer server = TestServer.start(config())) {
            server.postJson(steps("digits", "r1", 0, 50, "\"loss\":$loss"));
            server.postJson(steps("digits", "r1", 50, 51, "\"loss\":NaN"));
            awaitAlert(a -> a.path("labels").path("kind").asText().equals("nan_loss"));

            // digits has no predictions: the question names its run, and the run's problems are the cause
            TestServer.Response answer = server.get("/api/v1/models/digits/diagnosis?run=r1");
            assertThat(answer.status()).isEqualTo(200);
            JsonNode cause = answer.json().path("causes").get(0);
            assertThat(cause.path("kind").asText()).isEqualTo("training");
            assertThat(cause.path("summary").asText()).startsWith("training run r1: nan_loss at step 50");
            // without a run of its own, a model with no predictions is unknown, as before
            assertThat(server.get("/api/v1/models/digits/diagnosis?run=r9").status()).isEqualTo(404);
            assertThat(server.get("/api/v1/models/digits/diagnosis").status()).isEqualTo(404);

            // the incident the alert opened carries the same cause
            JsonNode incident = awaitDiagnosedIncident(server, "digits");
            assertThat(incident.path("causes").get(0).path("kind").asText()).isEqualTo("training");
            assertThat(incident.path("causes").get(0).path("evidence").path("run").asText()).isEqualTo("r1");
        }
    }

    @Test
    void aRestartMidRunKeepsItsProblemsAndItsDetectors() throws Exception {
        TestServer server = TestServer.start(config());
        try {
            // fc1's dead fraction stays high: dead_relu found; fc2's only 5 steps before the restart
            server.postJson(steps("digits", "r1", 0, 30, "\"loss\":$loss,\"dead_fraction/fc1\":0.9"));
            server.postJson(steps("digits", "r1", 30, 35, "\"loss\":$loss,\"dead_fraction/fc1\":0.9,"
                    + "\"dead_fraction/fc2\":0.9"));
            awaitAlert(a -> a.path("labels").path("kind").asText().equals("dead_relu"));
            JsonNode before = server.get("/api/v1/runs/r1").json().path("problems");
            assertThat(before).hasSize(1);
            assertThat(before.get(0).path("metric").asText()).isEqualTo("dead_fraction/fc1");

            server = server.restart();
            assertThat(server.get("/api/v1/runs/r1").json().path("problems")).isEqualTo(before);
            // fc1 keeps being dead: no second report; fc2 fires 10 steps after it started, counting those before
            server.postJson(steps("digits", "r1", 35, 60, "\"loss\":$loss,\"dead_fraction/fc1\":0.9,"
                    + "\"dead_fraction/fc2\":0.9"));
            JsonNode fc2 = awaitAlert(a -> a.path("labels").path("metric").asText().equals("dead_fraction/fc2"));
            assertThat(fc2.path("labels").path("alertname").asText()).isEqualTo("TrainingRunWarning");
            JsonNode after = server.get("/api/v1/runs/r1").json().path("problems");
            assertThat(after).hasSize(2);
            assertThat(after.get(0)).isEqualTo(before.get(0));
            assertThat(after.get(1).path("metric").asText()).isEqualTo("dead_fraction/fc2");
            assertThat(after.get(1).path("step").asLong()).isEqualTo(39);
        } finally {
            server.close();
        }
    }
}
