package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.server.FaultInjectingStore;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.StoredProfile;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A commit that storage refuses loses nothing and counts nothing twice once storage is back. */
class AggregatorCommitFailureTest {
    @TempDir
    Path dir;

    private static PredictionEvent prediction(String id, long ts) {
        return new PredictionEvent("m", id, "v1", ts, Map.of("x", 1.0), "1", 0.9, null, 5.0, null, Map.of());
    }

    /** A running aggregator over {@code store} and {@code pending} that commits only when asked to. */
    private static Aggregator started(FaultInjectingStore store, PendingStore pending) {
        Aggregator agg = Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).build();
        agg.start();
        return agg;
    }

    /** Predictions {@code p<from>} to {@code p<to - 1>} at {@code ts}. */
    private static List<Event> predictions(int from, int to, long ts) {
        List<Event> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(prediction("p" + i, ts));
        }
        return events;
    }

    @Test
    void changesOfARefusedCommitAreKeptAndWrittenOnceByTheNextOne() throws Exception {
        FaultInjectingStore store = new FaultInjectingStore(Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT));
        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400);
        Aggregator agg = started(store, pending);
        long ts = System.currentTimeMillis() - 120_000;
        agg.submit(predictions(0, 50, ts), 100);
        store.down = true;
        assertThatThrownBy(() -> agg.flushNow().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("storage is unavailable");
        // more events arrive while storage is down: labels for the first ones and replays
        List<Event> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            second.add(new LabelEvent("m", "p" + i, ts + 1000, i < 40 ? "1" : "0"));
            second.add(prediction("p" + i, ts)); // a replay: must not count
        }
        agg.submit(second, 200);
        store.down = false;
        agg.flushNow().get(30, TimeUnit.SECONDS);
        assertThat(store.checkpointLsn()).isEqualTo(200);
        WindowProfile merged = new WindowProfile(SketchSettings.DEFAULT);
        for (StoredProfile p : store.profiles("m", null, ProfileKey.ALL, 3_600_000L, 0, Long.MAX_VALUE)) {
            merged.merge(p.profile());
        }
        assertThat(merged.count()).isEqualTo(50);
        assertThat(merged.labeled()).isEqualTo(50);
        assertThat(pending.findPredictions("m", List.of("p0", "p49"))).hasSize(2)
                .allSatisfy((id, p) -> assertThat(p.labeled()).isTrue());
        agg.close();
        pending.close();
        store.close();
    }

    @Test
    void aCommitThatLandedButWhoseAnswerWasLostIsNotCommittedAgain() throws Exception {
        FaultInjectingStore store = new FaultInjectingStore(Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT));
        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400);
        Aggregator agg = started(store, pending);
        long ts = System.currentTimeMillis() - 120_000;
        agg.submit(predictions(0, 50, ts), 100);
        // the connection dies just after the database took the COMMIT, and the database is gone for a while
        store.loseNextAnswer = true;
        store.checkpointUnreadable = true;
        var flushed = agg.flushNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.lostAnswers.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(store.lostAnswers.get()).isEqualTo(1);
        store.checkpointUnreadable = false;
        flushed.get(30, TimeUnit.SECONDS);
        assertThat(store.checkpointLsn()).isEqualTo(100);

        agg.submit(predictions(50, 80, ts), 200);
        agg.flushNow().get(30, TimeUnit.SECONDS);
        assertThat(store.checkpointLsn()).isEqualTo(200);
        WindowProfile merged = new WindowProfile(SketchSettings.DEFAULT);
        for (StoredProfile p : store.profiles("m", null, ProfileKey.ALL, 3_600_000L, 0, Long.MAX_VALUE)) {
            merged.merge(p.profile());
        }
        assertThat(merged.count()).as("each event once, although the first commit reported a failure").isEqualTo(80);
        assertThat(pending.findPredictions("m", List.of("p0", "p79"))).hasSize(2);
        agg.close();
        pending.close();
        store.close();
    }

    @Test
    void queriesDuringBackToBackCommitsCountEveryAppliedEventExactlyOnce() throws Exception {
        FaultInjectingStore store = new FaultInjectingStore(Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT));
        store.commitDelayMs = 120; // commits take longer than the flush interval: one is nearly always in flight
        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400);
        Aggregator agg = Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofMillis(20)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).build();
        agg.start();
        ProfileQuery query = new ProfileQuery(store, agg, SketchSettings.DEFAULT);
        ModelSpec spec = ModelSpec.infer("m", false, true, "1");
        long ts = System.currentTimeMillis() - 3 * 3_600_000L; // spans minute, hour and day windows
        int submitted = 0;
        for (int round = 0; round < 40; round++) {
            List<Event> batch = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                batch.add(prediction("r" + round + "-" + i, ts + (round * 25L + i) * 7_000));
            }
            agg.submit(batch, 100L * (round + 1));
            submitted += batch.size();
            // read-your-writes and no double counting, whichever commits land during the query
            long counted = query.range(spec, null, ProfileKey.ALL, ts - 3_600_000L, ts + 4 * 3_600_000L).count();
            assertThat(counted).as("round %d", round).isEqualTo(submitted);
            long stepped = query.series(spec, null, ProfileKey.ALL, ts - 3_600_000L, ts + 4 * 3_600_000L, 3_600_000L)
                    .stream().mapToLong(b -> b.profile().count()).sum();
            assertThat(stepped).as("round %d, hourly series", round).isEqualTo(submitted);
            // several models' series read together (the overview's): the same counts, with one round trip for all
            List<List<ProfileQuery.Bucket>> together = query.series(List.of(
                    new ProfileQuery.SeriesRequest(ModelSpec.infer("other", false, true, "1"), ts, ts + 3_600_000L, 60_000L),
                    new ProfileQuery.SeriesRequest(spec, ts - 3_600_000L, ts + 4 * 3_600_000L, 60_000L)));
            assertThat(together.get(0)).as("round %d, a model without events", round).isEmpty();
            assertThat(together.get(1).stream().mapToLong(b -> b.profile().count()).sum()).as("round %d, series of models", round)
                    .isEqualTo(submitted);
        }
        agg.close();
        pending.close();
        store.close();
    }
}
