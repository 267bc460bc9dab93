package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.health.WorkerThreads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTrimmerTest {
    @TempDir
    Path dir;

    /** A started log in {@code in} of segments of 64 KiB. */
    private static DurableLog open(Path in) {
        DurableLog log = DurableLog.open(in, 1 << 16, false, java.time.Clock.systemUTC());
        log.start((s, e, a) -> { }, null);
        return log;
    }

    /** Appends 30 records of 10 KB; the positions after each record. */
    private static List<Long> fill(DurableLog log) throws Exception {
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ends.add(log.append(new byte[10_000], null).get());
        }
        return ends;
    }

    @Test
    void theCallerDoesNotWaitForTheTrimAndCommitsThatLandMeanwhileAreFoldedIntoOneTrim() throws Exception {
        DurableLog log = open(dir);
        List<Long> ends = fill(log);
        int before = log.segmentCount();
        assertThat(before).isGreaterThan(3);

        CountDownLatch persisting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger persists = new AtomicInteger();
        LogTrimmer trimmer = new LogTrimmer(log, () -> {
            persists.incrementAndGet();
            persisting.countDown();
            try {
                return release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }, WorkerThreads.PLAIN);
        trimmer.committed(ends.get(5));
        // the first trim holds its thread (storing the training runs) while this thread goes on
        assertThat(persisting.await(30, TimeUnit.SECONDS)).isTrue();
        trimmer.committed(ends.get(12));
        trimmer.committed(ends.get(19));
        assertThat(log.segmentCount()).isEqualTo(before);
        release.countDown();
        trimmer.close(Duration.ofSeconds(30));

        // the first trim and one more for both later commits, to the latest of them
        assertThat(persists.get()).isEqualTo(2);
        DurableLog reference = open(dir.resolve("reference"));
        reference.truncateBefore(fill(reference).get(19));
        assertThat(log.segmentCount()).isLessThan(before).isEqualTo(reference.segmentCount());
        reference.close();
        log.close();
    }

    @Test
    void nothingIsDroppedWhenTheTrainingRunsCouldNotBeStoredAndTheNextCommitTriesAgain() throws Exception {
        DurableLog log = open(dir);
        List<Long> ends = fill(log);
        int before = log.segmentCount();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch refused = new CountDownLatch(1);
        LogTrimmer trimmer = new LogTrimmer(log, () -> {
            if (calls.incrementAndGet() == 1) {
                refused.countDown();
                return false;
            }
            return true;
        }, WorkerThreads.PLAIN);
        trimmer.committed(ends.get(19));
        assertThat(refused.await(30, TimeUnit.SECONDS)).isTrue();
        trimmer.committed(ends.get(19)); // the next commit (no new events): same position, tried again
        trimmer.close(Duration.ofSeconds(30));
        assertThat(calls.get()).isEqualTo(2);
        assertThat(log.segmentCount()).isLessThan(before);

        trimmer.committed(ends.get(29)); // after close: nothing runs, nothing throws
        assertThat(calls.get()).isEqualTo(2);
        log.close();
    }
}
