package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.AuthMode;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

/**
 * The dashboard on a server that requires tokens: it asks for one, keeps only an HttpOnly,
 * SameSite=Strict session cookie (the token is in no URL and no script's reach), and a read-scoped
 * session sees the models and can change nothing.
 */
class DashboardLoginBrowserTest {
    @TempDir
    Path dir;
    private TestServer server;
    private String readToken;
    private String adminToken;
    private Browser browser;

    @BeforeEach
    void start() {
        ServerConfig config = ServerConfig.defaults().withDataDir(dir)
                .withAccess(new AccessConfig(AuthMode.REQUIRED, false, null));
        try (Store store = Stores.open(config.jdbcUrl(), config.sketches())) {
            ApiTokens tokens = new ApiTokens(store.tokens(), Clock.systemUTC(), new SecureRandom(), 30_000);
            readToken = tokens.create("viewer", List.of("read")).token();
            adminToken = tokens.create("ops", List.of("admin", "read", "ingest")).token();
        }
        browser = Browser.start(1280, 800);
        server = TestServer.start(config);
        assertThat(server.put("/api/v1/models/fraud", "application/json",
                "{\"task\": \"binary_classification\", \"positive_class\": \"1\", \"window\": \"1m\"}"
                        .getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + adminToken).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        Browser.closeAll(browser, server);
    }

    @Test
    void aReadTokenSignsInWithAnHttpOnlyCookieSeesTheModelsAndChangesNothing() {
        browser.driver.get(server.base + "/");
        browser.waiting().until(d -> d.findElement(By.id("login")).isDisplayed());
        browser.screenshot("login");

        browser.driver.findElement(By.id("token")).sendKeys("mw_not_a_token");
        browser.driver.findElement(By.cssSelector("#login button[type=submit]")).click();
        browser.waiting().until(d -> d.findElement(By.cssSelector("#login .msg")).getText().contains("not valid"));

        browser.driver.findElement(By.id("token")).clear();
        browser.driver.findElement(By.id("token")).sendKeys(readToken);
        browser.driver.findElement(By.cssSelector("#login button[type=submit]")).click();
        browser.awaitReady();
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#models tr[data-model=fraud]")).isEmpty());
        browser.screenshot("signed-in-read-only");

        Cookie cookie = browser.driver.manage().getCookieNamed("modelwatch_session");
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getValue()).doesNotContain(readToken);
        assertThat(browser.driver.getCurrentUrl()).doesNotContain(readToken);
        assertThat((String) browser.js("return document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"))
                .doesNotContain(readToken).doesNotContain(cookie.getValue());
        assertThat(browser.js("return document.body.dataset.readonly")).isEqualTo("true");

        // the session carries the read scope only: a change is refused
        Object status = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/v1/silences', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({matchers: ['model=\"fraud\"'], duration: '1h', created_by: 'x'})})"
                + ".then(r => done(r.status));");
        assertThat(((Number) status).intValue()).isEqualTo(403);
        assertThat(server.post("/api/v1/silences", "application/json", "{}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(401);
    }
}
