package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.modelwatch.server.config.ConfigLoader;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The dashboard's links from notifications and its live connection, in a real headless Chromium
 * against a server on a fixed port with a real webhook receiver and a real SMTP server: a fired
 * alert's webhook payload and e-mail carry a link that opens the model's page over the alert's time
 * range with the alert marked; an open page reconnects after the server restarts (same data
 * directory, same port) and shows a window and an alert that arrive afterwards, without a reload.
 */
class DashboardLiveBrowserTest {
    private static final long HOUR = 3_600_000L;
    private static final String CONFIG = """
            alerting: {evaluation_interval: 200ms}
            models:
              fraud: {task: binary_classification, window: 1s}
              canary: {task: binary_classification, window: 1s}
            rules:
              - alert: AccuracyDrop
                expr: accuracy < 0.8
                labels: {severity: critical}
            route:
              receiver: ops
              group_by: [model, alertname]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 4h
            receivers:
              - name: ops
                webhook_configs: [{url: "http://127.0.0.1:%d/hook"}]
                email_configs:
                  - {to: oncall@example.com, from: mw@example.com, smarthost: "127.0.0.1:%d", require_tls: false}
            """;

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetup.dynamicPort(
            new ServerSetup[] {ServerSetupTest.SMTP})).withConfiguration(GreenMailConfiguration.aConfig())
            .withPerMethodLifecycle(false);

    @TempDir
    static Path dir;
    static TestServer server;
    static Browser browser;
    static com.sun.net.httpserver.HttpServer hook;
    static final List<JsonNode> hooks = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void serverAndBrowser() throws Exception {
        browser = Browser.start(1280, 800);
        hook = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            hooks.add(TestServer.JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        String yaml = CONFIG.formatted(hook.getAddress().getPort(), MAIL.getSmtp().getPort());
        // no server.external_url: the links are built from the listening URL
        server = TestServer.startOnFixedPort(ConfigLoader.parse(yaml, "modelwatch.yml").withDataDir(dir), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, server);
        if (hook != null) {
            hook.stop(0);
        }
    }

    /** The alerts of {@code model} in the webhook payloads received so far. */
    private static List<JsonNode> hookedAlerts(String model) {
        return hooks.stream().flatMap(p -> java.util.stream.StreamSupport.stream(p.path("alerts").spliterator(), false))
                .filter(a -> a.path("labels").path("model").asText().equals(model)).toList();
    }

    @Test
    void aFiredAlertsWebhookAndEmailLinkToTheModelPageOverTheAlertsRange() throws Exception {
        AlertingEndToEndTest.window(server, AlertingEndToEndTest.closedWindow(), 10, "good-");
        AlertingEndToEndTest.window(server, AlertingEndToEndTest.closedWindow(), 3, "bad-");
        AlertingEndToEndTest.await("the webhook and the e-mail of fraud's alert",
                () -> !hookedAlerts("fraud").isEmpty() && MAIL.getReceivedMessages().length > 0);
        JsonNode alert = hookedAlerts("fraud").get(0);
        String link = alert.path("generatorURL").asText();
        long startsAt = java.time.Instant.parse(alert.path("startsAt").asText()).toEpochMilli();
        String id = alert.path("fingerprint").asText();
        // the listening URL, the model's page, an hour before the start and no end while it fires
        assertThat(link).isEqualTo(server.base + "/ui/models/fraud?range=custom&from=" + (startsAt - HOUR) + "&alert=" + id);
        assertThat(server.get("/api/v1/alerts/" + id).json().path("labels").path("model").asText()).isEqualTo("fraud");

        // the e-mail carries the same link, in its text and (HTML-escaped) in its HTML
        MimeMessage mail = MAIL.getReceivedMessages()[0];
        Multipart parts = (Multipart) mail.getContent();
        assertThat((String) parts.getBodyPart(0).getContent()).contains(link);
        assertThat((String) parts.getBodyPart(1).getContent()).contains("href=\"" + link.replace("&", "&amp;") + "\"");

        // followed in the browser: that model, that range, the alert marked among the model's alerts
        browser.open(link);
        browser.screenshot("deep-link-model");
        assertThat(browser.driver.findElement(By.tagName("h1")).getText()).startsWith("fraud");
        assertThat(browser.driver.findElement(By.id("range")).getAttribute("value")).isEqualTo("custom");
        Number from = (Number) browser.js("const v = document.getElementById('from').value;"
                + "return new Date(v).getTime();"); // the local time the page shows, read back as an instant
        assertThat(from.longValue()).isEqualTo((startsAt - HOUR) / 60_000 * 60_000);
        Number shownFrom = (Number) browser.js("const u = window.modelwatch.charts.throughput;"
                + "return u ? u.data[0][0] * 1000 : -1;");
        assertThat(shownFrom.longValue()).isBetween(startsAt - HOUR, startsAt);
        // (a live update may redraw the list between finding an element and reading it)
        assertThat(live().<String>until(d -> d.findElement(By.cssSelector("#model-alerts li.selected")).getAttribute("data-alert")))
                .isEqualTo(id);
        // and from there, the alert's entry on the alerts page
        live().until(d -> {
            d.findElement(By.cssSelector("#model-alerts li.selected a")).click();
            return true;
        });
        browser.waiting().until(d -> !d.findElements(By.id("ack-form")).isEmpty());
        assertThat(browser.driver.getCurrentUrl()).endsWith("/ui/alerts?alert=" + id);
        browser.screenshot("deep-link-alert");
        // whose way back to the model is the notification's link; what the alert lacks is left out, not shown as "null"
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#alert-detail a[href*='/ui/models/']")).isEmpty());
        assertThat(live().<String>until(d -> d.findElement(By.cssSelector("#alert-detail a[href*='/ui/models/']")).getAttribute("href")))
                .isEqualTo(link);
        assertThat(live().<String>until(d -> d.findElement(By.id("alert-detail")).getText())).doesNotContain("null");
    }

    @Test
    void anOpenPageReconnectsAfterARestartOnTheSamePortAndShowsWhatCameAfter() throws Exception {
        AlertingEndToEndTest.window(server, AlertingEndToEndTest.closedWindow(), 10, "before-");
        server.server().awaitAggregated(java.time.Duration.ofSeconds(20));
        browser.open(server, "/");
        browser.waiting().until(d -> "live".equals(d.findElement(By.id("live")).getText()));
        browser.js("window.notReloaded = true;");
        String base = server.base;
        int before = live().<Integer>until(d -> traffic("fraud"));

        server = server.restart();
        assertThat(server.base).isEqualTo(base);
        // the page saw the stream end and found the new server by itself
        browser.waiting().until(d -> "live".equals(d.findElement(By.id("live")).getText())
                && Boolean.TRUE.equals(browser.js("return window.modelwatch.reconnects > 0")));

        // a window of canary, all wrong: its traffic and its alert appear on the open page
        String events = AlertingEndToEndTest.windowEvents(AlertingEndToEndTest.closedWindow(), 0, "after-")
                .replace("\"model\":\"fraud\"", "\"model\":\"canary\"");
        assertThat(server.postJson(events).status()).isEqualTo(200);
        AlertingEndToEndTest.window(server, AlertingEndToEndTest.closedWindow(), 10, "after-fraud-");
        live().until(d -> traffic("fraud") == before + 10);
        live().until(d -> "critical".equals(d.findElement(By.cssSelector("#models tr[data-model=canary]"))
                .getAttribute("data-health")));
        assertThat(browser.js("return window.notReloaded === true")).isEqualTo(true);
        browser.screenshot("reconnected-overview");
        assertThat(server.get("/api/v1/alerts?model=canary&state=firing").json().path("alerts").size()).isEqualTo(1);
    }

    /** A wait on the open overview, which a live update may redraw between finding an element and reading it. */
    private static org.openqa.selenium.support.ui.FluentWait<org.openqa.selenium.WebDriver> live() {
        return browser.waiting().ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    /** The last hour's traffic of {@code model} as the open overview shows it. */
    private static int traffic(String model) {
        return Integer.parseInt(browser.driver.findElement(By.cssSelector("#models tr[data-model=" + model + "] td.num"))
                .getText().replace(",", ""));
    }
}
