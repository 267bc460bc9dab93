package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLogTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> replayAll(DurableLog log, long from) {
        List<String> out = new ArrayList<>();
        log.replay(from, (payload, end) -> out.add(new String(payload, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void acknowledgedRecordsAreHandedOnInOrderAndReplayedAfterReopening() throws Exception {
        List<String> delivered = new ArrayList<>();
        DurableLog log = DurableLog.open(dir, 1 << 20, true, java.time.Clock.systemUTC());
        log.start((start, end, attachment) -> delivered.add((String) attachment), null);
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            acks.add(log.append(bytes("record-" + i), "record-" + i));
        }
        long last = 0;
        for (CompletableFuture<Long> a : acks) {
            long lsn = a.get();
            assertThat(lsn).isGreaterThan(last);
            last = lsn;
        }
        log.close();
        assertThat(delivered).hasSize(100).startsWith("record-0", "record-1").endsWith("record-99");

        DurableLog reopened = DurableLog.open(dir, 1 << 20, true, java.time.Clock.systemUTC());
        assertThat(reopened.endLsn()).isEqualTo(last);
        assertThat(replayAll(reopened, 0)).isEqualTo(delivered);
        reopened.close();
    }

    @Test
    void aTornTailIsCutOffAndNewRecordsFollowTheLastWholeOne() throws Exception {
        DurableLog log = DurableLog.open(dir, 1 << 20, true, java.time.Clock.systemUTC());
        log.start((s, e, a) -> { }, null);
        long first = log.append(bytes("whole"), null).get();
        log.close();
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(10);
            torn.putInt(500).putInt(42).put((byte) 1).put((byte) 2).flip(); // claims 500 bytes, has 2
            ch.write(torn);
        }
        DurableLog reopened = DurableLog.open(dir, 1 << 20, true, java.time.Clock.systemUTC());
        assertThat(reopened.endLsn()).isEqualTo(first);
        reopened.start((s, e, a) -> { }, null);
        reopened.append(bytes("after"), null).get();
        reopened.close();
        DurableLog third = DurableLog.open(dir, 1 << 20, true, java.time.Clock.systemUTC());
        assertThat(replayAll(third, 0)).containsExactly("whole", "after");
        third.close();
    }

    @Test
    void replayStartsAtTheCheckpointAndTruncationDeletesOnlyWholeSegmentsBeforeIt() throws Exception {
        DurableLog log = DurableLog.open(dir, 1 << 16, true, java.time.Clock.systemUTC());
        log.start((s, e, a) -> { }, null);
        byte[] payload = new byte[10_000];
        long checkpoint = 0;
        for (int i = 0; i < 30; i++) {
            payload[0] = (byte) i;
            long lsn = log.append(payload.clone(), null).get();
            if (i == 19) {
                checkpoint = lsn;
            }
        }
        int before = log.segmentCount();
        assertThat(before).isGreaterThan(3);
        List<Integer> after = new ArrayList<>();
        log.replay(checkpoint, (p, end) -> after.add((int) p[0]));
        assertThat(after).containsExactly(20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
        log.truncateBefore(checkpoint);
        assertThat(log.segmentCount()).isLessThan(before);
        List<Integer> stillThere = new ArrayList<>();
        log.replay(checkpoint, (p, end) -> stillThere.add((int) p[0]));
        assertThat(stillThere).isEqualTo(after);
        log.close();
    }

    @Test
    void anAppendAfterCloseFailsInsteadOfBeingLost() throws IOException {
        DurableLog log = DurableLog.open(dir, 1 << 20, true, java.time.Clock.systemUTC());
        log.start((s, e, a) -> { }, null);
        log.close();
        assertThat(log.append(bytes("late"), null)).isCompletedExceptionally();
    }
}
