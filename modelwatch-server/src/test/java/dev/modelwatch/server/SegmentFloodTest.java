package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's segment flood: one model gets far more distinct segment values than
 * {@code limits.max_segment_values_per_key} (100 by default), 20 features each, into a server with a
 * 256 MiB heap and the default limits (before the limits, a few thousand values filled that heap:
 * every value kept a profile of 88 KB until the next commit). The server stays up, answers
 * queries, counts every acknowledged event, and counts the values past the limit under
 * {@code user:__other__}. The flush interval is an hour, so a hard kill leaves every event in the
 * log: the restart, with the same heap, replays all of them into the same state.
 */
class SegmentFloodTest {
    private static final int VALUES = 50_000;
    private static final int BATCH = 1_000;
    private static final String CONFIG = """
            aggregation:
              flush_interval: 1h
            """;

    @TempDir
    Path dir;

    private static String batch(int from, long ts) {
        StringBuilder sb = new StringBuilder(BATCH * 600);
        for (int i = from; i < from + BATCH; i++) {
            sb.append("{\"type\":\"prediction\",\"model\":\"flood\",\"id\":\"p").append(i).append("\",\"timestamp\":")
                    .append(ts).append(",\"features\":{");
            for (int f = 0; f < 20; f++) {
                sb.append(f == 0 ? "" : ",").append("\"f").append(f).append("\":").append((i * 7 + f) % 101 / 10.0);
            }
            sb.append("},\"prediction\":1,\"score\":0.7,\"segments\":{\"user\":\"u").append(i).append("\"}}\n");
        }
        return sb.toString();
    }

    private static long count(ServerProcess server, String query) throws Exception {
        return server.json("/api/v1/models/flood/summary" + query).path("count").asLong();
    }

    @Test
    void aFloodOfDistinctSegmentValuesIsCountedUnderOtherWithinA256MiBHeapAndReplaysTheSame() throws Exception {
        Path data = dir.resolve("data");
        long ts = System.currentTimeMillis();
        long acknowledged = 0;
        ServerProcess server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-1.log"));
        try {
            for (int from = 0; from < VALUES; from += BATCH) {
                String body = batch(from, ts);
                HttpResponse<String> r = server.postNdjson(body);
                while (r.statusCode() == 429) { // the aggregator is behind: back off as a client does
                    Thread.sleep(200);
                    r = server.postNdjson(body);
                }
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                acknowledged += TestServer.JSON.readTree(r.body()).path("accepted").asLong();
            }
            assertThat(acknowledged).isEqualTo(VALUES);
            assertThat(count(server, "")).as("every acknowledged event").isEqualTo(VALUES);
            assertThat(count(server, "?segment=user:__other__")).isEqualTo(VALUES - 100);
            assertThat(count(server, "?segment=user:u99")).isEqualTo(1);
            assertThat(count(server, "?segment=user:u100")).isZero();
            assertThat(server.metric("modelwatch_limit_folded_values_total{limit=\"segment_values\",model=\"flood\"}"))
                    .isEqualTo(VALUES - 100);
            // folding keeps the profiles few (102 a window): nothing needed committing for memory
            assertThat(server.get("/metrics").body()).contains("modelwatch_aggregator_memory_commits_total 0.0");
            assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(server.isAlive()).isTrue();
            server.kill();

            server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-2.log"));
            assertThat(count(server, "")).as("the same state after the replay").isEqualTo(VALUES);
            assertThat(count(server, "?segment=user:__other__")).isEqualTo(VALUES - 100);
            assertThat(count(server, "?segment=user:u0")).isEqualTo(1);
            assertThat(count(server, "?segment=user:u100")).isZero();
            // the admitted values came back with the replay: a new value is still folded, an admitted one is not
            HttpResponse<String> more = server.postNdjson(batch(VALUES, ts).lines().findFirst().orElseThrow() + "\n"
                    + batch(0, ts).lines().findFirst().orElseThrow().replace("\"id\":\"p0\"", "\"id\":\"again\""));
            assertThat(more.statusCode()).isEqualTo(200);
            assertThat(count(server, "?segment=user:__other__")).isEqualTo(VALUES - 100 + 1);
            assertThat(count(server, "?segment=user:u0")).isEqualTo(2);
        } finally {
            server.close();
        }
    }
}
