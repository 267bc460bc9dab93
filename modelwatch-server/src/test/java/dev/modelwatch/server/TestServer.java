package dev.modelwatch.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.health.ProcessExit;
import dev.modelwatch.store.Store;
import java.util.function.UnaryOperator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/** A real server on a free port with its own data directory, and an HTTP client to talk to it. */
public final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ModelWatchServer server;
    private final ServerConfig config;
    private final Clock clock;
    private final ProcessExit exit;
    private final UnaryOperator<Store> storeView;
    private final dev.modelwatch.server.diagnosis.Diagnoser diagnoser;
    final String base;

    private TestServer(ServerConfig config, ProcessExit exit, UnaryOperator<Store> storeView) {
        this(config, Clock.systemUTC(), exit, storeView);
    }

    private TestServer(ServerConfig config, Clock clock, ProcessExit exit, UnaryOperator<Store> storeView) {
        this(config, clock, exit, storeView, null);
    }

    private TestServer(ServerConfig config, Clock clock, ProcessExit exit, UnaryOperator<Store> storeView,
                       dev.modelwatch.server.diagnosis.Diagnoser diagnoser) {
        this.config = config;
        this.clock = clock;
        this.exit = exit;
        this.storeView = storeView;
        this.diagnoser = diagnoser;
        this.server = diagnoser == null ? ModelWatchServer.start(config, clock, exit, storeView)
                : ModelWatchServer.start(config, clock, exit, storeView, diagnoser);
        this.base = "http://127.0.0.1:" + server.port();
    }

    /** A server whose incidents are explained by {@code diagnoser}. */
    public static TestServer start(ServerConfig config, dev.modelwatch.server.diagnosis.Diagnoser diagnoser) {
        return new TestServer(config.withPort(0).withFlushInterval(Duration.ofMillis(300)), Clock.systemUTC(),
                new RecordingExit(), UnaryOperator.identity(), diagnoser);
    }

    /** A server whose every notion of "now" (windows closing, ingest skew, alert evaluation) is {@code clock}'s. */
    public static TestServer start(ServerConfig config, Clock clock) {
        return new TestServer(config.withPort(0).withFlushInterval(Duration.ofMillis(300)), clock, new RecordingExit(),
                UnaryOperator.identity());
    }

    /** {@link #start(ServerConfig, Clock)} with its storage seen through {@code storeView}. */
    public static TestServer start(ServerConfig config, Clock clock, UnaryOperator<Store> storeView) {
        return new TestServer(config.withPort(0).withFlushInterval(Duration.ofMillis(300)), clock, new RecordingExit(),
                storeView);
    }

    /**
     * A server on a port free when it starts, kept across {@link #restart()}s (as a real server's
     * configured port is): browsers that hold the page reconnect to the same address.
     */
    public static TestServer startOnFixedPort(ServerConfig config, Clock clock) {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new TestServer(config.withPort(port).withFlushInterval(Duration.ofMillis(300)), clock, new RecordingExit(),
                UnaryOperator.identity());
    }

    public static TestServer start(Path dataDir) {
        return start(ServerConfig.defaults().withDataDir(dataDir));
    }

    public static TestServer start(ServerConfig config) {
        return start(config, new RecordingExit(), UnaryOperator.identity());
    }

    /**
     * A server whose dying workers call {@code exit} and whose storage is seen through {@code storeView}
     * (a {@link FaultInjectingStore}, say).
     */
    public static TestServer start(ServerConfig config, ProcessExit exit, UnaryOperator<Store> storeView) {
        return new TestServer(config.withPort(0).withFlushInterval(Duration.ofMillis(300)), exit, storeView);
    }

    /** Stops the server gracefully and starts a new one on the same data directory. */
    public TestServer restart() {
        close();
        return new TestServer(config, clock, exit, storeView, diagnoser);
    }

    /** Stops the server gracefully and starts a new one on the same data directory, with storage seen anew. */
    public TestServer restart(UnaryOperator<Store> view) {
        close();
        return new TestServer(config, clock, exit, view, diagnoser);
    }

    public ModelWatchServer server() {
        return server;
    }

    /** Evaluates the alert pipeline once at {@code nowMs}, for tests outside this package that move a manual clock. */
    public void evaluateAlerts(long nowMs) {
        server.alerts().evaluateOnce(nowMs);
    }

    /** How many times the alert pipeline was evaluated. */
    public long alertEvaluations() {
        return server.alerts().evaluations();
    }

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    public Response post(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public Response postJson(String json) {
        return post("/api/v1/events", "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Response put(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).DELETE().build());
    }

    /** Any method, with a body of {@code contentType} (none when null) and extra headers as name, value pairs. */
    public Response request(String method, String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public Response get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(60)).GET().build());
    }

    public static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Response send(HttpRequest r) {
        try {
            HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
            return new Response(resp.statusCode(), resp.body(), resp.headers());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + r.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
