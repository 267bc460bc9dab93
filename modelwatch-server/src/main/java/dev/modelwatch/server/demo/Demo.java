package dev.modelwatch.server.demo;

import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code modelwatch demo}: a local webhook receiver, the server on the demo's compressed clock with the
 * configuration {@code demo/modelwatch-demo.yml}, and {@link DemoTraffic} feeding it.
 */
public final class Demo implements AutoCloseable {
    /** Where the config resource names the webhook receiver's address. */
    private static final String WEBHOOK_PLACEHOLDER = "DEMO_WEBHOOK_URL";

    /**
     * The demo's options.
     *
     * @param port    HTTP port (0: a free one)
     * @param dataDir the data directory, or null for a temporary one removed at the end
     * @param speed   demo time per wall-clock time (60: one demo hour a minute)
     */
    public record Options(int port, Path dataDir, double speed) {
        public Options {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535, was " + port);
            }
            if (!(speed >= 1) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("--speed must be a number >= 1, was " + speed);
            }
        }
    }

    /** The threads and sources of time and randomness the demo runs on. */
    public record Services(Clock wall, LongSupplier nanoTime, SplittableRandom random, ScheduledExecutorService timer,
                          Executor webhookThreads) {
    }

    private final WebhookReceiver webhook;
    private final ModelWatchServer server;
    private final DemoTraffic traffic;
    private final Path temporaryDir;
    private final DemoClock clock;

    private Demo(WebhookReceiver webhook, ModelWatchServer server, DemoTraffic traffic, Path temporaryDir,
                 DemoClock clock) {
        this.webhook = webhook;
        this.server = server;
        this.traffic = traffic;
        this.temporaryDir = temporaryDir;
        this.clock = clock;
    }

    /** Starts the demo, printing to {@code out} where to look. */
    public static Demo start(Options options, Services rt, Consumer<String> out) {
        Path temporary = null;
        Path dataDir = options.dataDir();
        if (dataDir == null) {
            try {
                temporary = Files.createTempDirectory("modelwatch-demo-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary data directory", e);
            }
            dataDir = temporary;
        }
        WebhookReceiver webhook = WebhookReceiver.start(rt.webhookThreads(), out);
        ModelWatchServer server = null;
        try {
            ServerConfig config = ConfigLoader.parse(configText().replace(WEBHOOK_PLACEHOLDER, webhook.url()),
                    "demo/modelwatch-demo.yml").withDataDir(dataDir).withPort(options.port());
            DemoClock clock = new DemoClock(rt.wall(), options.speed());
            server = ModelWatchServer.start(config, clock);
            String base = "http://127.0.0.1:" + server.port();
            out.accept("dashboard: " + base + "/  (open it in a browser)");
            out.accept(String.format(Locale.ROOT, "demo: model '%s', a neural network (ONNX Runtime) scoring held-out"
                    + " tumours of the breast cancer data set; %.0fx speed: one demo hour every %s of wall-clock time",
                    DemoTraffic.MODEL, options.speed(), wallText(Duration.ofHours(1), options.speed())));
            out.accept("notifications go to the demo's webhook receiver " + webhook.url() + " and are printed here");
            out.accept("data directory: " + dataDir + (temporary != null ? " (temporary, removed at the end)" : ""));
            out.accept("alerts:    curl -s " + base + "/api/v1/alerts");
            out.accept("incidents: curl -s " + base + "/api/v1/incidents   (each with its ranked causes)");
            out.accept("training:  curl -s " + base + "/api/v1/runs?model=" + DemoTraffic.MODEL);
            out.accept("the script (repeats every " + wallText(FaultScript.CYCLE, options.speed()) + "):");
            for (FaultScript.Fault f : FaultScript.FAULTS) {
                out.accept(String.format(Locale.ROOT, "  after %s: %s", wallText(f.start(), options.speed()), f.kind()));
            }
            DemoTraffic traffic = DemoTraffic.start(base, clock, rt.random(), rt.nanoTime(), rt.timer(), out);
            return new Demo(webhook, server, traffic, temporary, clock);
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            webhook.close();
            throw e;
        }
    }

    private static String wallText(Duration demo, double speed) {
        long s = Math.round(demo.toMillis() / speed / 1000);
        return s < 120 ? s + " s" : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    private static String configText() {
        try (InputStream in = Demo.class.getResourceAsStream("/demo/modelwatch-demo.yml")) {
            if (in == null) {
                throw new IllegalStateException("no demo/modelwatch-demo.yml on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read demo/modelwatch-demo.yml", e);
        }
    }

    /** The server's port. */
    public int port() {
        return server.port();
    }

    /** The demo's clock (the server's). */
    public DemoClock clock() {
        return clock;
    }

    /** The notifications the webhook receiver got. */
    public WebhookReceiver webhook() {
        return webhook;
    }

    /** The traffic generator. */
    public DemoTraffic traffic() {
        return traffic;
    }

    /** Stops the traffic, the server and the receiver, and removes a temporary data directory. */
    @Override
    public void close() {
        traffic.close();
        server.close();
        webhook.close();
        if (temporaryDir != null) {
            try (Stream<Path> files = Files.walk(temporaryDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the demo's temporary data directory " + temporaryDir, e);
            }
        }
    }
}
