package dev.modelwatch.server;

import static dev.modelwatch.server.AlertingEndToEndTest.await;
import static dev.modelwatch.server.AlertingEndToEndTest.closedWindow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.diagnosis.Evidence;
import dev.modelwatch.server.diagnosis.SuggestedAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The incidents pages in a real headless Chromium: an accuracy drop with a drifted {@code amount} opens
 * an incident; the list links to its page, which shows the ranked causes with their evidence as a table
 * and the named feature's distribution, runs an action from its button and adds a note. Screenshots
 * under {@code target/screenshots/}.
 */
class IncidentBrowserTest {
    @TempDir
    Path dir;

    /** The evidence of the scripted drift cause: nested numbers, as a diagnosis writes them. */
    record DriftEvidence(double psi, double explainedShare, Map<String, Double> means) implements Evidence {
    }

    static final Diagnoser DIAGNOSER = r -> new Diagnosis(r.model(), r.from(), r.to(), r.onset(), List.of(
            new Cause(CauseKind.COVARIATE_DRIFT, 0.82, "amount", null, null, "feature amount drifted: PSI 0.41",
                    new DriftEvidence(0.41, 0.62, new TreeMap<>(Map.of("reference", 100.0, "current", 301.5))),
                    List.of(new SuggestedAction("retrain", "the inputs moved")), "PSI share of the change"),
            new Cause(CauseKind.LABEL_SHIFT, 0.2, null, null, null, "the positive rate moved a little",
                    new DriftEvidence(0.02, 0.1, Map.of()), List.of(), "scripted")), Instant.now());

    @Test
    void theIncidentPagesShowCausesWithEvidenceRunAnActionAndTakeANote() throws Exception {
        Browser browser = Browser.start(1280, 1000);
        Path snapshot = dir.resolve("snapshot.json");
        String yaml = """
                alerting: {evaluation_interval: 200ms}
                models:
                  fraud: {task: binary_classification, window: 1s}
                rules:
                  - alert: AccuracyDrop
                    expr: accuracy{model="fraud"} < 0.8
                    labels: {severity: critical}
                incidents:
                  actions:
                    fraud:
                      - name: snapshot
                        command: {run: [sh, -c, "cat > '%s'"], timeout: 20s}
                """.formatted(snapshot);
        try (TestServer server = TestServer.start(ConfigLoader.parse(yaml, "modelwatch.yml").withDataDir(dir.resolve("data")),
                DIAGNOSER)) {
            Random random = new Random(20_261_204);
            ArrayNode reference = TestServer.JSON.createArrayNode();
            for (int i = 0; i < 500; i++) {
                ObjectNode row = reference.addObject();
                row.putObject("features").put("amount", 100 + 20 * random.nextGaussian());
                row.put("prediction", 1).put("label", 1);
            }
            assertThat(server.put("/api/v1/models/fraud/reference", reference.toString()).status()).isEqualTo(200);
            long window = closedWindow();
            ArrayNode events = TestServer.JSON.createArrayNode();
            for (int i = 0; i < 20; i++) {
                ObjectNode e = events.addObject().put("type", "prediction").put("model", "fraud").put("id", "p" + i)
                        .put("timestamp", window + i * 40).put("prediction", 1).put("score", 0.9);
                e.putObject("features").put("amount", 3 * (100 + 20 * random.nextGaussian()));
            }
            for (int i = 0; i < 20; i++) {
                events.addObject().put("type", "label").put("model", "fraud").put("id", "p" + i).put("label", i < 6 ? 1 : 0);
            }
            assertThat(server.postJson(events.toString()).json().path("rejected").asInt()).isZero();
            await("the diagnosed incident", () -> server.get("/api/v1/incidents/1").json().path("causes").size() == 2);

            browser.open(server, "/ui/incidents");
            List<WebElement> rows = browser.driver.findElements(By.cssSelector("#incidents tbody tr"));
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).getAttribute("data-state")).isEqualTo("open");
            assertThat(rows.get(0).getText()).contains("#1", "fraud", "critical", "covariate drift (0.82) · amount");
            browser.screenshot("incidents");

