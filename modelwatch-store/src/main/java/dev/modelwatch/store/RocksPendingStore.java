package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 * <p>Keys are a kind byte ({@code P} prediction, {@code L} early label), the model name, a zero
 * byte (a model name has none) and the id, in UTF-8. The database's time-to-live drops rows
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
    private static final byte PREDICTION = 'P';
    private static final byte EARLY_LABEL = 'L';
    private static final byte[] CHECKPOINT_KEY = {'C', 'l', 's', 'n'};
    private static final int FORMAT = 1;

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

    @Override
    public void write(PendingWrite write) {
        // rows share a handful of model names, versions, class names and segment map instances
        // (the aggregator shares them): encode each instance once per write
        Map<Object, byte[]> encoded = new IdentityHashMap<>();
        ValueWriter value = new ValueWriter();
        try (WriteBatch batch = new WriteBatch()) {
            for (PendingPrediction p : write.predictions()) {
                batch.put(key(PREDICTION, p.model(), p.id(), encoded), encodePrediction(p, encoded, value));
            }
            for (EarlyLabel l : write.earlyLabels()) {
                value.reset();
                value.u8(FORMAT);
                value.i64(l.timestampMs());
                value.bytes(ColumnCodec.encodeLabel(l.label()));
                batch.put(key(EARLY_LABEL, l.model(), l.id(), encoded), value.toArray());
            }
            for (Map.Entry<String, List<String>> e : write.joinedLabels().entrySet()) {
                for (String id : e.getValue()) {
                    batch.delete(key(EARLY_LABEL, e.getKey(), id, encoded));
                }
            }
            batch.put(CHECKPOINT_KEY, ByteBuffer.allocate(8).putLong(write.lsn()).array());
            lock.readLock().lock();
            try {
                open().write(durable, batch);
            } finally {
                lock.readLock().unlock();
            }
            checkpoint = write.lsn();
        } catch (RocksDBException e) {
            broken = true;
            throw new StoreException("writing " + write.predictions().size() + " pending predictions up to log position "
                    + write.lsn() + " failed: " + describe(e), e);
        }
    }

    @Override
    public Map<String, PendingPrediction> findPredictions(String model, Collection<String> ids) {
        return find(PREDICTION, model, ids, RocksPendingStore::decodePrediction, PendingPrediction::timestampMs);
    }

    @Override
    public Map<String, EarlyLabel> findEarlyLabels(String model, Collection<String> ids) {
        return find(EARLY_LABEL, model, ids, RocksPendingStore::decodeEarlyLabel, EarlyLabel::timestampMs);
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
        Map<Object, byte[]> encoded = new IdentityHashMap<>();
        for (String id : idList) {
            keys.add(key(kind, model, id, encoded));
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
        options.close();
        bloom.close();
        cache.close();
    }

    // ---- encoding ----

    private static byte[] key(byte kind, String model, String id, Map<Object, byte[]> encoded) {
        byte[] m = utf8(model, encoded);
        byte[] i = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[2 + m.length + i.length];
        k[0] = kind;
        System.arraycopy(m, 0, k, 1, m.length);
        System.arraycopy(i, 0, k, 2 + m.length, i.length);
        return k;
    }

    private static byte[] utf8(String s, Map<Object, byte[]> encoded) {
        return encoded.computeIfAbsent(s, x -> s.getBytes(StandardCharsets.UTF_8));
    }

    /** A growable big-endian byte buffer, reused row after row. */
    private static final class ValueWriter {
        private byte[] buf = new byte[256];
        private int pos;

        void reset() {
            pos = 0;
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(2 * buf.length, pos + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        /** A length (int) and the bytes; a length of -1 for null. */
        void block(byte[] b) {
            i32(b == null ? -1 : b.length);
            if (b != null) {
                bytes(b);
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, pos);
        }
    }

    private static byte[] readBlock(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static byte[] encodePrediction(PendingPrediction p, Map<Object, byte[]> encoded, ValueWriter out) {
        out.reset();
        out.u8(FORMAT);
        out.block(utf8(p.version(), encoded));
        out.i64(p.timestampMs());
        out.i64(p.windowStartMs());
        out.i64(p.windowMs());
        out.block(encoded.computeIfAbsent(p.segments(), m -> ColumnCodec.encodeStrings(p.segments())));
        out.block(p.predictedClass() == null ? null : utf8(p.predictedClass(), encoded));
        out.i64(Double.doubleToRawLongBits(p.predictedValue()));
        out.u8(p.score() != null ? 1 : 0);
        out.i64(p.score() == null ? 0 : Double.doubleToRawLongBits(p.score()));
        out.block(p.scores() == null ? null : ColumnCodec.encodeDoubles(p.scores()));
        out.u8(p.labeled() ? 1 : 0);
        return out.toArray();
    }

    private static PendingPrediction decodePrediction(String model, String id, byte[] value) {
        try {
            ByteBuffer in = ByteBuffer.wrap(value);
            int format = in.get() & 0xFF;
            if (format != FORMAT) {
                throw new StoreException("pending prediction " + model + "/" + id + " has format " + format);
            }
            String version = new String(readBlock(in), StandardCharsets.UTF_8);
            long ts = in.getLong();
            long windowStart = in.getLong();
            long windowMs = in.getLong();
            Map<String, String> segments = ColumnCodec.decodeStrings(readBlock(in));
            byte[] predictedClass = readBlock(in);
            double predictedValue = Double.longBitsToDouble(in.getLong());
            boolean hasScore = in.get() != 0;
            long scoreBits = in.getLong();
            byte[] scores = readBlock(in);
            boolean labeled = in.get() != 0;
            return new PendingPrediction(model, id, version, ts, windowStart, windowMs, segments,
                    predictedClass == null ? null : new String(predictedClass, StandardCharsets.UTF_8), predictedValue,
                    hasScore ? Double.longBitsToDouble(scoreBits) : null,
                    scores == null ? null : ColumnCodec.decodeDoubles(scores), labeled);
        } catch (RuntimeException e) {
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("pending prediction " + model + "/" + id + " is corrupt: " + e, e);
        }
    }

    private static EarlyLabel decodeEarlyLabel(String model, String id, byte[] value) {
        if (value.length < 10 || value[0] != FORMAT) {
            throw new StoreException("early label " + model + "/" + id + " is corrupt (" + value.length + " bytes)");
        }
        long ts = ByteBuffer.wrap(value, 1, 8).getLong();
        byte[] label = new byte[value.length - 9];
        System.arraycopy(value, 9, label, 0, label.length);
        return new EarlyLabel(model, id, ColumnCodec.decodeLabel(label), ts);
    }

    private static String describe(RocksDBException e) {
        return e.getStatus() != null && e.getStatus().getState() != null ? e.getStatus().getState() : e.getMessage();
    }
}
