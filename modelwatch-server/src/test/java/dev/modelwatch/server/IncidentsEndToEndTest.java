package dev.modelwatch.server;

import static dev.modelwatch.server.AlertingEndToEndTest.await;
import static dev.modelwatch.server.AlertingEndToEndTest.closedWindow;
import static dev.modelwatch.server.AlertingEndToEndTest.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.diagnosis.Evidence;
import dev.modelwatch.server.diagnosis.SuggestedAction;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incidents through the real server: an accuracy drop opens an incident whose id and page every
 * webhook notification carries, the scripted diagnosis ranks its causes, an automatic action posts
 * the incident, a person adds a note and runs a command action, the incident survives a restart and
 * resolves with its alert.
 */
class IncidentsEndToEndTest {
    @TempDir
    Path dir;

    /** The evidence of the scripted cause. */
    record DriftEvidence(double psi, double explainedShare, String window) implements Evidence {
    }

    static final Diagnoser DIAGNOSER = r -> new Diagnosis(r.model(), r.from(), r.to(), r.onset(), List.of(
            new Cause(CauseKind.COVARIATE_DRIFT, 0.82, "amount", null, null, "feature amount drifted: PSI 0.41",
                    new DriftEvidence(0.41, 0.62, "1m"), List.of(new SuggestedAction("retrain", "the inputs moved")),
                    "scripted"),
            new Cause(CauseKind.VERSION_REGRESSION, 0.3, null, null, "v2", "v2 started at the onset",
                    new DriftEvidence(0, 0, "1m"), List.of(), "scripted")), Instant.now());

    static String config(int hookPort, Path snapshot) {
        return """
                server: {external_url: "https://mw.example.com"}
                alerting: {evaluation_interval: 200ms}
                models:
                  fraud: {task: binary_classification, window: 1s}
                rules:
                  - alert: AccuracyDrop
                    expr: accuracy{model="fraud"} < 0.8
                    labels: {severity: critical}
                route:
                  receiver: ops
                  group_by: [model, alertname]
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 4h
                receivers:
                  - name: ops
                    webhook_configs: [{url: "http://127.0.0.1:%1$d/hook", send_resolved: true}]
                incidents:
                  actions:
                    fraud:
                      - name: rollback
                        webhook: {url: "http://127.0.0.1:%1$d/rollback", timeout: 5s}
                        auto: {causes: [covariate_drift], severities: [critical], min_score: 0.5}
                      - name: snapshot
                        command: {run: [sh, -c, "cat > '%2$s'"], timeout: 20s}
                """.formatted(hookPort, snapshot);
    }

    static List<String> timeline(JsonNode incident, String field) {
        List<String> out = new ArrayList<>();
        incident.path("timeline").forEach(e -> out.add(e.path(field).asText()));
        return out;
    }