            rows.get(0).findElement(By.linkText("#1")).click();
            browser.waiting().until(d -> d.getCurrentUrl().endsWith("/ui/incidents/1")
                    && !d.findElements(By.cssSelector("main[data-ready] #cause-0")).isEmpty());
            assertThat(browser.driver.findElement(By.id("incident-state")).getText()).contains("open", "critical");
            List<WebElement> causes = browser.driver.findElements(By.cssSelector("#causes .cause"));
            assertThat(causes).extracting(c -> c.getAttribute("data-kind")).containsExactly("covariate_drift", "label_shift");
            assertThat(causes.get(0).findElement(By.tagName("h3")).getText())
                    .isEqualTo("1. covariate drift score 0.82 · feature amount");
            Map<String, String> evidence = new TreeMap<>();
            for (WebElement tr : browser.driver.findElements(By.cssSelector("#evidence-0 tr"))) {
                evidence.put(tr.findElement(By.tagName("th")).getText(), tr.findElement(By.tagName("td")).getText());
            }
            assertThat(evidence).containsExactlyInAnyOrderEntriesOf(Map.of("psi", "0.4100", "explained share", "0.6200",
                    "means.current", "302", "means.reference", "100"));
            // the drifted feature's distribution over the reference's, as the model page draws it
            browser.waiting().until(d -> browser.js("return window.modelwatch.heatmaps.distribution != null") == Boolean.TRUE);
            @SuppressWarnings("unchecked")
            List<List<Number>> current = (List<List<Number>>) browser.js(
                    "return window.modelwatch.heatmaps.distribution.getOption().series[0].data;");
            assertThat(current).isNotEmpty();
            assertThat(current.get(current.size() - 1).get(1).doubleValue()).isEqualTo(1.0);
            browser.screenshot("incident");

            // run the action from its button
            WebElement by = browser.driver.findElement(By.id("action-by"));
            by.clear();
            by.sendKeys("ana");
            browser.driver.findElement(By.cssSelector("#action-list tr[data-action='snapshot'] button.run-action")).click();
            browser.waiting().until(d -> d.findElement(By.id("action-status")).getText().startsWith("Started snapshot"));
            await("the action's outcome", () -> server.get("/api/v1/incidents/1").json().path("timeline").findValuesAsText("outcome")
                    .contains("succeeded"));
            JsonNode given = TestServer.JSON.readTree(Files.readString(snapshot));
            assertThat(given.path("by").asText()).isEqualTo("ana");
            assertThat(given.path("incident").path("id").asText()).isEqualTo("1");

