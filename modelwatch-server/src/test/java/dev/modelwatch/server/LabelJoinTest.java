package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Labels that arrive late, early, or after the prediction's window was committed. */
class LabelJoinTest {
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    private static String prediction(String id, long ts, int predicted) {
        return "{\"type\":\"prediction\",\"model\":\"join\",\"id\":\"" + id + "\",\"timestamp\":" + ts
                + ",\"prediction\":" + predicted + ",\"score\":" + (predicted == 1 ? 0.9 : 0.1) + "}";
    }

    private static String label(String id, int label) {
        return "{\"type\":\"label\",\"model\":\"join\",\"id\":\"" + id + "\",\"label\":" + label + "}";
    }

    /** Waits until every acknowledged event is aggregated, then commits them to storage (a committed checkpoint). */
    private static void committed(TestServer server) throws Exception {
        server.server().awaitAggregated(Duration.ofSeconds(30));
        assertThat(server.server().aggregator().queuedEvents()).as("events still waiting to be aggregated").isZero();
        server.server().aggregator().flushNow().get(30, TimeUnit.SECONDS);
    }

    private static Map<Long, Double> points(JsonNode series, String name) {
        Map<Long, Double> out = new HashMap<>();
        for (JsonNode s : series.path("series")) {
            if (s.path("name").asText().equals(name)) {
                s.path("points").forEach(p -> out.put(p.get(0).asLong(), p.get(1).asDouble()));
            }
        }
        return out;
    }

    @Test
    void lateLabelIsAttributedToThePredictionWindowEvenAfterItWasStored(TestServer server) throws Exception {
        long minute = 60_000;
        long old = Math.floorDiv(System.currentTimeMillis() - 3 * 3_600_000L, minute) * minute;
        long recent = Math.floorDiv(System.currentTimeMillis() - 5 * minute, minute) * minute;
        server.put("/api/v1/models/join", "{\"task\":\"binary_classification\",\"window\":\"1m\"}");
        server.postJson("[" + prediction("a", old + 10, 1) + "," + prediction("b", old + 20, 0) + ","
                + prediction("c", recent + 5, 1) + "]");
        committed(server); // the windows are in storage before the labels come
        server.postJson("[" + label("a", 1) + "," + label("b", 1) + "]"); // hours later

        JsonNode series = server.get("/api/v1/models/join/metrics?names=labeled,accuracy,count&from="
                + (old - minute) + "&to=" + (recent + 2 * minute) + "&step=1m").json();
        assertThat(points(series, "labeled")).containsEntry(old, 2.0).containsEntry(recent, 0.0);
        assertThat(points(series, "accuracy")).containsEntry(old, 0.5).hasSize(1);
        assertThat(points(series, "count")).containsEntry(old, 2.0).containsEntry(recent, 1.0);

        // the hour and day roll-ups saw the late labels too
        JsonNode hour = server.get("/api/v1/models/join/metrics?names=labeled&from=" + (old - 3_600_000L) + "&to="
                + (recent + minute) + "&step=1h").json();
        Map<Long, Double> hours = points(hour, "labeled");
        assertThat(hours).containsEntry(Math.floorDiv(old, 3_600_000L) * 3_600_000L, 2.0);
        assertThat(hours.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(2.0);
    }

    @Test
    void aLabelMayArriveBeforeItsPredictionAndIsJoinedOnce(TestServer server) throws Exception {
        long now = System.currentTimeMillis() - 1000;
        server.postJson("[" + label("early", 0) + "]");
        committed(server); // the early label is committed before its prediction comes
        server.postJson("[" + prediction("early", now, 0) + "]");
        server.postJson("[" + label("early", 0) + "," + prediction("early", now, 0) + "]"); // replays
        JsonNode s = server.get("/api/v1/models/join/summary").json();
        assertThat(s.path("count").asLong()).isEqualTo(1);
        assertThat(s.path("labeled").asLong()).isEqualTo(1);
        assertThat(s.path("accuracy").asDouble()).isEqualTo(1.0);
        // and it survives a restart exactly once
        try (TestServer again = server.restart()) {
            // replays after a restart are recognised from storage
            again.postJson("[" + label("early", 1) + "," + prediction("early", now, 0) + "]");
            JsonNode after = again.get("/api/v1/models/join/summary").json();
            assertThat(after.path("count").asLong()).isEqualTo(1);
            assertThat(after.path("labeled").asLong()).isEqualTo(1);
        }
    }
}
