package dev.modelwatch.server.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.ManualClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ServerSink} against a stand-in ingest API: batches, Retry-After, rejections. */
class ServerSinkTest {
    private HttpServer http;
    private final List<String> bodies = new ArrayList<>();
    private final AtomicInteger overloadedAnswers = new AtomicInteger();
    private final ManualClock clock = new ManualClock(1_000_000);
    private final List<Long> sleeps = new ArrayList<>();

    private String start(String answer) throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/events", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] out;
            if (overloadedAnswers.getAndDecrement() > 0) {
                ex.getResponseHeaders().add("Retry-After", "3");
                out = "{\"error\":\"overloaded\"}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(429, out.length);
            } else {
                synchronized (bodies) {
                    bodies.add(body);
                }
                long lines = body.chars().filter(c -> c == '\n').count();
                out = answer.replace("N", Long.toString(lines)).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, out.length);
            }
            ex.getResponseBody().write(out);
            ex.close();
        });
        http.start();
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.stop(0);
        }
    }

    private ServerSink sink(String url) {
        return new ServerSink(HttpClient.newHttpClient(), url, null, clock, ms -> {
            sleeps.add(ms);
            clock.advance(java.time.Duration.ofMillis(ms));
        }, new SplittableRandom(1));
    }

    private static String events(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("{\"type\":\"label\",\"model\":\"m\",\"id\":\"").append(i).append("\",\"label\":\"1\"}\n");
        }
        return b.toString();
    }

    @Test
    void anOverloadedServerIsAskedAgainNoEarlierThanItsRetryAfter() throws Exception {
        overloadedAnswers.set(2);
        ServerSink sink = sink(start("{\"accepted\":N,\"rejected\":0,\"errors\":[]}"));
        assertThat(sink.send(events(10))).isEqualTo(10);
        assertThat(sink.retries()).isEqualTo(2);
        assertThat(sleeps).hasSize(2).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(3_000));
        assertThat(bodies).hasSize(1);
    }

    @Test
    void largeBlocksGoInBatchesOfWholeLines() throws Exception {
        ServerSink sink = sink(start("{\"accepted\":N,\"rejected\":0,\"errors\":[]}"));
        int n = ServerSink.BATCH_LINES * 2 + 7;
        assertThat(sink.send(events(n))).isEqualTo(n);
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(2).split("\n")).hasSize(7);
        assertThat(String.join("", bodies)).isEqualTo(events(n));
    }

    @Test
    void rejectedEventsEndTheRunWithTheServersReason() throws Exception {
        ServerSink sink = sink(start("{\"accepted\":0,\"rejected\":1,\"errors\":[{\"index\":0,\"error\":\"model: bad\"}]}"));
        assertThatThrownBy(() -> sink.send(events(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("rejected 1 event(s), the first at index 0: model: bad");
    }
}
