package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoredProfile;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each resolution's windows hold what falls in them and are kept for its own retention; pending rows leave after
 * the join horizon.
 */
class AggregatorRetentionTest {
    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;
    private static final long DAY = 86_400_000;

    @TempDir
    Path dir;
    private Store store;
    private PendingStore pending;

    @BeforeEach
    void open() throws Exception {
        store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        pending = RocksPendingStore.open(dir.resolve("pending"), 86_400);
    }

    @AfterEach
    void close() throws Exception {
        pending.close();
        store.close();
    }

    @Test
    void expiryDeletesWhatIsPastEachResolutionsRetention() throws Exception {
        long start = 20_000 * DAY;
        ManualClock clock = new ManualClock(start);
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
    }

    /**
     * One commit's hour and day windows hold exactly the minute windows under them: an hour of several minutes, an
     * hour of one minute (stored as that minute, to the byte), a day of one hour, a day of several hours, for all
     * traffic and for a segment, with enough values that the quantile sketches compact.
     */
    @Test
    void eachHourAndDayWindowIsTheUnionOfItsMinutes() throws Exception {
        long start = 20_000 * DAY;
        ManualClock clock = new ManualClock(start);
        Aggregator agg = Aggregator.builder(store, pending).clock(clock).flushInterval(Duration.ofHours(1))
                .joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(30), HOUR, Duration.ofDays(30), DAY, Duration.ofDays(30))).build();
        agg.start();
        long dayOne = start - 2 * DAY;
        long dayTwo = start - DAY;
        // day one: hour 3 has minutes 5, 6 and 7, hour 9 has minute 1; day two: hour 4 has minute 2 alone
        long[] minutes = {dayOne + 3 * HOUR + 5 * MINUTE, dayOne + 3 * HOUR + 6 * MINUTE, dayOne + 3 * HOUR + 7 * MINUTE,
            dayOne + 9 * HOUR + MINUTE, dayTwo + 4 * HOUR + 2 * MINUTE};
        SplittableRandom random = new SplittableRandom(5);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long t = minutes[i % minutes.length] + random.nextLong(MINUTE);
            events.add(new PredictionEvent("m", "p" + i, "v1", t, Map.of("x", random.nextDouble(), "y", i * 1.0),
                    random.nextBoolean() ? "1" : "0", random.nextDouble(), null, 1.0, null,
                    Map.of("region", i % 3 == 0 ? "eu" : "us")));
        }
        agg.submit(events, 10);
        agg.flushNow().get(30, TimeUnit.SECONDS);

        for (String segment : List.of(ProfileKey.ALL, ProfileKey.segment("region", "eu"))) {
            List<StoredProfile> base = store.profiles("m", null, segment, MINUTE, 0, Long.MAX_VALUE);
            assertThat(base).as(segment).hasSize(5);
            for (long res : new long[] {HOUR, DAY}) {
                List<StoredProfile> rolled = store.profiles("m", null, segment, res, 0, Long.MAX_VALUE);
                assertThat(rolled).as("%s at %d", segment, res).hasSize(res == HOUR ? 3 : 2);
                for (StoredProfile r : rolled) {
                    long from = r.key().windowStartMs();
                    List<WindowProfile> under = base.stream().filter(b -> b.key().windowStartMs() >= from
                            && b.key().windowStartMs() < from + res).map(StoredProfile::profile).toList();
                    assertThat(r.profile().count()).as("%s %s", segment, r.key())
                            .isEqualTo(under.stream().mapToLong(WindowProfile::count).sum());
                    for (String f : List.of("x", "y")) {
                        assertThat(r.profile().features().get(f).numericCount()).as("%s %s %s", segment, r.key(), f)
                                .isEqualTo(under.stream().mapToLong(p -> p.features().get(f).numericCount()).sum());
                        assertThat(r.profile().features().get(f).quantileSketch().getN())
                                .isEqualTo(r.profile().features().get(f).numericCount());
                    }
                    if (under.size() == 1) {
                        assertThat(r.profile().toBytes()).as("%s %s: its one minute", segment, r.key())
                                .isEqualTo(under.get(0).toBytes());
                    }
                }
            }
        }
        agg.close();
    }
}
