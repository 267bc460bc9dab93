package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill that touches a new window with every event: 10,000 predictions of 20 features, one per
 * minute over a week, each with a segment (no limit folds anything here), into a server with a
 * 256 MiB heap and commits only from {@code limits.max_buffered_profile_bytes} (the flush interval
 * is an hour). Every window's profiles are new, so only the budget keeps them from filling the heap
 * (before it, about 2.7 GB of profiles waited for the next flush). After {@code kill -9} the restart,
 * in the same heap, replays what was not committed, committing for memory as it goes.
 */
class WindowFloodTest {
    private static final int EVENTS = 10_000;
    private static final int BATCH = 500;
    private static final String CONFIG = """
            aggregation:
              flush_interval: 1h
            """;

    @TempDir
    Path dir;

    private static String batch(int from, long firstMinute) {
        StringBuilder sb = new StringBuilder(BATCH * 600);
        for (int i = from; i < from + BATCH; i++) {
            sb.append("{\"type\":\"prediction\",\"model\":\"backfill\",\"id\":\"p").append(i).append("\",\"timestamp\":")
                    .append((firstMinute + i) * 60_000L).append(",\"features\":{");
            for (int f = 0; f < 20; f++) {
                sb.append(f == 0 ? "" : ",").append("\"f").append(f).append("\":").append((i * 7 + f) % 101 / 10.0);
            }
            sb.append("},\"prediction\":1,\"score\":0.7,\"segments\":{\"region\":\"r").append(i % 3).append("\"}}\n");
        }
        return sb.toString();
    }

    private static long count(ServerProcess server, String query) throws Exception {
        return server.json("/api/v1/models/backfill/summary?from=0&to=" + (System.currentTimeMillis() + 60_000) + query)
                .path("count").asLong();
    }

    @Test
    void aBackfillOverThousandsOfWindowsStaysWithinA256MiBHeapAndReplaysWithinItToo() throws Exception {
        Path data = dir.resolve("data");
        long firstMinute = System.currentTimeMillis() / 60_000 - EVENTS - 10;
        ServerProcess server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-1.log"));
        try {
            for (int from = 0; from < EVENTS; from += BATCH) {
                String body = batch(from, firstMinute);
                HttpResponse<String> r = server.postNdjson(body);
                while (r.statusCode() == 429) {
                    Thread.sleep(200);
                    r = server.postNdjson(body);
                }
                assertThat(r.body()).contains("\"accepted\":" + BATCH);
            }
            assertThat(count(server, "")).as("every acknowledged event").isEqualTo(EVENTS);
            assertThat(count(server, "&segment=region:r1")).isEqualTo(EVENTS / 3);
            assertThat(server.metric("modelwatch_aggregator_memory_commits_total")).isPositive();
            server.kill();

            server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-2.log"));
            assertThat(count(server, "")).as("the same count after the replay").isEqualTo(EVENTS);
            assertThat(count(server, "&segment=region:r1")).isEqualTo(EVENTS / 3);
        } finally {
            server.close();
        }
    }
}
