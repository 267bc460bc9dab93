package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each resolution keeps its windows for its own retention, and pending rows leave after the join horizon. */
class AggregatorRetentionTest {
    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;
    private static final long DAY = 86_400_000;

    @TempDir
    Path dir;

    @Test
    void expiryDeletesWhatIsPastEachResolutionsRetention() throws Exception {
        long start = 20_000 * DAY;
        ManualClock clock = new ManualClock(start);
        Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), 86_400);
        // base windows kept 2 days, hours 10 days, days 30 days; labels may join for 1 day
        Aggregator agg = Aggregator.builder(store, pending).clock(clock)
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(1))
                .retention(Map.of(0L, Duration.ofDays(2), HOUR, Duration.ofDays(10), DAY, Duration.ofDays(30))).build();
        agg.start();
        long old = start - 5 * DAY + 7 * MINUTE;    // past the base retention, within the hour one
        long ancient = start - 20 * DAY;            // past the hour retention, within the day one
        long recent = start - HOUR;
        long nearHorizon = start - DAY + 5 * MINUTE; // within the join horizon now, past it 11 minutes later
        List<Event> events = List.of(
                new PredictionEvent("m", "a", "v1", old, Map.of("x", 1.0), "1", 0.9, null, 1.0, null, Map.of()),
                new PredictionEvent("m", "b", "v1", ancient, Map.of("x", 2.0), "1", 0.9, null, 1.0, null, Map.of()),
                new PredictionEvent("m", "c", "v1", recent, Map.of("x", 3.0), "1", 0.9, null, 1.0, null, Map.of()),
                new PredictionEvent("m", "d", "v1", nearHorizon, Map.of("x", 4.0), "1", 0.9, null, 1.0, null, Map.of()),
                new LabelEvent("m", "early", start - 3 * DAY, "1"));
        agg.submit(events, 10);
        agg.flushNow().get(30, TimeUnit.SECONDS);
        assertThat(store.profiles("m", null, ProfileKey.ALL, MINUTE, 0, Long.MAX_VALUE)).hasSize(4);
        // predictions already past the join horizon when they arrive wait for no label
        assertThat(pending.findPredictions("m", List.of("a", "b", "c", "d"))).containsOnlyKeys("c", "d");

        clock.now.addAndGet(11 * MINUTE); // the next loop turn runs the expiry on the store writer
        long deadline = System.currentTimeMillis() + 10_000;
        while (store.profiles("m", null, ProfileKey.ALL, MINUTE, 0, Long.MAX_VALUE).size() > 2
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.profiles("m", null, ProfileKey.ALL, MINUTE, 0, Long.MAX_VALUE))
                .extracting(p -> p.key().windowStartMs()).containsExactlyInAnyOrder(
                        Math.floorDiv(nearHorizon, MINUTE) * MINUTE, Math.floorDiv(recent, MINUTE) * MINUTE);
        assertThat(store.profiles("m", null, ProfileKey.ALL, HOUR, 0, Long.MAX_VALUE))
                .extracting(p -> p.key().windowStartMs())
                .containsExactlyInAnyOrder(Math.floorDiv(old, HOUR) * HOUR, Math.floorDiv(nearHorizon, HOUR) * HOUR,
                        Math.floorDiv(recent, HOUR) * HOUR);
        assertThat(store.profiles("m", null, ProfileKey.ALL, DAY, 0, Long.MAX_VALUE)).hasSize(3);
        // pending predictions and early labels older than the join horizon are gone
        assertThat(pending.findPredictions("m", List.of("a", "b", "c", "d"))).containsOnlyKeys("c");
        assertThat(pending.findEarlyLabels("m", List.of("early"))).isEmpty();
        agg.close();
        pending.close();
        store.close();
    }
}