    @Test
    void anAccuracyDropOpensAnIncidentLinkedFromItsNotificationsDiagnosedActedOnAndResolved() throws Exception {
        List<String> notifications = new CopyOnWriteArrayList<>();
        List<String> rollbacks = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            notifications.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.createContext("/rollback", exchange -> {
            rollbacks.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        hook.start();
        Path snapshot = dir.resolve("snapshot.json");
        TestServer server = TestServer.start(ConfigLoader.parse(config(hook.getAddress().getPort(), snapshot), "test.yml")
                .withDataDir(dir.resolve("data")), DIAGNOSER);
        try {
            window(server, closedWindow(), 3, "bad-");
            await("the firing notification", () -> notifications.size() == 1);
            JsonNode payload = TestServer.JSON.readTree(notifications.get(0));
            assertThat(payload.path("status").asText()).isEqualTo("firing");
            assertThat(payload.path("incidentId").asText()).isEqualTo("1");
            assertThat(payload.path("incidentURL").asText()).isEqualTo("https://mw.example.com/ui/incidents/1");
            assertThat(payload.path("alerts").get(0).path("incidentId").asText()).isEqualTo("1");
            assertThat(payload.path("alerts").get(0).path("incidentURL").asText())
                    .isEqualTo("https://mw.example.com/ui/incidents/1");

            await("the automatic rollback and its outcome", () -> rollbacks.size() == 1
                    && timeline(server.get("/api/v1/incidents/1").json(), "outcome").contains("succeeded"));
            JsonNode posted = TestServer.JSON.readTree(rollbacks.get(0));
            assertThat(posted.path("action").asText()).isEqualTo("rollback");
            assertThat(posted.path("by").asText()).isEqualTo("automatic");
            assertThat(posted.path("incident").path("id").asText()).isEqualTo("1");
            assertThat(posted.path("url").asText()).isEqualTo("https://mw.example.com/ui/incidents/1");

            JsonNode list = server.get("/api/v1/incidents?model=fraud&state=open").json().path("incidents");
            assertThat(list).hasSize(1);
            JsonNode incident = server.get("/api/v1/incidents/1").json();
            assertThat(incident.path("model").asText()).isEqualTo("fraud");
            assertThat(incident.path("state").asText()).isEqualTo("open");
            assertThat(incident.path("severity").asText()).isEqualTo("critical");
            assertThat(incident.path("resolved_at").isNull()).isTrue();
            assertThat(incident.path("alerts").get(0).path("rule").asText()).isEqualTo("AccuracyDrop");
            assertThat(incident.path("alerts").get(0).path("state").asText()).isEqualTo("firing");
            JsonNode causes = incident.path("causes");
            assertThat(causes).hasSize(2);
            assertThat(causes.get(0).path("kind").asText()).isEqualTo("covariate_drift");
            assertThat(causes.get(0).path("score").asDouble()).isEqualTo(0.82);
            assertThat(causes.get(0).path("feature").asText()).isEqualTo("amount");
            assertThat(causes.get(0).path("evidence").path("explained_share").asDouble()).isEqualTo(0.62);
            assertThat(causes.get(0).path("actions").get(0).path("action").asText()).isEqualTo("retrain");
            assertThat(causes.get(1).path("version").asText()).isEqualTo("v2");
            assertThat(timeline(incident, "kind")).containsSubsequence("opened", "alert_firing", "diagnosis", "action",
                    "action");
            assertThat(incident.path("actions")).hasSize(2);
            assertThat(incident.path("actions").get(0).path("automatic").path("causes").get(0).asText())
                    .isEqualTo("covariate_drift");

            JsonNode noted = server.post("/api/v1/incidents/1/notes", "application/json",
                    "{\"by\":\"ana\",\"text\":\"amount comes from the new ETL\",\"owner\":\"ana\"}".getBytes()).json();
            assertThat(noted.path("owner").asText()).isEqualTo("ana");
            assertThat(timeline(noted, "text")).contains("amount comes from the new ETL", "ana owns the incident");

            TestServer.Response ran = server.post("/api/v1/incidents/1/actions", "application/json",
                    "{\"action\":\"snapshot\",\"by\":\"ana\",\"dry_run\":false}".getBytes());
            assertThat(ran.status()).isEqualTo(202);
            await("the snapshot command's outcome", () -> timeline(server.get("/api/v1/incidents/1").json(), "outcome")
                    .stream().filter("succeeded"::equals).count() == 2);
            JsonNode given = TestServer.JSON.readTree(Files.readString(snapshot));
            assertThat(given.path("incident").path("timeline").size()).isGreaterThan(3);
            assertThat(given.path("by").asText()).isEqualTo("ana");

            assertThat(server.post("/api/v1/incidents/1/actions", "application/json",
                    "{\"action\":\"scale_up\",\"by\":\"ana\"}".getBytes()).json().path("error").asText())
                    .isEqualTo("action: model 'fraud' has no action 'scale_up'; it has rollback, snapshot");
            assertThat(server.post("/api/v1/incidents/1/notes", "application/json", "{\"by\":\"ana\"}".getBytes())
                    .json().path("error").asText()).isEqualTo("text: required, 1 to 10000 characters");
            assertThat(server.get("/api/v1/incidents/99").status()).isEqualTo(404);
            assertThat(server.get("/api/v1/incidents/x1").status()).isEqualTo(400);
            assertThat(server.get("/api/v1/incidents?state=closed").json().path("error").asText())
                    .isEqualTo("state: must be open or resolved, was 'closed'");

            TestServer restarted = server.restart();
            try {
                JsonNode again = restarted.get("/api/v1/incidents/1").json();
                assertThat(again.path("owner").asText()).isEqualTo("ana");
                assertThat(timeline(again, "text")).contains("amount comes from the new ETL");

                window(restarted, closedWindow(), 10, "good-");
                await("the incident to resolve", () -> restarted.get("/api/v1/incidents/1").json().path("state").asText()
                        .equals("resolved"));
                await("the resolved notification", () -> notifications.size() == 2);
                JsonNode resolved = TestServer.JSON.readTree(notifications.get(1));
                assertThat(resolved.path("status").asText()).isEqualTo("resolved");
                assertThat(resolved.path("incidentId").asText()).isEqualTo("1");
                JsonNode done = restarted.get("/api/v1/incidents/1").json();
                assertThat(done.path("resolved_at").isTextual()).isTrue();
                assertThat(timeline(done, "kind")).containsSubsequence("alert_resolved", "resolved");
                assertThat(restarted.get("/api/v1/incidents?state=open").json().path("incidents")).isEmpty();
            } finally {
                restarted.close();
            }
        } finally {
            server.close();
            hook.stop(0);
        }
    }
}
