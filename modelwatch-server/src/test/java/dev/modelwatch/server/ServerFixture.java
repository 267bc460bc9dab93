package dev.modelwatch.server;

import dev.modelwatch.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A {@link TestServer} started before each test on a fresh data directory and stopped after it, or,
 * registered on a static field, once for the whole class. Test methods (and {@code @BeforeAll} /
 * {@code @BeforeEach} methods) receive it as a {@code TestServer} parameter:
 * <pre>{@code
 * @RegisterExtension
 * final ServerFixture fixture = ServerFixture.of(dir -> ConfigLoader.parse(YAML, "test.yml").withDataDir(dir));
 *
 * @Test
 * void something(TestServer server) { server.get("/api/v1/models") ... }
 * }</pre>
 */
public final class ServerFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private final Function<Path, ServerConfig> config;
    private final Clock clock;
    private boolean perClass;
    private Path dir;
    private TestServer server;

    private ServerFixture(Function<Path, ServerConfig> config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = clock;
    }

    /** A server of the default configuration. */
    public static ServerFixture defaults() {
        return of(dir -> ServerConfig.defaults().withDataDir(dir));
    }

    /** A server of {@code config}, given the data directory made for it. */
    public static ServerFixture of(Function<Path, ServerConfig> config) {
        return new ServerFixture(config, null);
    }

    /** This fixture's server on {@code clock} ({@link TestServer#start(ServerConfig, Clock)}). */
    public ServerFixture clock(Clock clock) {
        return new ServerFixture(config, Objects.requireNonNull(clock, "clock"));
    }

    /** The running server. */
    public TestServer server() {
        if (server == null) {
            throw new IllegalStateException("the server runs only during a test");
        }
        return server;
    }

    /**
     * Stops the server gracefully and starts a new one on the same data directory; the fixture stops
     * the new one after the test.
     */
    public TestServer restart() {
        server = server().restart();
        return server;
    }

    /** The server's data directory. */
    public Path dir() {
        return dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            stop();
        }
    }

    private void start() throws IOException {
        dir = Files.createTempDirectory("modelwatch-test-");
        ServerConfig c = config.apply(dir);
        server = clock == null ? TestServer.start(c) : TestServer.start(c, clock);
    }

    private void stop() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server();
    }
}
