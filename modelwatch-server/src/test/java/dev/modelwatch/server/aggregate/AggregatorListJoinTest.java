package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoreException;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Within one list of events, each event is joined against the ones before it as if they had come
 * alone: a label before its prediction, a prediction repeated in the list or stored before, a
 * label repeated; also when storage fails the list's first lookup and the list is applied again.
 */
class AggregatorListJoinTest {
    @TempDir
    Path dir;

    /** A pending store whose next {@code failures} prediction lookups fail as unreadable storage. */
    static final class FailingLookups extends ForwardingPendingStore {
        final AtomicInteger failures = new AtomicInteger();

        FailingLookups(PendingStore real) {
            super(real);
        }

        @Override
        public Map<String, PendingPrediction> findPredictions(String model, Collection<String> ids) {
            if (failures.getAndDecrement() > 0) {
                throw new StoreException("storage is not readable");
            }
            return real.findPredictions(model, ids);
        }
    }

    private static PredictionEvent prediction(String id, long ts) {
        return new PredictionEvent("m", id, "v1", ts, Map.of("x", 1.0), "1", 0.9, null, 5.0, null,
                Map.of("region", "eu"));
    }

    @Test
    void eachEventOfAListIsJoinedAgainstTheOnesBeforeIt() throws Exception {
        Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        FailingLookups pending = new FailingLookups(RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400));
        List<Long> pauses = Collections.synchronizedList(new ArrayList<>());
        List<int[]> applied = Collections.synchronizedList(new ArrayList<>());
        Aggregator agg = Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).sleeper(pauses::add)
                .observer(new Aggregator.AggregatorObserver() {
                    @Override
                    public void onApplied(int events, int duplicates) {
                        applied.add(new int[] {events, duplicates});
                    }

                    @Override
                    public void onFlush(int profiles, long nanos, boolean ok) {
                    }
                }).build();
        agg.start();
        long ts = System.currentTimeMillis() - 60_000;
        agg.submit(List.of(prediction("a", ts)), 1);
        agg.flushNow().get(60, TimeUnit.SECONDS);

        pending.failures.set(1);
        List<Event> list = List.of(
                new LabelEvent("m", "x", ts, "1"), // before its prediction: kept as an early label
                prediction("x", ts),                // joined to it
                prediction("a", ts),                // stored before: a duplicate
                prediction("y", ts),
                prediction("y", ts),                // repeated in the list: a duplicate
                new LabelEvent("m", "y", ts, "0"),  // joined
                new LabelEvent("m", "y", ts, "0")); // repeated: a duplicate
        agg.submit(list, 2);
        agg.flushNow().get(60, TimeUnit.SECONDS);

        assertThat(pauses).containsExactly(100L);
        assertThat(applied).hasSize(2);
        assertThat(applied.get(1)).containsExactly(7, 3);
        Map<String, PendingPrediction> rows = pending.real.findPredictions("m", Set.of("a", "x", "y"));
        assertThat(rows.get("a").labeled()).isFalse();
        assertThat(rows.get("x").labeled()).isTrue();
        assertThat(rows.get("y").labeled()).isTrue();
        assertThat(pending.real.findEarlyLabels("m", Set.of("x", "y"))).isEmpty();
        agg.close();
        pending.close();
        store.close();
    }
}
