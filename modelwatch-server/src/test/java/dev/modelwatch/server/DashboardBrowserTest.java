package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelwatch.server.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium against a started server with real traffic: two hours
 * of one-minute windows for {@code fraud} (the second hour with {@code amount} tripled and wrong
 * predictions), a slow model, a steady one, and one whose feature, segment and class are named like
 * an HTML tag. Each test saves a screenshot under {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    static final String TAG = "<img src=x onerror=alert(1)>";
    private static final String CONFIG = """
            models:
              fraud: {task: binary_classification, positive_class: "1", window: 1m}
              slow: {task: binary_classification, positive_class: "1", window: 1m}
              steady: {task: binary_classification, positive_class: "1", window: 1m}
              xss: {task: multiclass_classification, window: 1m}
            rules:
              - alert: AccuracyDrop
                expr: accuracy{model="fraud"} < 0.8
                labels: {severity: critical}
                annotations: {summary: "accuracy of {{ $labels.model }} is {{ $value }}"}
              - alert: SlowModel
                expr: latency_p99_ms{model="slow"} > 100
                labels: {severity: warning}
            """;

    @TempDir
    static Path dir;
    static TestServer server;
    static ManualClock clock;
    static long start;
    static Browser browser;

    @BeforeAll
    static void trafficAndBrowser() throws Exception {
        browser = Browser.start(1280, 800);
        long now = System.currentTimeMillis();
        start = Math.floorDiv(now, HOUR) * HOUR - 2 * HOUR;
        clock = new ManualClock(start);
        server = TestServer.start(ConfigLoader.parse(CONFIG, "modelwatch.yml").withDataDir(dir), clock);
        Random random = new Random(20_261_204);
        ArrayNode reference = TestServer.JSON.createArrayNode();
        for (int i = 0; i < 2_000; i++) {
            ObjectNode row = reference.addObject();
            row.putObject("features").put("amount", 100 + 20 * random.nextGaussian())
                    .put("country", random.nextBoolean() ? "DE" : "FR").put("age", 40 + 10 * random.nextGaussian());
            int label = random.nextInt(10) == 0 ? 1 : 0;
            row.put("prediction", label).put("label", label);
        }
        assertThat(server.put("/api/v1/models/fraud/reference", reference.toString()).status()).isEqualTo(200);
        for (int m = 0; m < 120; m++) {
            long t0 = start + m * MINUTE;
            clock.now.set(t0 + 59_000);
            boolean drifted = m >= 60;
            ArrayNode events = TestServer.JSON.createArrayNode();
            ArrayNode labels = TestServer.JSON.createArrayNode();
            for (int i = 0; i < 20; i++) {
                String id = "f-" + m + "-" + i;
                int label = random.nextInt(10) == 0 ? 1 : 0;
                int prediction = drifted ? 1 - label : label;
                ObjectNode e = events.addObject().put("type", "prediction").put("model", "fraud").put("id", id)
                        .put("version", drifted ? "v2" : "v1").put("timestamp", t0 + i * 2_900L)
                        .put("prediction", prediction).put("score", prediction == 1 ? 0.9 : 0.1)
                        .put("latency_ms", 10 + random.nextInt(5));
                e.putObject("features").put("amount", (drifted ? 3 : 1) * (100 + 20 * random.nextGaussian()))
                        .put("country", random.nextBoolean() ? "DE" : "FR").put("age", 40 + 10 * random.nextGaussian());
                labels.addObject().put("type", "label").put("model", "fraud").put("id", id).put("label", label);
            }
            if (m >= 110) {
                for (String model : List.of("slow", "steady")) {
                    for (int i = 0; i < 10; i++) {
                        String id = model + "-" + m + "-" + i;
                        events.addObject().put("type", "prediction").put("model", model).put("id", id)
                                .put("timestamp", t0 + i * 5_000L).put("prediction", 0).put("score", 0.2)
                                .put("latency_ms", model.equals("slow") ? 250 + i : 5 + i)
                                .putObject("features").put("x", i);
                        labels.addObject().put("type", "label").put("model", model).put("id", id).put("label", 0);
                    }
                }
                for (int i = 0; i < 5; i++) {
                    ObjectNode e = events.addObject().put("type", "prediction").put("model", "xss").put("id", "x-" + m + "-" + i)
                            .put("timestamp", t0 + i * 5_000L).put("prediction", i % 2 == 0 ? TAG : "plain")
                            .put("latency_ms", 3);
                    e.putObject("features").put(TAG, TAG).put("n", i);
                    e.putObject("segments").put("source", TAG);
                    labels.addObject().put("type", "label").put("model", "xss").put("id", "x-" + m + "-" + i).put("label", TAG);
                }
            }
            assertThat(server.postJson(events.toString()).json().path("rejected").asInt()).as(events.toString()).isZero();
            assertThat(server.postJson(labels.toString()).json().path("rejected").asInt()).isZero();
        }
        long end = start + 120 * MINUTE + 20;
        clock.now.set(end);
        server.server().awaitAggregated(Duration.ofMinutes(2));
        server.server().aggregator().flushNow().get();
        server.server().alerts().evaluateOnce(end);
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, server);
    }

    @Test
    void overviewListsEveryModelWithItsHealth() {
        browser.open(server, "/");
        Map<String, String> health = new TreeMap<>();
        for (WebElement row : browser.driver.findElements(By.cssSelector("#models tbody tr"))) {
            health.put(row.getAttribute("data-model"), row.getAttribute("data-health"));
        }
        browser.screenshot("overview");
        assertThat(health).containsExactlyInAnyOrderEntriesOf(Map.of("fraud", "critical", "slow", "warning", "steady", "ok",
                "xss", "ok"));
        // the filter by health keeps the critical one only
        browser.driver.findElement(By.id("health-filter")).sendKeys("critical");
        assertThat(browser.driver.findElements(By.cssSelector("#models tbody tr"))).hasSize(1);
        browser.screenshot("overview-critical");
    }

    @Test
    void modelPageDrawsOnePointPerMinuteFromTheChartsData() {
        browser.open(server, "/ui/models/fraud?range=custom&from=" + start + "&to=" + (start + 120 * MINUTE));
        browser.screenshot("model-fraud");
        for (String chart : List.of("latency", "throughput", "performance")) {
            Number points = (Number) browser.js("const u = window.modelwatch.charts[arguments[0]];"
                    + "return u ? u.data[1].filter(v => v != null).length : -1;", chart);
            assertThat(points.intValue()).as(chart).isEqualTo(120);
        }
        // the alert of this model is drawn as a band, and listed
        assertThat(browser.driver.findElement(By.id("model-alerts")).getText()).contains("AccuracyDrop");
        // the confusion matrix counts every labelled event
        String matrix = browser.driver.findElement(By.id("confusion-matrix")).getText();
        assertThat(matrix).contains("true \\ predicted");
    }

    @Test
    void driftHeatmapMarksTheDriftedFeatureOfTheDriftedHourAndNoOther() {
        browser.open(server, "/ui/models/fraud?range=custom&from=" + start + "&to=" + (start + 120 * MINUTE));
        browser.js("document.getElementById('drift').scrollIntoView()");
        browser.screenshot("model-fraud-drift");
        @SuppressWarnings("unchecked")
        List<String> drifted = (List<String>) browser.js("return window.modelwatch.heatmaps.drift.getOption().series[0].data"
                + ".filter(d => d.drifted).map(d => d.feature + '@' + d.time);");
        assertThat(drifted).containsExactly("amount@" + (start + HOUR));
        Number cells = (Number) browser.js("return window.modelwatch.heatmaps.drift.getOption().series[0].data.length;");
        assertThat(cells.intValue()).isEqualTo(6); // amount, age, country × two hours
        assertThat(browser.driver.findElement(By.id("feature-decision")).getText()).startsWith("amount: drifted (by ");
        // its distribution over the reference's, from the stored sketches: both cumulative curves end at 1
        browser.waiting().until(d -> browser.js("return window.modelwatch.heatmaps.distribution != null") == Boolean.TRUE);
        @SuppressWarnings("unchecked")
        List<List<Number>> current = (List<List<Number>>) browser.js(
                "return window.modelwatch.heatmaps.distribution.getOption().series[0].data;");
        assertThat(current).hasSize(101);
        assertThat(current.get(100).get(1).doubleValue()).isEqualTo(1.0);
        browser.js("document.getElementById('feature').scrollIntoView()");
        browser.screenshot("model-fraud-feature");

        // a click on a cell of another feature opens that feature
        browser.js("document.getElementById('drift-heatmap').scrollIntoView()");
        @SuppressWarnings("unchecked")
        List<Number> offset = (List<Number>) browser.js("const c = window.modelwatch.heatmaps.drift;"
                + "const p = c.convertToPixel({seriesIndex: 0}, [0, c.getOption().yAxis[0].data.indexOf('age')]);"
                + "const r = c.getDom().getBoundingClientRect(); return [p[0] - r.width / 2, p[1] - r.height / 2];");
        new org.openqa.selenium.interactions.Actions(browser.driver)
                .moveToElement(browser.driver.findElement(By.id("drift-heatmap")), offset.get(0).intValue(), offset.get(1).intValue())
                .click().perform();
        browser.waiting().until(d -> d.getCurrentUrl().contains("feature=age"));
        browser.awaitReady();
        browser.waiting().until(d -> d.findElement(By.id("feature-decision")).getText().startsWith("age: "));
    }

    @Test
    void acknowledgingAndSilencingFromThePageChangeTheStateSeenThroughTheApi() {
        String id = null;
        for (JsonNode a : server.get("/api/v1/alerts?state=firing&model=fraud").json().path("alerts")) {
            if (a.path("rule").asText().equals("AccuracyDrop")) {
                id = a.path("id").asText();
            }
        }
        assertThat(id).as("the AccuracyDrop alert of fraud fires").isNotNull();
        String alertId = id;
        browser.open(server, "/ui/alerts?alert=" + TestServer.q(id));
        browser.waiting().until(d -> !d.findElements(By.id("ack-form")).isEmpty());
        browser.driver.findElement(By.id("ack-by")).clear();
        browser.driver.findElement(By.id("ack-by")).sendKeys("alice");
        browser.driver.findElement(By.id("ack-comment")).sendKeys("looking at v2");
        browser.driver.findElement(By.cssSelector("#ack-form button[type=submit]")).click();
        browser.waiting().until(d -> "alice".equals(server.get("/api/v1/alerts/" + TestServer.q(alertId)).json()
                .path("acknowledged_by").asText(null)));

        // the page reloads the alert after the change: it then says who acknowledged it
        browser.waiting().until(d -> d.findElement(By.id("alert-detail")).getText().contains("acknowledged by alice"));
        assertThat(browser.driver.findElement(By.id("silence-matchers")).getAttribute("value"))
                .contains("model=\"fraud\"").contains("alertname=\"AccuracyDrop\"");
        browser.driver.findElement(By.id("silence-by")).clear();
        browser.driver.findElement(By.id("silence-by")).sendKeys("alice");
        browser.driver.findElement(By.id("silence-comment")).sendKeys("rolling back v2");
        browser.driver.findElement(By.cssSelector("#silence-form button[type=submit]")).click();
        browser.waiting().until(d -> server.get("/api/v1/silences").json().path("silences").size() == 1);
        JsonNode silence = server.get("/api/v1/silences").json().path("silences").get(0);
        assertThat(silence.path("state").asText()).isEqualTo("active");
        assertThat(silence.path("created_by").asText()).isEqualTo("alice");
        List<String> matchers = new ArrayList<>();
        silence.path("matchers").forEach(m -> matchers.add(m.asText()));
        assertThat(matchers).contains("model=\"fraud\"");
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#silence-table button.expire")).isEmpty());
        browser.screenshot("alerts-silenced");

        clock.now.addAndGet(1_000);
        // a live update may redraw the table between finding the button and clicking it: find it again then
        browser.waiting().ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("#silence-table button.expire")).click();
            return true;
        });
        String endsAt = silence.path("ends_at").asText();
        browser.waiting().withMessage(() -> browser.driver.findElement(By.id("silences")).getText()).until(d -> !server
                .get("/api/v1/silences").json().path("silences").get(0).path("ends_at").asText().equals(endsAt));
        clock.now.addAndGet(1_000); // it ended at the (still) time of the click
        assertThat(server.get("/api/v1/silences").json().path("silences").get(0).path("state").asText()).isEqualTo("expired");
        browser.screenshot("alerts-expired");
    }

    @Test
    void theOverviewFollowsNewTrafficWithoutAReload() {
        browser.open(server, "/");
        browser.js("window.notReloaded = true;");
        ArrayNode events = TestServer.JSON.createArrayNode();
        for (int i = 0; i < 10; i++) {
            events.addObject().put("type", "prediction").put("model", "steady").put("id", "live-" + i)
                    .put("timestamp", start + 119 * MINUTE + i * 1_000L).put("prediction", 0).put("latency_ms", 5)
                    .putObject("features").put("x", i);
        }
        assertThat(server.postJson(events.toString()).json().path("accepted").asInt()).isEqualTo(10);
        browser.waiting().until(d -> d.findElement(By.cssSelector("#models tr[data-model=steady] td.num")).getText()
                .equals("110"));
        assertThat(browser.js("return window.notReloaded === true")).isEqualTo(true);
        assertThat(browser.driver.findElement(By.id("live")).getText()).isEqualTo("live");
        browser.screenshot("overview-live");
    }

    @Test
    void worksAtAPhonesWidthInTheDarkThemeAndFromTheKeyboard() {
        browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            browser.open(server, "/");
            browser.driver.findElement(By.id("theme")).click();
            browser.awaitReady();
            assertThat(browser.js("return document.documentElement.dataset.theme")).isEqualTo("dark");
            // nothing wider than the phone but the table's own scroller
            Number overflow = (Number) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
            browser.screenshot("phone-dark-overview");
            // keyboard: focus the search field, type, and the table follows
            browser.driver.findElement(By.id("search")).sendKeys("ste");
            assertThat(browser.driver.findElements(By.cssSelector("#models tbody tr"))).hasSize(1);
            browser.driver.findElement(By.cssSelector("#models tbody tr a")).sendKeys(org.openqa.selenium.Keys.ENTER);
            browser.waiting().until(d -> d.getCurrentUrl().endsWith("/ui/models/steady"));
            browser.awaitReady();
            browser.screenshot("phone-dark-model");
            // the model page, charts and tables included, fits the phone's width too
            Number modelOverflow = (Number) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(modelOverflow.intValue()).isLessThanOrEqualTo(0);
            browser.driver.findElement(By.id("theme")).click();
        } finally {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
        }
    }

    @Test
    void namesThatLookLikeHtmlAreShownAsTextAndRunNothing() {
        browser.open(server, "/ui/models/xss?range=custom&from=" + (start + 100 * MINUTE) + "&to=" + (start + 120 * MINUTE)
                + "&segment=" + TestServer.q("source:" + TAG));
        browser.screenshot("xss");
        assertThat(browser.driver.findElements(By.cssSelector("main img"))).isEmpty();
        assertThat(browser.driver.findElement(By.id("segment")).getAttribute("value")).isEqualTo("source:" + TAG);
        assertThat(browser.driver.findElement(By.id("confusion-matrix")).getText()).contains(TAG);
        assertThat(browser.driver.findElement(By.tagName("main")).getText()).contains(TAG);
        try {
            browser.driver.switchTo().alert();
            throw new AssertionError("a script ran: an alert dialog is open");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }
}
