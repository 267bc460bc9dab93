package dev.modelwatch.server.alert.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP receiver for tests (the JDK's {@code com.sun.net.httpserver}): records every request
 * and answers with queued responses (then the default, {@code 200 ok}); {@link #hang()} makes it never
 * answer, to test time-outs without sleeping.
 */
public final class RecordingServer implements AutoCloseable {
    /** One recorded request. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private record Response(int status, String body, String[] headers) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Response> queued = new ArrayDeque<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Response fallback = new Response(200, "ok", new String[0]);
    private volatile boolean hang;

    private RecordingServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static RecordingServer start() {
        return new RecordingServer();
    }

    /** The next answer (queued in order); {@code headers} are name, value pairs. */
    public synchronized RecordingServer respond(int status, String body, String... headers) {
        queued.add(new Response(status, body, headers));
        return this;
    }

    /** The answer once the queue is empty. */
    public RecordingServer respondAlways(int status, String body, String... headers) {
        fallback = new Response(status, body, headers);
        return this;
    }

    /** Never answer (until closed). */
    public RecordingServer hang() {
        hang = true;
        return this;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The only request; fails when there were none or several. */
    public synchronized Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + requests.size());
        }
        return requests.get(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Response r;
        synchronized (this) {
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
                    Map.copyOf(ex.getRequestHeaders()), body));
            r = queued.isEmpty() ? fallback : queued.poll();
        }
        if (hang) {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        for (int i = 0; i + 1 < r.headers.length; i += 2) {
            ex.getResponseHeaders().add(r.headers[i], r.headers[i + 1]);
        }
        byte[] out = r.body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(r.status, out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
