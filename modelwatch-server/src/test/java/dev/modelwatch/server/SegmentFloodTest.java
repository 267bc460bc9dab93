package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods that once filled the heap, into a server with a 256 MiB heap, the default limits and a
 * flush interval of an hour (so that a hard kill leaves the events in the log, and the restart, in
 * the same heap, replays them).
 * <ul>
 * <li>Issue 9's segment flood: one model gets far more distinct segment values than
 * {@code limits.max_segment_values_per_key} (100 by default), 20 features each (before the limits,
 * a few thousand values filled that heap: every value kept a profile of 88 KB until the next
 * commit). The server stays up, answers queries, counts every acknowledged event, and counts the
 * values past the limit under {@code user:__other__}.</li>
 * <li>A backfill that touches a new window with every event: 10,000 predictions, one per minute over
 * a week, each with one of three segment values (nothing folds). Only
 * {@code limits.max_buffered_profile_bytes} keeps the profiles of new windows from filling the heap
 * (before it, about 2.7 GB of them waited for the next flush); the replay commits for memory too.</li>
 * </ul>
 */
class SegmentFloodTest {
    private static final int VALUES = 50_000;
    private static final int BATCH = 1_000;
    private static final int WINDOWS = 10_000;
    private static final String CONFIG = """
            aggregation:
              flush_interval: 1h
            """;
    /**
     * The backfill's heap. In full, loaded `mvn verify` runs its server once died of GC overhead at
     * the whole-range summary right after the backfill: each commit's result kept a view of the
     * commit's parts (every profile copied for it, with their hour and day windows), and the tasks
     * that report commits, queued behind the backfill's applies, held one generation's profiles each
     * (85% of the live heap in a dump taken mid-backfill). Run it under load with
     * {@code -Dbackfill.heap=...} and {@code -Dserver.heapdump.dir=...} to look again.
     */
    private static final String BACKFILL_HEAP = System.getProperty("backfill.heap", "256m");
    /**
     * The backfill's configuration: limits sized for a 256 MiB heap by the budget of
     * docs/configuration.md (5 x 16 MiB buffered + 8 MiB of rows + 32 MiB of queue + about 55 MiB
     * fixed = 175 MiB; the defaults add up to about 590 MiB and need a 1 GiB heap).
     */
    private static final String SMALL_HEAP_CONFIG = CONFIG + """
            limits:
              max_buffered_profile_bytes: 16777216
              max_queued_event_bytes: 33554432
              max_cached_reference_bytes: 16777216
            """;

    @TempDir
    Path dir;

    private static String batch(int from, long ts) {
        StringBuilder sb = new StringBuilder(BATCH * 600);
        for (int i = from; i < from + BATCH; i++) {
            sb.append(ServerProcess.prediction("flood", "p" + i, ts, i, "{\"user\":\"u" + i + "\"}"));
        }
        return sb.toString();
    }

    /** Predictions {@code from} to {@code from + BATCH} of the backfill: prediction i in minute {@code firstMinute + i}. */
    private static String backfill(int from, long firstMinute) {
        StringBuilder sb = new StringBuilder(BATCH * 600);
        for (int i = from; i < from + BATCH; i++) {
            sb.append(ServerProcess.prediction("backfill", "p" + i, (firstMinute + i) * 60_000L, i,
                    "{\"region\":\"r" + i % 3 + "\"}"));
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
                acknowledged += server.postBackingOff(batch(from, ts));
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

    private static long backfillCount(ServerProcess server, String query) throws Exception {
        return server.json("/api/v1/models/backfill/summary?from=0&to=" + (System.currentTimeMillis() + 60_000) + query)
                .path("count").asLong();
    }

    @Test
    void aBackfillOverThousandsOfWindowsStaysWithinABoundedHeapAndReplaysWithinItToo() throws Exception {
        Path data = dir.resolve("data");
        long firstMinute = System.currentTimeMillis() / 60_000 - WINDOWS - 10;
        ServerProcess server = ServerProcess.start(data, SMALL_HEAP_CONFIG, BACKFILL_HEAP, dir.resolve("run-1.log"));
        try {
            for (int from = 0; from < WINDOWS; from += BATCH) {
                assertThat(server.postBackingOff(backfill(from, firstMinute))).isEqualTo(BATCH);
            }
            assertThat(backfillCount(server, "")).as("every acknowledged event").isEqualTo(WINDOWS);
            assertThat(backfillCount(server, "&segment=region:r1")).isEqualTo(WINDOWS / 3);
            assertThat(server.metric("modelwatch_aggregator_memory_commits_total")).isPositive();
            server.kill();

            server = ServerProcess.start(data, SMALL_HEAP_CONFIG, BACKFILL_HEAP, dir.resolve("run-2.log"));
            assertThat(backfillCount(server, "")).as("the same count after the replay").isEqualTo(WINDOWS);
            assertThat(backfillCount(server, "&segment=region:r1")).isEqualTo(WINDOWS / 3);
        } finally {
            server.close();
        }
    }
}
