package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP server's own errors (431, 414, a bad request line) come back as JSON like every other error. */
class HttpErrorsAreJsonTest {
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    @Test
    void headersTooLargeIsA431WithAJsonError(TestServer server) throws IOException {
        String answer = raw(server, "GET /api/v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertJsonError(answer, 431);
    }

    @Test
    void aUriTooLongIsA414WithAJsonError(TestServer server) throws IOException {
        String answer = raw(server, "GET /api/v1/models?x=" + "a".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n");
        assertJsonError(answer, 414);
    }

    @Test
    void aMalformedRequestLineIsA400WithAJsonError(TestServer server) throws IOException {
        assertJsonError(raw(server, "GET /api/v1/models HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n"), 400);
    }

    private static void assertJsonError(String answer, int status) throws IOException {
        assertThat(answer).startsWith("HTTP/1.1 " + status);
        assertThat(answer.toLowerCase()).contains("content-type: application/json");
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertThat(TestServer.JSON.readTree(body).path("error").asText()).contains("(" + status + ")");
        assertThat(body).doesNotContain("<html").doesNotContain("<");
    }

    private String raw(TestServer server, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.server().port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException ignored) {
                // the server may answer and close before reading everything
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            in.transferTo(got);
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
