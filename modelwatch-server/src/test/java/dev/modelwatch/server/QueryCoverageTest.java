package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.config.ConfigLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A range query bounded inside a window covers that whole window: every answer of a range query
 * states the range it asked for and the whole windows it covers, and its counts are those of the
 * covered range.
 */
class QueryCoverageTest {
    private static final long HOUR_START = Instant.parse("2026-11-22T09:00:00Z").toEpochMilli();
    private static final long NOW = HOUR_START + 3_600_000L + 20;
    /** Seconds of each minute that carry one prediction: 7 a minute, one of them after second 54. */
    private static final int[] SECONDS = {0, 10, 20, 30, 40, 50, 59};

    @RegisterExtension
    final ServerFixture fixture = ServerFixture.of(dir -> ConfigLoader.parse(
            "models:\n  clean: {task: regression, window: 1m}\n", "coverage.yml").withDataDir(dir)).clock(new ManualClock(NOW));

    @Test
    void aQueryEndingAtSecond54OfAWindowCoversTheWholeWindowAndSaysSo(TestServer server) throws Exception {
        StringBuilder events = new StringBuilder();
        for (int minute = 0; minute < 60; minute++) {
            for (int s : SECONDS) {
                events.append(String.format(Locale.ROOT, "{\"type\":\"prediction\",\"model\":\"clean\","
                        + "\"timestamp\":%d,\"features\":{\"x\":%d},\"prediction\":1.5}%n",
                        HOUR_START + minute * 60_000L + s * 1000L, minute));
            }
        }
        assertThat(server.post("/api/v1/events", "application/x-ndjson",
                events.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).status()).isEqualTo(200);
        server.server().awaitAggregated(Duration.ofSeconds(30));
        String range = "from=2026-11-22T09:00:00Z&to=2026-11-22T09:30:54Z";

        // 30 whole minutes and 6 events of the 31st before 09:30:54; the window 09:30 counts all its 7
        JsonNode summary = server.get("/api/v1/models/clean/summary?" + range).json();
        assertThat(summary.get("from").asText()).isEqualTo("2026-11-22T09:00:00Z");
        assertThat(summary.get("to").asText()).isEqualTo("2026-11-22T09:30:54Z");
        assertCovered(summary.get("covered"), "2026-11-22T09:00:00Z", "2026-11-22T09:31:00Z", 31);
        assertThat(summary.get("count").asLong()).isEqualTo(31 * SECONDS.length);
        assertThat(summary.get("features").get("x").get("max").asDouble()).isEqualTo(30);

        JsonNode drift = server.get("/api/v1/models/clean/drift?" + range).json();
        assertThat(drift.get("to").asText()).isEqualTo("2026-11-22T09:30:54Z");
        assertCovered(drift.get("covered"), "2026-11-22T09:00:00Z", "2026-11-22T09:31:00Z", 31);
        assertThat(drift.get("events").asLong()).isEqualTo(31 * SECONDS.length);

        // series align to their step: 09:00 to 09:40 in 10-minute steps, 40 windows
        JsonNode series = server.get("/api/v1/models/clean/metrics?names=count&step=10m&" + range).json();
        assertThat(series.get("from").asText()).isEqualTo("2026-11-22T09:00:00Z");
        assertThat(series.get("to").asText()).isEqualTo("2026-11-22T09:30:54Z");
        assertCovered(series.get("covered"), "2026-11-22T09:00:00Z", "2026-11-22T09:40:00Z", 40);
        long counted = 0;
        for (JsonNode point : series.get("series").get(0).get("points")) {
            counted += point.get(1).asLong();
        }
        assertThat(counted).isEqualTo(40 * SECONDS.length);

        // a range on window boundaries covers exactly itself
        JsonNode aligned = server.get("/api/v1/models/clean/summary?from=2026-11-22T09:00:00Z"
                + "&to=2026-11-22T09:30:00Z").json();
        assertCovered(aligned.get("covered"), "2026-11-22T09:00:00Z", "2026-11-22T09:30:00Z", 30);
        assertThat(aligned.get("count").asLong()).isEqualTo(30 * SECONDS.length);
    }

    private static void assertCovered(JsonNode covered, String from, String to, long windows) {
        assertThat(covered).as("covered").isNotNull();
        assertThat(covered.get("from").asText()).isEqualTo(from);
        assertThat(covered.get("to").asText()).isEqualTo(to);
        assertThat(covered.get("windows").asLong()).isEqualTo(windows);
    }
}
