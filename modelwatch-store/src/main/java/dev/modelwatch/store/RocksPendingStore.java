package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The pending rows in an embedded RocksDB under the data directory. A log-structured merge tree
 * takes rows in any key order at the cost of sequential writes; the B-tree of a SQL table pays a
 * page read and a page write for each row inserted at a random place once the table outgrows its
 * cache (measured in BENCHMARKS.md). Reads go through per-file Bloom filters, so asking for an id
 * that is not there rarely touches the disk.
 *
 * <p>Keys and values are laid out in {@link PendingRowCodec}. The database's time-to-live drops rows
 * written more than the join horizon ago when it compacts their files, and
 * {@link #expire(long)} hides rows whose event is older at once.
 *
 * <p>A write that fails (the disk is full, say) leaves RocksDB refusing every later write until it is
 * opened again: the next call after a failure closes and reopens it, so the store works again as
 * soon as the cause is gone, without a restart.
 *
 * <p>Thread-safe.
 */
public final class RocksPendingStore implements PendingStore {
    /** The most bytes of rows in one write batch; a write of more goes in several. */
    static final int MAX_BATCH_BYTES = 4 << 20;
    private static final byte PREDICTION = PendingRowCodec.PREDICTION;
    private static final byte EARLY_LABEL = PendingRowCodec.EARLY_LABEL;
    private static final byte[] CHECKPOINT_KEY = {'C', 'l', 's', 'n'};

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final int ttlSeconds;
    /** Guards {@link #db}: calls hold the read lock, reopening and closing the write lock. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private TtlDB db;
    /** Set when a write failed: the next call reopens the database first. */
    private volatile boolean broken;
    private boolean closed;
    private final Options options;
    private final LRUCache cache;
    private final BloomFilter bloom;
    private final WriteOptions durable;
    /** The most bytes of rows in one write batch ({@link #MAX_BATCH_BYTES}; smaller in tests). */
    int maxBatchBytes = MAX_BATCH_BYTES;
    /** For the batches of a write before its last: the last one's sync makes them durable too. */
    private final WriteOptions buffered;
    private volatile long horizonStartMs = Long.MIN_VALUE;
    private volatile long checkpoint;

    private RocksPendingStore(Path directory, int ttlSeconds, TtlDB db, Options options, LRUCache cache,
                              BloomFilter bloom) {
        this.directory = directory;
        this.ttlSeconds = ttlSeconds;
        this.db = db;
        this.options = options;
        this.cache = cache;
        this.bloom = bloom;
        this.durable = new WriteOptions().setSync(true);
        this.buffered = new WriteOptions();
        this.checkpoint = readCheckpoint();
    }

    /**
     * Opens (creating) the store in {@code directory}.
     *
     * @param ttlSeconds how long after its write a row may be dropped: the join horizon
     */
    public static RocksPendingStore open(Path directory, int ttlSeconds) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create the pending-row directory " + directory + ": " + e.getMessage(), e);
        }
        LRUCache cache = new LRUCache(64L << 20);
        BloomFilter bloom = new BloomFilter(10);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setCacheIndexAndFilterBlocks(false);
        Options options = new Options()
                .setCreateIfMissing(true)
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                // rows are written once, maybe rewritten once (labeled), and dropped when their
                // time is up: size-tiered (universal) compaction rewrites each far fewer times than
                // levelled compaction, which spent ~3.4 µs of CPU an event here (BENCHMARKS.md)
                .setCompactionStyle(CompactionStyle.UNIVERSAL)
                // a lookup is screened by each file's Bloom filter (and most by the aggregator's
                // known ids first): letting 8 files gather before merging them halved the
                // background CPU of 8M rows with sequential ids against the default 4
                .setLevel0FileNumCompactionTrigger(8)
                .setWriteBufferSize(64L << 20)
                .setMaxWriteBufferNumber(3)
                .setMaxBackgroundJobs(2)
                // files untouched for a day are compacted anyway, so that expired rows go
                .setPeriodicCompactionSeconds(86_400);
        try {
            TtlDB db = TtlDB.open(options, directory.toString(), Math.max(1, ttlSeconds), false);
            return new RocksPendingStore(directory, ttlSeconds, db, options, cache, bloom);
        } catch (RocksDBException e) {
            options.close();
            bloom.close();
            cache.close();
            throw new StoreException("cannot open the pending-row store in " + directory + ": " + describe(e), e);
        }
    }

    @Override
    public long checkpointLsn() {
        return checkpoint;
    }

    private long readCheckpoint() {
        try {
            // only from the constructor: nothing else holds the database yet
            byte[] v = db.get(CHECKPOINT_KEY);
            return v == null ? 0 : ByteBuffer.wrap(v).getLong();
        } catch (RocksDBException e) {
            throw new StoreException("reading the pending-row checkpoint failed: " + describe(e), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The rows go in write batches of at most {@link #MAX_BATCH_BYTES} of rows (a batch of tens of
     * megabytes costs a copy into fresh native memory, page by page, each time), in key order; the
     * early labels, the deletions and the checkpoint in the last one, which is synced, and with it
     * the log that holds the others.
     */
    @Override
    public void write(PendingWrite write) {
        List<byte[]> batches = serialize(write, maxBatchBytes);
        try {
            lock.readLock().lock();
            try {
                RocksDB open = open();
                for (int i = 0; i < batches.size(); i++) {
                    try (WriteBatch batch = new WriteBatch(batches.get(i))) {
                        open.write(i == batches.size() - 1 ? durable : buffered, batch);
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            checkpoint = write.lsn();
        } catch (RocksDBException e) {
            broken = true;
            throw new StoreException("writing " + write.predictionCount() + " pending predictions up to log position "
                    + write.lsn() + " failed: " + describe(e), e);
        }
    }

    /**
     * The rows of {@code write} and its checkpoint as a serialized RocksDB write batch, the
     * predictions in about key order: each memtable insert then lands next to the previous one, which
     * the skip list finds again cheaply, where rows in hash order each search from the top. Each
     * prediction object is encoded once, in the order given (its objects lie scattered in the heap),
     * into one buffer, and the records of the encoded rows ({@link PendingRows}) are copied after
     * them as they are; {@link KeyOrder} finds the order from the ids' bytes there, and the records
     * are then copied out in that order.
     */
    static byte[] serialize(PendingWrite write) {
        return serialize(write, Integer.MAX_VALUE).get(0);
    }

    /** As {@link #serialize(PendingWrite)}, the rows in batches of about {@code maxBatchBytes} at most. */
    static List<byte[]> serialize(PendingWrite write, int maxBatchBytes) {
        Collection<PendingPrediction> predictions = write.predictions();
        int n = write.predictionCount();
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        SerializedBatch rows = new SerializedBatch(64 * Math.min(n, 64) + 256);
        KeyOrder order = new KeyOrder(n);
        int[] at = new int[n + 1];
        int r = 0;
        String lastModel = null;
        int model = 0;
        for (PendingPrediction p : predictions) {
            if (r == 64 && n > 128) {
                // room for all, at the size of the first rows and a margin
                rows.reserve((rows.position() - at[0]) / 64L * (n - r) * 9 / 8);
            }
            if (p.model() != lastModel) {
                lastModel = p.model();
                model = order.model(lastModel);
            }
            at[r] = rows.position();
            rows.putPrediction(encoder, p);
            order.add(model, rows.array(), rows.idStart(), rows.idEnd() - rows.idStart());
            r++;
        }
        long encodedBytes = 0;
        for (PendingRows encoded : write.rows()) {
            encodedBytes += encoded.recordBytes();
        }
        rows.reserve(encodedBytes);
        int[] next = {r};
        for (PendingRows encoded : write.rows()) {
            int modelNumber = order.model(encoded.model());
            encoded.forEachRecord((chunk, start, length, idStart, idLength) -> {
                at[next[0]++] = rows.position();
                rows.putRecord(chunk, start, length, idStart, idLength);
                order.add(modelNumber, rows.array(), rows.idStart(), idLength);
            });
        }
        at[n] = rows.position();
        for (EarlyLabel l : write.earlyLabels()) {
            encoder.key(EARLY_LABEL, l.model(), l.id());
            encoder.earlyLabel(l);
            rows.put(encoder.key, encoder.value);
        }
        for (Map.Entry<String, List<String>> e : write.joinedLabels().entrySet()) {
            for (String id : e.getValue()) {
                encoder.key(EARLY_LABEL, e.getKey(), id);
                rows.delete(encoder.key);
            }
        }
        rows.put(CHECKPOINT_KEY, ByteBuffer.allocate(8).putLong(write.lsn()).array());
        return rows.serialized(at, order.sorted(rows.array()), maxBatchBytes);
    }

    @Override
    public Map<String, PendingPrediction> findPredictions(String model, Collection<String> ids) {
        return find(PREDICTION, model, ids, PendingRowCodec::decodePrediction, PendingPrediction::timestampMs);
    }

    @Override
    public Map<String, EarlyLabel> findEarlyLabels(String model, Collection<String> ids) {
        return find(EARLY_LABEL, model, ids, PendingRowCodec::decodeEarlyLabel, EarlyLabel::timestampMs);
    }

    private interface RowDecoder<T> {
        T decode(String model, String id, byte[] value);
    }

    /** The rows of one kind found among {@code ids}, by id, leaving out those past the horizon. */
    private <T> Map<String, T> find(byte kind, String model, Collection<String> ids, RowDecoder<T> decoder,
                                    ToLongFunction<T> timestamp) {
        Map<String, T> found = new HashMap<>();
        get(kind, model, ids, (id, value) -> {
            T row = decoder.decode(model, id, value);
            if (timestamp.applyAsLong(row) >= horizonStartMs) {
                found.put(id, row);
            }
        });
        return found;
    }

    private void get(byte kind, String model, Collection<String> ids, BiConsumer<String, byte[]> found) {
        if (ids.isEmpty()) {
            return;
        }
        List<String> idList = new ArrayList<>(ids);
        List<byte[]> keys = new ArrayList<>(idList.size());
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        for (String id : idList) {
            encoder.key(kind, model, id);
            keys.add(encoder.key.toArray());
        }
        lock.readLock().lock();
        try {
            List<byte[]> values = open().multiGetAsList(keys);
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) != null) {
                    found.accept(idList.get(i), values.get(i));
                }
            }
        } catch (RocksDBException e) {
            throw new StoreException("looking up " + ids.size() + " ids of " + model + " failed: " + describe(e), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void scanIds(BiConsumer<String, String> consumer) {
        lock.readLock().lock();
        try (RocksIterator it = open().newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length == 0 || (k[0] != PREDICTION && k[0] != EARLY_LABEL)) {
                    continue;
                }
                int zero = 1;
                while (zero < k.length && k[zero] != 0) {
                    zero++;
                }
                if (zero == k.length) {
                    continue;
                }
                consumer.accept(new String(k, 1, zero - 1, StandardCharsets.UTF_8),
                        new String(k, zero + 1, k.length - zero - 1, StandardCharsets.UTF_8));
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The open database, reopened first when a write failed (RocksDB refuses every write after
     * one failed until it is opened again). Called under the read lock.
     */
    private TtlDB open() {
        if (closed) {
            throw new StoreException("the pending-row store in " + directory + " is closed");
        }
        if (broken) {
            lock.readLock().unlock();
            lock.writeLock().lock();
            try {
                reopen();
            } finally {
                lock.readLock().lock();
                lock.writeLock().unlock();
            }
        }
        if (db == null) {
            throw new StoreException("the pending-row store in " + directory + " could not be opened again");
        }
        return db;
    }

    /** Closes and opens the database again; under the write lock. */
    private void reopen() {
        if (!broken || closed) {
            return;
        }
        if (db != null) {
            try {
                db.closeE();
            } catch (RocksDBException e) {
                // closing after a failed write may report that failure again; the files stay consistent
            }
            db = null;
        }
        try {
            db = TtlDB.open(options, directory.toString(), Math.max(1, ttlSeconds), false);
            broken = false;
        } catch (RocksDBException e) {
            throw new StoreException("reopening the pending-row store in " + directory + " after a failed write failed: "
                    + describe(e), e);
        }
    }

    @Override
    public long expire(long horizonStartMs) {
        // rows are found by id, not by time: hide what is older at once; the time-to-live and
        // periodic compaction reclaim the space (a full scan here would cost seconds a call)
        this.horizonStartMs = Math.max(this.horizonStartMs, horizonStartMs);
        return 0;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (db != null) {
                try {
                    db.syncWal();
                } catch (RocksDBException e) {
                    // the last write was synced already; nothing acknowledged depends on this
                }
                db.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
        durable.close();
        buffered.close();
        options.close();
        bloom.close();
        cache.close();
    }

    private static String describe(RocksDBException e) {
        return e.getStatus() != null && e.getStatus().getState() != null ? e.getStatus().getState() : e.getMessage();
    }
}
