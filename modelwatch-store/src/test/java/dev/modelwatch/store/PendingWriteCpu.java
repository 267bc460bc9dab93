package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Not a test: a harness that measures the CPU the store writer spends on pending rows. It writes
 * {@code rows} predictions in writes of {@code batch} rows, each write's rows allocated just before
 * it among other short- and long-lived objects (as the aggregator allocates them over half a second),
 * and prints per row: the CPU and the bytes allocated by building the serialized batch alone (on one
 * copy of the rows), the CPU of the whole {@link RocksPendingStore#write} (on a second, fresh copy)
 * and the process CPU over the writes (flushes, compactions, the collector and the compiler too).
 *
 * <p>Run (one at a time on a shared machine, under {@code flock}): {@code java -Xms2g -Xmx2g
 * -XX:+AlwaysPreTouch -cp <test classpath> dev.modelwatch.store.PendingWriteCpu sequential|scattered
 * [rows] [batch] [dir]}. Without the heap touched first, the first touch of the pages of each large
 * buffer (a fault a page) shows in the figures, which a server's warm heap does not pay.
 */
public final class PendingWriteCpu {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final String[] MODELS = {"fraud", "churn"};
    private static final String[] CLASSES = {"0", "1"};

    /** Other objects of the aggregator's, some kept a while: they scatter the rows in the heap. */
    private final Object[] others = new Object[1 << 16];
    private final boolean scattered;
    private final Random random = new Random(11);
    private final List<Map<String, String>> segments = new ArrayList<>();

    private PendingWriteCpu(boolean scattered) {
        this.scattered = scattered;
        for (int i = 0; i < 8; i++) {
            segments.add(Map.of("region", "r" + i, "tier", i % 2 == 0 ? "gold" : "basic"));
        }
    }

    private List<PendingPrediction> rows(long first, int n, long seed) {
        Random ids = new Random(seed);
        List<PendingPrediction> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seq = first + i;
            String id = scattered ? new UUID(ids.nextLong(), ids.nextLong()).toString()
                    : "req-" + String.format("%08d", seq);
            long ts = 1_700_000_000_000L + seq / 100;
            rows.add(new PendingPrediction(MODELS[(int) (seq / 7 % 2)], id, "v3", ts, ts - ts % 60_000, 60_000,
                    segments.get((int) (seq % 8)), CLASSES[(int) (seq % 2)], Double.NaN, random.nextDouble(), null,
                    false));
            others[random.nextInt(others.length)] = new byte[16 + random.nextInt(160)];
        }
        return rows;
    }

    public static void main(String[] args) throws Exception {
        boolean scattered = args.length > 0 && args[0].equals("scattered");
        int total = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 250_000;
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("pending-write-cpu");
        PendingWriteCpu h = new PendingWriteCpu(scattered);

        for (int round = 0; round < 5; round++) {
            RocksPendingStore.serialize(new PendingStore.PendingWrite(1, h.rows(0, 50_000, round), List.of(), Map.of()));
        }
        long serializeNs = 0;
        long serializeBytes = 0;
        long writeNs = 0;
        long processNs = 0;
        long thread = Thread.currentThread().getId();
        try (RocksPendingStore store = RocksPendingStore.open(dir.resolve("pending"), 7 * 86_400)) {
            for (long first = 0, lsn = 1; first < total; first += batch, lsn++) {
                int n = (int) Math.min(batch, total - first);
                PendingStore.PendingWrite a = new PendingStore.PendingWrite(lsn, h.rows(first, n, first), List.of(), Map.of());
                long c0 = THREADS.getCurrentThreadCpuTime();
                long b0 = THREADS.getThreadAllocatedBytes(thread);
                byte[] serialized = RocksPendingStore.serialize(a);
                serializeNs += THREADS.getCurrentThreadCpuTime() - c0;
                serializeBytes += THREADS.getThreadAllocatedBytes(thread) - b0;
                if (serialized.length == 0) {
                    throw new IllegalStateException();
                }
                a = null;
                PendingStore.PendingWrite b = new PendingStore.PendingWrite(lsn, h.rows(first, n, first), List.of(), Map.of());
                long p0 = OS.getProcessCpuTime();
                c0 = THREADS.getCurrentThreadCpuTime();
                store.write(b);
                writeNs += THREADS.getCurrentThreadCpuTime() - c0;
                processNs += OS.getProcessCpuTime() - p0;
            }
        }
        System.out.printf("%s ids, %,d rows in writes of %,d: serialize %.3f µs/row (%.1f bytes allocated/row);"
                        + " write (writer thread) %.3f µs/row; process CPU during writes %.3f µs/row%n",
                scattered ? "scattered" : "sequential", total, batch, serializeNs / 1e3 / total,
                (double) serializeBytes / total, writeNs / 1e3 / total, processNs / 1e3 / total);
    }
}
