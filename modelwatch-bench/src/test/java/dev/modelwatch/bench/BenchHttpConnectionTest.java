package dev.modelwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's connection against the JDK's own HTTP server (an independent reading of the
 * request and writing of the answer): what arrives, answers with a length and chunked, 200 and 429,
 * keep-alive and {@code Connection: close}; and against raw sockets, a server that closes without
 * answering and a chunked answer with extensions and trailers behind an interim {@code 100}.
 */
class BenchHttpConnectionTest {
    private static final String ACCEPTED = "{\"accepted\":1000,\"rejected\":0,\"errors\":[]}";

    private HttpServer server;
    private URI base;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ExecutorService rawServers = Executors.newCachedThreadPool();

    record Received(String method, String path, String contentType, String contentLength, byte[] body) {
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/length", e -> answer(e, 200, ACCEPTED, false, false));
        server.createContext("/chunked", e -> answer(e, 200, ACCEPTED, true, false));
        server.createContext("/busy", e -> {
            e.getResponseHeaders().add("Retry-After", "3");
            answer(e, 429, "{\"error\":\"overloaded\"}", false, false);
        });
        server.createContext("/close", e -> answer(e, 200, ACCEPTED, false, true));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        rawServers.shutdownNow();
    }

    private void answer(HttpExchange e, int status, String text, boolean chunked, boolean close) throws IOException {
        byte[] body = e.getRequestBody().readAllBytes();
        received.add(new Received(e.getRequestMethod(), e.getRequestURI().getPath(),
                e.getRequestHeaders().getFirst("Content-Type"), e.getRequestHeaders().getFirst("Content-Length"), body));
        if (close) {
            e.getResponseHeaders().add("Connection", "close");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        e.sendResponseHeaders(status, chunked ? 0 : bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            if (chunked) {
                // two chunks, so that the answer is really split
                out.write(bytes, 0, 5);
                out.flush();
                out.write(bytes, 5, bytes.length - 5);
            } else {
                out.write(bytes);
            }
        }
    }

    private BenchHttpConnection connection(String path) {
        return new BenchHttpConnection(base, path, "application/x-ndjson", 10_000, 60_000);
    }

    private static byte[] body(int size, char fill) {
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) fill);
        b[size - 1] = '\n';
        return b;
    }

    @Test
    void postsTheBodyWithItsHeadersAndKeepsTheConnection() throws IOException {
        byte[] big = body(600_000, 'a');
        byte[] small = body(17, 'b');
        try (BenchHttpConnection c = connection("/length")) {
            c.post(big);
            assertThat(c.status()).isEqualTo(200);
            assertThat(c.bodyEquals(ACCEPTED.getBytes(StandardCharsets.UTF_8))).isTrue();
            assertThat(c.bodyText()).isEqualTo(ACCEPTED);
            c.post(small);
            c.post(big);
            assertThat(c.status()).isEqualTo(200);
            assertThat(c.connects()).isEqualTo(1);
        }
        assertThat(received).hasSize(3);
        Received first = received.get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/length");
        assertThat(first.contentType()).isEqualTo("application/x-ndjson");
        assertThat(first.contentLength()).isEqualTo("600000");
        assertThat(first.body()).isEqualTo(big);
        assertThat(received.get(1).contentLength()).isEqualTo("17");
        assertThat(received.get(1).body()).isEqualTo(small);
        assertThat(received.get(2).body()).isEqualTo(big);
    }

    @Test
    void readsChunkedAnswersOverOneConnection() throws IOException {
        try (BenchHttpConnection c = connection("/chunked")) {
            for (int i = 0; i < 3; i++) {
                c.post(body(1000, 'c'));
                assertThat(c.status()).isEqualTo(200);
                assertThat(c.bodyText()).isEqualTo(ACCEPTED);
            }
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void anOverloadedAnswerCarriesItsRetryAfter() throws IOException {
        try (BenchHttpConnection c = connection("/busy")) {
            c.post(body(100, 'd'));
            assertThat(c.status()).isEqualTo(429);
            assertThat(c.retryAfterSeconds()).isEqualTo(3);
            assertThat(c.bodyText()).isEqualTo("{\"error\":\"overloaded\"}");
            assertThat(c.bodyEquals(ACCEPTED.getBytes(StandardCharsets.UTF_8))).isFalse();
        }
        try (BenchHttpConnection c = connection("/length")) {
            c.post(body(100, 'd'));
            assertThat(c.retryAfterSeconds()).isEqualTo(-1);
        }
    }

    @Test
    void connectionCloseIsHonouredAndTheNextPostReconnects() throws IOException {
        try (BenchHttpConnection c = connection("/close")) {
            c.post(body(100, 'e'));
            assertThat(c.bodyText()).isEqualTo(ACCEPTED);
            c.post(body(100, 'e'));
            assertThat(c.bodyText()).isEqualTo(ACCEPTED);
            assertThat(c.connects()).isEqualTo(2);
        }
        assertThat(received).hasSize(2);
    }

    @Test
    void aServerThatClosesWithoutAnsweringIsAnIoErrorAndTheNextPostReconnects() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Future<?> raw = rawServers.submit(() -> {
                // first connection: read the head, hang up; second: answer properly
                try (Socket s = listener.accept()) {
                    readHead(s.getInputStream());
                }
                try (Socket s = listener.accept()) {
                    int length = readHead(s.getInputStream());
                    s.getInputStream().readNBytes(length);
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\ncontent-length: " + ACCEPTED.length() + "\r\n\r\n"
                            + ACCEPTED).getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    readHead(s.getInputStream()); // until the client hangs up
                }
                return null;
            });
            try (BenchHttpConnection c = new BenchHttpConnection(URI.create("http://127.0.0.1:" + listener.getLocalPort()),
                    "/api/v1/events", "application/x-ndjson", 10_000, 60_000)) {
                assertThatThrownBy(() -> c.post(body(10, 'f'))).isInstanceOf(IOException.class);
                c.post(body(10, 'f'));
                assertThat(c.status()).isEqualTo(200);
                assertThat(c.bodyText()).isEqualTo(ACCEPTED);
                assertThat(c.connects()).isEqualTo(2);
            }
            raw.get();
        }
    }

    @Test
    void interimAnswersChunkExtensionsAndTrailersAreRead() throws Exception {
        String answer = "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nRetry-After: 2\r\n\r\n"
                + "3;x=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Future<?> raw = rawServers.submit(() -> {
                try (Socket s = listener.accept()) {
                    for (int i = 0; i < 2; i++) {
                        s.getInputStream().readNBytes(readHead(s.getInputStream()));
                        s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                    }
                    readHead(s.getInputStream());
                }
                return null;
            });
            try (BenchHttpConnection c = new BenchHttpConnection(URI.create("http://127.0.0.1:" + listener.getLocalPort()),
                    "/api/v1/events", "application/x-ndjson", 10_000, 60_000)) {
                for (int i = 0; i < 2; i++) {
                    c.post(body(10, 'g'));
                    assertThat(c.status()).isEqualTo(503);
                    assertThat(c.retryAfterSeconds()).isEqualTo(2);
                    assertThat(c.bodyText()).isEqualTo("abc0123456789");
                }
                assertThat(c.connects()).isEqualTo(1);
            }
            raw.get();
        }
    }

    /** Reads a request head; its Content-Length, or 0 (also at the end of the stream). */
    private static int readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String h = head.toString(StandardCharsets.US_ASCII);
            if (h.endsWith("\r\n\r\n")) {
                for (String line : h.split("\r\n")) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        return Integer.parseInt(line.substring(15).trim());
                    }
                }
                return 0;
            }
        }
        return 0;
    }
}
