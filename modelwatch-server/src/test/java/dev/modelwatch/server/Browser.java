package dev.modelwatch.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) for the
 * dashboard's tests. Without it the tests are skipped, unless {@code MODELWATCH_REQUIRE_BROWSER=true}
 * (CI), where its absence fails them.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium at {@code width}×{@code height}; skips the test when it is not installed (and not required). */
    static Browser start(int width, int height) {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            if ("true".equals(System.getenv("MODELWATCH_REQUIRE_BROWSER"))) {
                throw new AssertionError("MODELWATCH_REQUIRE_BROWSER=true but " + CHROMIUM + " or " + CHROMEDRIVER
                        + " is missing: apt-get install -y chromium chromium-driver");
            }
            Assumptions.abort("no " + CHROMIUM + " / " + CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
        }
        try {
            Path profile = Files.createTempDirectory("modelwatch-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                    "--no-first-run", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort().build();
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens {@code url} and waits until the page says it has drawn what it loaded. */
    void open(String url) {
        driver.get(url);
        awaitReady();
    }

    /** Opens {@code path} (with its query) of {@code server}'s dashboard, as {@link #open(String)}. */
    void open(TestServer server, String path) {
        open(server.base + path);
    }

    /**
     * Closes the browser and then the server of a test class, each only if it was started: a class's
     * set-up stops at the first that cannot start (no Chromium installed: the tests are skipped).
     */
    static void closeAll(Browser browser, TestServer server) {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    void awaitReady() {
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> !d.findElements(By.cssSelector("main[data-ready]")).isEmpty());
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    /** Saves a screenshot as target/screenshots/{name}.png. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }
}
