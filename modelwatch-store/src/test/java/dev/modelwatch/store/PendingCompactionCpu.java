package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionOptionsUniversal;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Not a test: a harness that measures what RocksDB's own threads (flushes and compactions) spend on
 * the pending rows, under the options {@link RocksPendingStore} opens with or a variant of them. It
 * writes the ingest benchmark's rows (8 clients' ids, sequential or scattered, in bodies of 1,000) in
 * the store writer's batches ({@link RocksPendingStore#serialize}, 85,000 rows, synced), and prints
 * per row, every 5 M rows and once the last compactions are done: the CPU of the threads named
 * {@code rocksdb:*} (from {@code /proc/self/task}, Linux only) and of the writing thread.
 *
 * <p>Run (alone on the machine): {@code java -Xmx3g [-Dblock=16384] [-Dbloom=10] [-Dcompression=none]
 * [-Dtrigger=16] [-Dmin_merge_width=8] [-Dsize_ratio=1] [-Dmax_size_amp=1000] [-Dwrite_buffer_mb=128]
 * -cp <test classpath> dev.modelwatch.store.PendingCompactionCpu sequential|scattered rows [dir]};
 * without a property, the option is {@link RocksPendingStore}'s (universal compaction's own defaults
 * for the last three). The figures of 2026-12-05 are in BENCHMARKS.md.
 */
public final class PendingCompactionCpu {
    private static final int BATCH = 85_000;
    private static final int BODY = 1_000;
    private static final int CLIENTS = 8;
    private static final long CLIENT_ID_STRIDE = 1_000_000_000_000L;
    private static final long SCATTER_MASK = (1L << 39) - 1;

    private PendingCompactionCpu() {
    }

    private static int option(String name, int fallback) {
        return Integer.getInteger(name, fallback);
    }

    /** CPU seconds of this process's threads whose name starts with {@code prefix}. */
    private static double threadSeconds(String prefix) throws IOException {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                if (!Files.readString(task.resolve("comm")).trim().startsWith(prefix)) {
                    continue;
                }
                String stat = Files.readString(task.resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PendingCompactionCpu sequential|scattered rows [dir]");
            System.exit(2);
        }
        boolean scattered = args[0].equals("scattered");
        long total = Long.parseLong(args[1]);
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("pending-compaction-cpu");
        RocksDB.loadLibrary();
        CompactionOptionsUniversal universal = new CompactionOptionsUniversal();
        universal.setSizeRatio(option("size_ratio", universal.sizeRatio()))
                .setMinMergeWidth(option("min_merge_width", universal.minMergeWidth()))
                .setMaxSizeAmplificationPercent(option("max_size_amp", universal.maxSizeAmplificationPercent()));
        Options options = new Options().setCreateIfMissing(true)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(new LRUCache(64L << 20))
                        .setFilterPolicy(new BloomFilter(option("bloom", 10))).setCacheIndexAndFilterBlocks(false)
                        .setBlockSize(option("block", 4096)))
                .setCompressionType("none".equals(System.getProperty("compression"))
                        ? CompressionType.NO_COMPRESSION : CompressionType.LZ4_COMPRESSION)
                .setCompactionStyle(CompactionStyle.UNIVERSAL).setCompactionOptionsUniversal(universal)
                .setLevel0FileNumCompactionTrigger(option("trigger", 8))
                .setWriteBufferSize((long) option("write_buffer_mb", 64) << 20).setMaxWriteBufferNumber(3)
                .setMaxBackgroundJobs(2).setPeriodicCompactionSeconds(86_400);
        var threads = ManagementFactory.getThreadMXBean();
        try (TtlDB db = TtlDB.open(options, dir.toString(), 7 * 86_400, false);
             WriteOptions synced = new WriteOptions().setSync(true)) {
            List<Map<String, String>> segments = new ArrayList<>();
            for (String region : new String[] {"eu", "us", "apac", "latam"}) {
                segments.add(Map.of("region", region));
            }
            SplittableRandom random = new SplittableRandom(1);
            long[] sequence = new long[CLIENTS];
            long writeNs = 0;
            long nextReport = 5_000_000;
            for (long done = 0, lsn = 1; done < total; done += BATCH, lsn++) {
                List<PendingPrediction> rows = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    int client = (int) ((done + i) / BODY % CLIENTS);
                    long s = sequence[client]++;
                    long id = (client + 1) * CLIENT_ID_STRIDE + (scattered ? (s * 0x9E3779B97F4A7C15L) & SCATTER_MASK : s);
                    long ts = 1_800_000_000_000L + (done + i) / 170;
                    rows.add(new PendingPrediction("fraud-detector", "p" + id, random.nextInt(10) == 0 ? "v4" : "v3",
                            ts, ts - ts % 60_000, 60_000, segments.get(random.nextInt(segments.size())),
                            random.nextBoolean() ? "1" : "0", Double.NaN, Math.round(random.nextDouble() * 1e6) / 1e6,
                            null, false));
                }
                byte[] serialized = RocksPendingStore.serialize(new PendingStore.PendingWrite(lsn, rows, List.of(),
                        Map.of()));
                long t0 = threads.getCurrentThreadCpuTime();
                try (WriteBatch batch = new WriteBatch(serialized)) {
                    db.write(synced, batch);
                }
                writeNs += threads.getCurrentThreadCpuTime() - t0;
                if (done + BATCH >= nextReport) {
                    System.out.printf("%,d rows: RocksDB's threads %.3f µs a row%n", done + BATCH,
                            threadSeconds("rocksdb") * 1e6 / (done + BATCH));
                    nextReport += 5_000_000;
                }
            }
            db.flush(new FlushOptions().setWaitForFlush(true));
            awaitCompactions(db);
            System.out.printf("%s ids, %,d rows: the writer %.3f µs a row, RocksDB's threads %.3f µs a row (its"
                            + " compactions done), %s bytes of files%n", scattered ? "scattered" : "sequential", total,
                    writeNs / 1e3 / total, threadSeconds("rocksdb") * 1e6 / total,
                    db.getProperty("rocksdb.total-sst-files-size"));
        } finally {
            if (args.length <= 2) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Waits until no compaction runs for 2 s in a row (a pending one that never starts does not count), at most 2 min. */
    private static void awaitCompactions(RocksDB db) throws RocksDBException, InterruptedException {
        long quietSince = System.nanoTime();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (db.getLongProperty("rocksdb.num-running-compactions") > 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 2_000_000_000L) {
                return;
            }
            Thread.sleep(100);
        }
    }
}
