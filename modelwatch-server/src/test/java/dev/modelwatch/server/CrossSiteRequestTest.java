package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a web page the operator opens could make the browser send, on a loopback server without
 * tokens: every such request that would change state is refused, so nothing changes.
 */
class CrossSiteRequestTest {
    private static final byte[] SILENCE = ("{\"matchers\": [\"model=\\\"fraud\\\"\"], \"duration\": \"87600h\","
            + " \"created_by\": \"evil\"}").getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    @Test
    void aCrossSiteTextPlainSilenceIsRefusedAndNothingIsSilenced(TestServer server) {
        TestServer.Response r = server.post("/api/v1/silences", "text/plain;charset=UTF-8", SILENCE,
                "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").asText()).contains("cross-site");
        assertThat(silences(server)).isZero();
    }

    @Test
    void aTextPlainOrFormOrMultipartBodyIsA415NamingTheAcceptedTypesEvenWithoutAnOrigin(TestServer server) {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x"}) {
            TestServer.Response r = server.post("/api/v1/silences", type, SILENCE);
            assertThat(r.status()).as(type).isEqualTo(415);
            assertThat(r.json().path("error").asText()).as(type).contains("application/json");
        }
        TestServer.Response events = server.post("/api/v1/events", "application/x-www-form-urlencoded",
                "a=b".getBytes(StandardCharsets.UTF_8));
        assertThat(events.status()).isEqualTo(415);
        assertThat(events.json().path("error").asText()).contains("application/x-ndjson");
        TestServer.Response reference = server.put("/api/v1/models/m1/reference", "text/plain",
                "a\n1".getBytes(StandardCharsets.UTF_8));
        assertThat(reference.status()).isEqualTo(415);
        assertThat(reference.json().path("error").asText()).contains("text/csv");
        assertThat(silences(server)).isZero();
    }

    @Test
    void aForeignOriginIsRefusedWhileTheServersOwnOriginAndNoOriginAreServed(TestServer server) {
        TestServer.Response foreign = server.post("/api/v1/silences", "application/json", SILENCE,
                "Origin", "http://localhost.evil.example:" + server.server().port());
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().path("error").asText()).contains("Origin");
        TestServer.Response nullOrigin = server.post("/api/v1/silences", "application/json", SILENCE, "Origin", "null");
        assertThat(nullOrigin.status()).isEqualTo(403);
        assertThat(silences(server)).isZero();

        TestServer.Response own = server.post("/api/v1/silences", "application/json", SILENCE,
                "Origin", server.base, "Sec-Fetch-Site", "same-origin");
        assertThat(own.status()).isEqualTo(200);
        TestServer.Response client = server.post("/api/v1/silences", "application/json", SILENCE);
        assertThat(client.status()).isEqualTo(200);
        assertThat(silences(server)).isEqualTo(2);
    }

    private int silences(TestServer server) {
        return server.get("/api/v1/silences").json().path("silences").size();
    }
}
