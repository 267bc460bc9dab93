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

            browser.open(server.base + "/ui/incidents");
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
            browser.open(server.base + "/ui/incidents/1");
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
}
