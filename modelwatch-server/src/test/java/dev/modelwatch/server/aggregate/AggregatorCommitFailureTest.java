package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.EarlyLabel;
import dev.modelwatch.store.Flush;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoreException;
import dev.modelwatch.store.StoredProfile;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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

    /** A real store that refuses commits while {@code down} is set, and makes each take {@code commitDelayMs}. */
    static final class FlakyStore implements Store {
        final Store real;
        volatile boolean down;
        volatile long commitDelayMs;

        FlakyStore(Store real) {
            this.real = real;
        }

        @Override
        public void commit(Flush flush) {
            if (down) {
                throw new StoreException("database is down");
            }
            if (commitDelayMs > 0) {
                try {
                    Thread.sleep(commitDelayMs / 2);
                    real.commit(flush);
                    Thread.sleep(commitDelayMs - commitDelayMs / 2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted");
                }
                return;
            }
            real.commit(flush);
        }

        @Override
        public long checkpointLsn() {
            return real.checkpointLsn();
        }

        @Override
        public List<StoredProfile> profiles(String model, String version, String segment, long res, long from, long to) {
            return real.profiles(model, version, segment, res, from, to);
        }

        @Override
        public dev.modelwatch.store.ProfileRead profiles(String model, String version, String segment,
                                                         List<dev.modelwatch.store.ProfileRead.Range> ranges) {
            return real.profiles(model, version, segment, ranges);
        }

        @Override
        public List<ModelRecord> models() {
            return real.models();
        }

        @Override
        public Map<String, dev.modelwatch.store.AdmittedValues> admittedValues() {
            return real.admittedValues();
        }

        @Override
        public List<dev.modelwatch.core.event.TrainingEvent> trainingEvents(String model, String run) {
            return real.trainingEvents(model, run);
        }

        @Override
        public List<dev.modelwatch.core.event.MetricEvent> metricEvents(String name, long from, long to) {
            return real.metricEvents(name, from, to);
        }

        @Override
        public long expire(Map<Long, Long> cutoffs) {
            return real.expire(cutoffs);
        }

        @Override
        public void putReference(dev.modelwatch.store.StoredReference reference) {
            real.putReference(reference);
        }

        @Override
        public java.util.Optional<dev.modelwatch.store.StoredReference> findReference(String model, String version) {
            return real.findReference(model, version);
        }

        @Override
        public List<dev.modelwatch.store.StoredReference> references(String model) {
            return real.references(model);
        }

        @Override
        public boolean deleteReference(String model, String version) {
            return real.deleteReference(model, version);
        }

        @Override
        public java.util.Optional<byte[]> alertingState(String name) {
            return real.alertingState(name);
        }

        @Override
        public List<dev.modelwatch.store.OutboxEntry> saveAlerting(Map<String, byte[]> states,
                List<dev.modelwatch.store.OutboxEntry> notifications, List<dev.modelwatch.store.AlertHistoryEntry> history,
                long nowMs) {
            return real.saveAlerting(states, notifications, history, nowMs);
        }

        @Override
        public List<dev.modelwatch.store.AlertHistoryEntry> alertHistory(String alertId, long sinceMs, int limit) {
            return real.alertHistory(alertId, sinceMs, limit);
        }

        @Override
        public long expireAlertHistory(long beforeMs) {
            return real.expireAlertHistory(beforeMs);
        }

        @Override
        public List<dev.modelwatch.store.OutboxEntry> dueNotifications(long nowMs, int limit) {
            return real.dueNotifications(nowMs, limit);
        }

        @Override
        public void updateNotification(dev.modelwatch.store.OutboxEntry entry) {
            real.updateNotification(entry);
        }

        @Override
        public List<dev.modelwatch.store.OutboxEntry> recentNotifications(int limit) {
            return real.recentNotifications(limit);
        }

        @Override
        public long expireNotifications(long beforeMs) {
            return real.expireNotifications(beforeMs);
        }

        @Override
        public boolean isReachable() {
            return !down;
        }

        @Override
        public String kind() {
            return real.kind();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private static PredictionEvent prediction(String id, long ts) {
        return new PredictionEvent("m", id, "v1", ts, Map.of("x", 1.0), "1", 0.9, null, 5.0, null, Map.of());
    }

    @Test
    void changesOfARefusedCommitAreKeptAndWrittenOnceByTheNextOne() throws Exception {
        FlakyStore store = new FlakyStore(Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT));
        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400);
        Aggregator agg = new Aggregator(store, pending, Clock.systemUTC(), SketchSettings.DEFAULT, Map.of(), Duration.ofHours(1),
                Duration.ofDays(7), Map.of(0L, Duration.ofDays(8)), new ModelRegistry(), null);
        agg.start();
        long ts = System.currentTimeMillis() - 120_000;
        List<Event> first = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(prediction("p" + i, ts));
        }
        agg.submit(first, 100);
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
    void queriesDuringBackToBackCommitsCountEveryAppliedEventExactlyOnce() throws Exception {
        FlakyStore store = new FlakyStore(Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT));
        store.commitDelayMs = 120; // commits take longer than the flush interval: one is nearly always in flight
        PendingStore pending = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400);
        Aggregator agg = new Aggregator(store, pending, Clock.systemUTC(), SketchSettings.DEFAULT, Map.of(), Duration.ofMillis(20),
                Duration.ofDays(7), Map.of(0L, Duration.ofDays(8)), new ModelRegistry(), null);
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
        }
        agg.close();
        pending.close();
        store.close();
    }
}
