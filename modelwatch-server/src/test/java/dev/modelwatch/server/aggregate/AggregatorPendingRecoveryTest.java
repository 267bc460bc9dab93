package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoredProfile;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash between the store's commit and the pending rows' write: the store holds the profiles of
 * a stretch of the log whose pending rows are lost. The next start must rebuild those rows from
 * the log without counting the stretch's events in the profiles again.
 */
class AggregatorPendingRecoveryTest {
    static final int WEEK_S = 7 * 86_400;

    @TempDir
    Path dir;

    /** A pending store whose writes vanish while {@code lost} is set, as if the process died before them. */
    static final class LosingPendingStore extends ForwardingPendingStore {
        volatile boolean lost;
        /** Thrown by every write while set. */
        volatile Error error;

        LosingPendingStore(PendingStore real) {
            super(real);
        }

        @Override
        public void write(PendingWrite write) {
            if (error != null) {
                throw error;
            }
            if (!lost) {
                real.write(write);
            }
        }
    }

    private static PredictionEvent prediction(String id, long ts) {
        return new PredictionEvent("m", id, "v1", ts, Map.of("x", 1.0), "1", 0.9, null, 5.0, null, Map.of());
    }

    private Aggregator aggregator(Store store, PendingStore pending) {
        return Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).build();
    }

    private static WindowProfile stored(Store store) {
        WindowProfile merged = new WindowProfile(SketchSettings.DEFAULT);
        for (StoredProfile p : store.profiles("m", null, ProfileKey.ALL, 3_600_000L, 0, Long.MAX_VALUE)) {
            merged.merge(p.profile());
        }
        return merged;
    }

    @Test
    void pendingRowsLostAfterTheStoreCommitAreRebuiltFromTheLogWithoutCountingTwice() throws Exception {
        long ts = System.currentTimeMillis() - 120_000;
        // the ingest log, as (end position -> events)
        Map<Long, List<Event>> log = new LinkedHashMap<>();
        List<Event> first = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(prediction("p" + i, ts));
        }
        log.put(100L, first);
        List<Event> second = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            second.add(new LabelEvent("m", "p" + i, ts + 1_000, "1"));
        }
        for (int i = 0; i < 10; i++) {
            second.add(prediction("q" + i, ts + 2_000));
        }
        second.add(new LabelEvent("m", "r0", ts + 3_000, "0")); // before its prediction
        log.put(200L, second);

        Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        LosingPendingStore losing = new LosingPendingStore(RocksPendingStore.open(dir.resolve("pending"), WEEK_S));
        Aggregator before = aggregator(store, losing);
        before.start();
        before.submit(first, 100);
        before.flushNow().get(30, TimeUnit.SECONDS);
        losing.lost = true;
        before.submit(second, 200);
        before.flushNow().get(30, TimeUnit.SECONDS);
        before.close();
        losing.close();
        assertThat(store.checkpointLsn()).isEqualTo(200);
        assertThat(stored(store).count()).isEqualTo(60);
        assertThat(stored(store).labeled()).isEqualTo(40);

        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), WEEK_S);
        assertThat(pending.checkpointLsn()).isEqualTo(100);
        Aggregator after = aggregator(store, pending);
        assertThat(after.replayFrom()).isEqualTo(100);
        log.forEach((end, events) -> {
            if (end > after.replayFrom()) {
                after.replay(events, end);
            }
        });
        after.start();
        List<Event> third = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            third.add(new LabelEvent("m", "q" + i, ts + 4_000, "1"));  // needs the rebuilt rows of q0..q9
        }
        third.add(prediction("r0", ts + 5_000));                      // joins the rebuilt early label
        third.add(new LabelEvent("m", "p5", ts + 6_000, "1"));        // a replayed label: already joined
        third.add(prediction("q3", ts + 2_000));                      // a replayed prediction
        after.submit(third, 300);
        after.flushNow().get(30, TimeUnit.SECONDS);

        WindowProfile profile = stored(store);
        assertThat(profile.count()).as("p0..p49, q0..q9, r0, each once").isEqualTo(61);
        assertThat(profile.labeled()).as("p0..p39, q0..q9, r0").isEqualTo(51);
        assertThat(pending.checkpointLsn()).isEqualTo(300);
        assertThat(pending.findPredictions("m", List.of("q0", "r0", "p5", "p45")))
                .hasSize(4).allSatisfy((id, p) -> assertThat(p.labeled()).isEqualTo(!id.equals("p45")));
        assertThat(pending.findEarlyLabels("m", List.of("r0"))).isEmpty();
        after.close();
        pending.close();
        store.close();
    }

    @Test
    void anErrorWritingPendingRowsKillsTheStoreWriterAndEndsTheProcess() throws Exception {
        dev.modelwatch.server.RecordingExit exit = new dev.modelwatch.server.RecordingExit();
        try (Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
             LosingPendingStore pending = new LosingPendingStore(RocksPendingStore.open(dir.resolve("pending"), WEEK_S))) {
            pending.error = new OutOfMemoryError("Direct buffer memory (injected)");
            Aggregator agg = aggregator(store, pending);
            agg.start(new dev.modelwatch.server.health.Workers(exit));
            agg.submit(List.of(new PredictionEvent("m", "p1", "v1", System.currentTimeMillis(), Map.of(), "1", 0.9, null,
                    1.0, null, Map.of())), 10);
            agg.flushNow();
            dev.modelwatch.server.RecordingExit.Call call = exit.called.get(30, TimeUnit.SECONDS);
            assertThat(call.code()).isEqualTo(70);
            assertThat(call.reason()).contains("worker modelwatch-store-writer died").contains("OutOfMemoryError");
            agg.close(Duration.ofSeconds(2));
        }
    }
}
