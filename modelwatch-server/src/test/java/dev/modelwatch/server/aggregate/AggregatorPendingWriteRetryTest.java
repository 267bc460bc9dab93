package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pending rows of a committed generation are written again until the pending store takes
 * them, pausing through the injected sleeper (100, 200, 400 ms ...) rather than the system's.
 */
class AggregatorPendingWriteRetryTest {
    @TempDir
    Path dir;

    /** A pending store whose first {@code failures} writes fail. */
    static final class FailingPendingStore extends ForwardingPendingStore {
        final AtomicInteger failures;

        FailingPendingStore(PendingStore real, int failures) {
            super(real);
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public void write(PendingWrite write) {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("no space left on device");
            }
            real.write(write);
        }
    }

    @Test
    void aFailedPendingRowWriteIsRetriedWithGrowingPausesUntilItSucceeds() throws Exception {
        Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        FailingPendingStore pending = new FailingPendingStore(
                RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400), 3);
        List<Long> pauses = Collections.synchronizedList(new ArrayList<>());
        Aggregator agg = Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).sleeper(pauses::add).build();
        agg.start();
        List<Event> events = List.of(new PredictionEvent("m", "p1", "v1", System.currentTimeMillis() - 60_000,
                Map.of("x", 1.0), "1", 0.9, null, 5.0, null, Map.of()));
        agg.submit(events, 1);
        agg.flushNow().get(60, TimeUnit.SECONDS);

        assertThat(pauses).containsExactly(100L, 200L, 400L);
        assertThat(pending.real.findPredictions("m", Set.of("p1"))).containsKey("p1");
        assertThat(agg.healthProblems(Duration.ofHours(1))).isEmpty();
        agg.close();
        pending.close();
        store.close();
    }
}
