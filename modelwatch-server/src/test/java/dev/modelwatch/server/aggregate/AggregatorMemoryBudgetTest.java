package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.ingest.LimitObserver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.ingest.Limits;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits.max_buffered_profile_bytes}: the runtime commits when what it buffers reaches the
 * budget, part-way through a log record if need be (one request may span thousands of windows),
 * from a position a replay resumes at; a replay commits the same way, so it never holds more than
 * the running server did, and every event is counted once.
 */
class AggregatorMemoryBudgetTest {
    private static final long RECORD_START = 1_000;
    private static final long RECORD_END = 2_000_000;
    /** The smallest budget there is: a few dozen predictions of 20 features in windows of their own fill it. */
    private static final Limits LIMITS = new Limits(100, 10, 5, 100, 100, 10, 1L << 20, 64L << 20, 0);

    @TempDir
    Path dir;
    private Store store;
    private PendingStore pending;

    @BeforeEach
    void open() {
        store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
        pending = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400);
    }

    @AfterEach
    void close() {
        pending.close();
        store.close();
    }

    private Aggregator aggregator() {
        return Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).idFilterCapacity(100_000).limits(LIMITS, LimitObserver.NONE).build();
    }

    /**
     * One log record: {@code n} predictions of 20 features, each in a one-minute window of its own,
     * without ids (a replay cannot recognise them: only the log position keeps them from counting twice).
     */
    private static List<Event> record(int n) {
        long first = (System.currentTimeMillis() / 60_000 - 3 * 24 * 60) * 60_000;
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> features = new LinkedHashMap<>();
            for (int f = 0; f < 20; f++) {
                features.put("f" + f, (double) ((i * 31 + f) % 97));
            }
            events.add(new PredictionEvent("m", null, "v1", first + i * 60_000L, features, "1", 0.7, null, 4.0, null,
                    Map.of("region", "r" + i % 3)));
        }
        return events;
    }

    private static void awaitNoCommitInFlight(Aggregator a) throws Exception {
        while (a.ask(Aggregator::commitInFlight).get(60, TimeUnit.SECONDS)) {
            Thread.sleep(10);
        }
    }

    private long storedCount() {
        long n = 0;
        for (StoredProfile p : store.profiles("m", null, ProfileKey.ALL, 60_000, 0, Long.MAX_VALUE)) {
            n += p.profile().count();
        }
        return n;
    }

    @Test
    void aRecordOverTheBudgetIsCommittedPartWayThroughAndTheRestReplaysFromThere() throws Exception {
        List<Event> record = record(600);
        Aggregator running = aggregator();
        running.start();
        running.submit(record, RECORD_START, RECORD_END);
        awaitNoCommitInFlight(running); // the record was applied and the last commit it started has finished

        assertThat(running.budgetCommits()).as("commits for memory").isPositive();
        long checkpoint = store.checkpointLsn();
        assertThat(checkpoint).as("a position inside the record").isStrictlyBetween(RECORD_START, RECORD_END);
        assertThat(storedCount()).isPositive().isLessThan(600);
        // the process dies here (nothing more is committed): the rest of the record is only in the log

        Aggregator restarted = aggregator();
        assertThat(restarted.replayFrom()).isEqualTo(checkpoint);
        restarted.replay(record, RECORD_START, RECORD_END);
        restarted.start();
        restarted.flushNow().get(60, TimeUnit.SECONDS);
        assertThat(storedCount()).as("each event once").isEqualTo(600);
        assertThat(store.checkpointLsn()).isEqualTo(RECORD_END);
        restarted.close();
    }

    @Test
    void aReplayCommitsWhenItReachesTheBudgetAndASecondReplayResumesInsideTheRecord() throws Exception {
        List<Event> record = record(600);
        // nothing committed yet: the whole record replays at start
        Aggregator first = aggregator();
        assertThat(first.replayFrom()).isZero();
        first.replay(record, RECORD_START, RECORD_END);
        assertThat(first.budgetCommits()).as("the replay committed as it went").isPositive();
        first.start();
        awaitNoCommitInFlight(first); // the commit the replay started has finished
        long checkpoint = store.checkpointLsn();
        assertThat(checkpoint).isStrictlyBetween(RECORD_START, RECORD_END);
        // dies again before its next commit

        Aggregator second = aggregator();
        assertThat(second.replayFrom()).isEqualTo(checkpoint);
        second.replay(record, RECORD_START, RECORD_END);
        second.start();
        second.flushNow().get(60, TimeUnit.SECONDS);
        assertThat(storedCount()).as("each event once").isEqualTo(600);
        second.close();
    }
}
