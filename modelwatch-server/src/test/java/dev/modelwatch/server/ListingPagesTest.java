package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code limit} and {@code cursor} on {@code GET /api/v1/models} and {@code GET /api/v1/alerts}. */
class ListingPagesTest {
    @RegisterExtension
    static final ServerFixture SERVER = ServerFixture.defaults();

    @BeforeAll
    static void start(TestServer server) {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 7; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"m").append(i)
                    .append("\",\"id\":\"p").append(i).append("\",\"timestamp\":").append(System.currentTimeMillis() - 1000)
                    .append(",\"features\":{\"x\":1.5},\"prediction\":1,\"score\":0.8}");
        }
        assertThat(server.postJson(batch.append("]").toString()).status()).isEqualTo(200);
    }

    @Test
    void withoutALimitEveryModelIsListedOnOnePage(TestServer server) {
        JsonNode all = server.get("/api/v1/models").json();
        assertThat(all.path("models")).hasSize(7);
        assertThat(all.path("next_cursor").isNull()).isTrue();
        assertThat(all.path("models").get(0).path("health").asText()).isEqualTo("ok");
    }

    @Test
    void pagesOfModelsFollowTheCursorInNameOrderWithoutGapsOrRepeats(TestServer server) {
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = server.get("/api/v1/models?limit=3" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            assertThat(page.path("models").size()).isLessThanOrEqualTo(3);
            page.path("models").forEach(m -> names.add(m.path("name").asText()));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6");
    }

    @Test
    void aBadLimitOrCursorIsAJsonErrorNamingTheParameter(TestServer server) {
        TestServer.Response zero = server.get("/api/v1/models?limit=0");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.json().path("error").asText()).startsWith("limit:");
        TestServer.Response big = server.get("/api/v1/alerts?limit=10001");
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.json().path("error").asText()).startsWith("limit:");
        TestServer.Response cursor = server.get("/api/v1/alerts?cursor=bm90LWEtY3Vyc29y");
        assertThat(cursor.status()).isEqualTo(400);
        assertThat(cursor.json().path("error").asText()).startsWith("cursor:");
    }

    @Test
    void theAlertListCarriesANextCursorField(TestServer server) {
        JsonNode alerts = server.get("/api/v1/alerts?limit=5").json();
        assertThat(alerts.has("alerts")).isTrue();
        assertThat(alerts.path("next_cursor").isNull()).isTrue();
    }
}