            // a note that also names the owner
            browser.open(server, "/ui/incidents/1");
            WebElement noteBy = browser.driver.findElement(By.id("note-by"));
            noteBy.clear();
            noteBy.sendKeys("bo");
            browser.driver.findElement(By.id("note-text")).sendKeys("amount is tripled since the new ETL");
            browser.driver.findElement(By.id("note-owner")).click();
            browser.driver.findElement(By.cssSelector("#note-form button[type='submit']")).click();
            browser.waiting().until(d -> d.findElement(By.id("note-status")).getText().equals("Note added."));
            // what the page drew after the note (a live update may draw it again meanwhile: read it in one go)
            @SuppressWarnings("unchecked")
            List<String> drawn = (List<String>) browser.js("return [document.getElementById('incident-owner').textContent,"
                    + " document.getElementById('timeline-list').textContent,"
                    + " [...document.querySelectorAll('#timeline-list tbody tr')].map(tr => tr.dataset.outcome)"
                    + ".filter(o => o).join(',')];");
            assertThat(drawn.get(0)).isEqualTo("bo");
            assertThat(drawn.get(1)).contains("amount is tripled since the new ETL", "bo owns the incident");
            assertThat(drawn.get(2)).isEqualTo("started,succeeded");
            browser.js("document.getElementById('timeline').scrollIntoView()");
            browser.screenshot("incident-timeline");
            assertThat(server.get("/api/v1/incidents/1").json().path("owner").asText()).isEqualTo("bo");
        } finally {
            browser.close();
        }
    }

    /** Scripted evidence in the diagnosis's shapes: the windows compared, the version metrics, the resource series. */
    record Span(String from, String to) {
    }

    record SegmentEvidence(Span current, String symptom) implements Evidence {
    }

    record VersionMetrics(String version, Double accuracy, double errorRate, Double latencyP95Ms) {
    }

    record VersionEvidence(Span period, VersionMetrics regressed, VersionMetrics others) implements Evidence {
    }

    record ResourceSeries(String metric, String host, String device) {
    }

    record InfrastructureEvidence(Span current, String symptom, List<ResourceSeries> resources) implements Evidence {
    }

    @Test
    void eachCauseDrawsItsEvidenceOverTheRangeExamined() throws Exception {
        long onset = closedWindow();
        Span after = new Span(Instant.ofEpochMilli(onset).toString(), Instant.ofEpochMilli(onset + 60_000).toString());
        Diagnoser diagnoser = r -> new Diagnosis(r.model(), r.from(), r.to(), r.onset(), List.of(
                new Cause(CauseKind.SEGMENT, 0.8, null, "region=latam", null, "the drop is in latam",
                        new SegmentEvidence(after, "accuracy"), List.of(), "scripted"),
                new Cause(CauseKind.VERSION_REGRESSION, 0.6, null, null, "v2", "v2 is worse",
                        new VersionEvidence(after, new VersionMetrics("v2", 0.4, 0, 20.0),
                                new VersionMetrics("others", 0.9, 0, 20.0)), List.of(), "scripted"),
                new Cause(CauseKind.INFRASTRUCTURE, 0.5, null, null, null, "h1 saturated",
                        new InfrastructureEvidence(after, "latency_p95_ms", List.of(
                                new ResourceSeries("gpu_utilization", "h1", "gpu=0"),
                                new ResourceSeries("host_cpu_utilization", "h1", null),
                                new ResourceSeries("traffic", null, null))), List.of(), "scripted"),
                new Cause(CauseKind.SEGMENT, 0.4, "amount", "region=latam", null, "amount moved in latam",
                        new SegmentEvidence(after, "feature:amount"), List.of(), "scripted")), Instant.now());
        String yaml = """
                alerting: {evaluation_interval: 200ms}
                models:
                  fraud: {task: binary_classification, positive_class: "1", window: 1s}
                rules:
                  - alert: AccuracyDrop
                    expr: accuracy{model="fraud"} < 0.8
                    labels: {severity: critical}
                incidents: {diagnosis_lookback: 1m}
                """;
        Browser browser = Browser.start(1280, 1600);
        try (TestServer server = TestServer.start(ConfigLoader.parse(yaml, "modelwatch.yml").withDataDir(dir.resolve("data")),
                diagnoser)) {
            ArrayNode events = TestServer.JSON.createArrayNode();
            int n = 0;
            for (int s = -20; s < 1; s++) { // twenty seconds before the onset's window, and the window
                long ts = onset + s * 1000L;
                for (int k = 0; k < 8; k++) {
                    String id = "p" + n++;
                    boolean latam = k % 4 == 0;
                    boolean v2 = s >= -3 && k % 2 == 1; // v2 serves from three seconds before the onset
                    ObjectNode e = events.addObject().put("type", "prediction").put("model", "fraud").put("id", id)
                            .put("timestamp", ts + k * 100).put("prediction", "1").put("version", v2 ? "v2" : "v1")
                            .put("latency_ms", s >= 0 ? 60 : 20);
                    e.putObject("features").put("amount", s >= 0 && latam ? 300 + k : 100 + k); // latam's amount moves
                    e.putObject("segments").put("region", latam ? "latam" : "eu");
                    events.addObject().put("type", "label").put("model", "fraud").put("id", id)
                            .put("label", s >= 0 && (latam || v2) ? "0" : "1");
                }
                for (int r = 0; r < 2; r++) {
                    long at = ts + r * 500L;
                    events.addObject().put("type", "metric").put("name", "host_cpu_utilization").put("model", "fraud")
                            .put("value", s >= 0 ? 95 : 40).put("timestamp", at).putObject("labels").put("host", "h1");
                    ObjectNode gpu = events.addObject().put("type", "metric").put("name", "gpu_utilization")
                            .put("model", "fraud").put("value", s >= 0 ? 99 : 30).put("timestamp", at);
                    gpu.putObject("labels").put("host", "h1").put("gpu", "0");
                }
            }
            JsonNode posted = server.postJson(events.toString()).json();
            assertThat(posted.path("rejected").asInt()).as(posted.toString()).isZero();
            await("the diagnosed incident", () -> server.get("/api/v1/incidents/1").json().path("causes").size() == 4);
            JsonNode incident = server.get("/api/v1/incidents/1").json();
            String range = "from=" + Instant.parse(incident.path("diagnosis_from").asText()).toEpochMilli() + "&to="
                    + Instant.parse(incident.path("diagnosis_to").asText()).toEpochMilli();
            await("the resource readings stored", () -> server.get("/api/v1/resources?model=fraud&" + range).json()
                    .path("events").asLong() == 84);
            JsonNode resources = server.get("/api/v1/resources?model=fraud&points=200&metrics=gpu_utilization&" + range).json();
            int apiGpuPoints = resources.path("series").path(0).path("points").size();

            browser.open(server, "/ui/incidents/1");
            browser.waiting().until(d -> browser.js("return window.modelwatch.charts['cause-2:symptom'] != null"
                    + " && window.modelwatch.charts['cause-3:segment'] != null") == Boolean.TRUE);
            // the segment's accuracy (or a feature's mean) against all traffic, the two versions side by side: two
            // lines each, with points
            for (String chart : List.of("cause-0:segment", "cause-1:version", "cause-3:segment")) {
                @SuppressWarnings("unchecked")
                List<Number> points = (List<Number>) browser.js("return window.modelwatch.charts[arguments[0]].data.slice(1)"
                        + ".map(s => s.filter(v => v != null).length);", chart);
                assertThat(points).as(chart).hasSize(2);
                assertThat(points).as(chart).allSatisfy(p -> assertThat(p.intValue()).isGreaterThan(1));
            }
            @SuppressWarnings("unchecked")
            List<String> versionLines = (List<String>) browser.js(
                    "return window.modelwatch.charts['cause-1:version'].series.slice(1).map(s => s.label);");
            assertThat(versionLines).containsExactly("version v2", "version v1");
            // the segment's last point (after the onset) is below all traffic's
            @SuppressWarnings("unchecked")
            List<Number> lastAccuracy = (List<Number>) browser.js("const d = window.modelwatch.charts['cause-0:segment'].data;"
                    + "const last = s => s.filter(v => v != null).slice(-1)[0]; return [last(d[1]), last(d[2])];");
            assertThat(lastAccuracy.get(0).doubleValue()).isLessThan(lastAccuracy.get(1).doubleValue());
            // the segment whose change is a feature's mean: its mean of amount after the onset above all traffic's
            @SuppressWarnings("unchecked")
            List<Number> lastMean = (List<Number>) browser.js("const d = window.modelwatch.charts['cause-3:segment'].data;"
                    + "const last = s => s.filter(v => v != null).slice(-1)[0]; return [last(d[1]), last(d[2])];");
            assertThat(lastMean.get(0).doubleValue()).isGreaterThan(lastMean.get(1).doubleValue());
            // the resource series around the onset, as many points as the API answers
            Number gpuDrawn = (Number) browser.js("return window.modelwatch.charts['cause-2:resource:gpu_utilization'].data[1]"
                    + ".filter(v => v != null).length;");
            assertThat(gpuDrawn.intValue()).isEqualTo(apiGpuPoints).isGreaterThan(10);
            Number cpuLines = (Number) browser.js(
                    "return window.modelwatch.charts['cause-2:resource:host_cpu_utilization'].data.length - 1;");
            assertThat(cpuLines.intValue()).isEqualTo(1);
            assertThat(browser.js("return window.modelwatch.charts['cause-2:resource:traffic'] == null")).isEqualTo(Boolean.TRUE);
            browser.js("document.getElementById('cause-2').scrollIntoView()");
            browser.screenshot("incident-evidence-charts");
        } finally {
            browser.close();
        }
    }
}
