package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One model's pending predictions waiting in memory for their commit, kept as the records the
 * pending store will write: each prediction is encoded once, when it is put, while its values are
 * still in the cache, into chunks of bytes, and found again by id through an open-addressing table.
 * About 100 bytes a row against some 230 for a row object, its id string and its map entry, and no
 * objects for a collector to trace; the commit copies the records as they are into its write batch.
 *
 * <p>A record is a write-batch put ({@link SerializedBatch}): a type byte, the key (kind, model, a
 * zero byte, the id) and the value (format 2 of {@link PendingRowCodec}), each after its length as
 * a varint. A put of an id already here replaces its row (the old record stays in its chunk, out of
 * the table). Ids are compared as their UTF-8 bytes.
 *
 * <p>A prediction known to be new ({@link #putNew}) is not entered in the table at once: the records put
 * since the last lookup are entered together at the next one, whose independent misses of the table
 * the processor then overlaps, and a generation that is never looked up in never builds its table.
 *
 * <p>Not thread-safe: one thread puts and looks up (a lookup may finish the table); the records
 * ({@link #forEachRecord}), which lookups leave as they are, may be read by another thread once no
 * thread puts any more.
 *
 * <pre>{@code
 * PendingRows rows = new PendingRows("fraud", 0);
 * long added = rows.put(prediction);          // the heap it took, for a memory budget
 * PendingPrediction p = rows.get("a1");        // decoded again, or null
 * store.write(new PendingWrite(lsn, List.of(), List.of(), Map.of(), List.of(rows)));
 * }</pre>
 */
public final class PendingRows {
    private static final int FIRST_CHUNK = 4096;
    private static final int MAX_CHUNK = 256 * 1024;

    private final String model;
    private final int modelBytes;
    private final PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
    private final Bytes scratch = new Bytes(256);
    private byte[][] chunks = new byte[4][];
    private int chunkCount;
    /** Where the next record goes in the last chunk. */
    private int fill;
    /** Per record, in the order put: its chunk (high 32 bits) and offset there, or -1 once replaced. */
    private long[] at;
    /** Per record, the hash of its id ({@link String#hashCode}). */
    private int[] hashes;
    private int records;
    /** The records before this one are in {@link #table} (those not replaced); the later ones wait for a lookup. */
    private int indexed;
    private int live;
    /** The open-addressing table: a record's number plus one, or 0 for an empty slot. */
    private int[] table;
    private long heapBytes;
    /** The part of {@link #heapBytes} that {@link #put} and {@link #putAbsent} have returned so far. */
    private long reported;
    /** The bytes of the records put, replaced ones included. */
    private long recordBytes;

    /**
     * @param expectedRows how many rows to make room for at once (0: grow as they come)
     */
    public PendingRows(String model, int expectedRows) {
        this.model = Objects.requireNonNull(model, "model");
        this.modelBytes = model.getBytes(StandardCharsets.UTF_8).length;
        int capacity = Math.max(16, expectedRows);
        at = new long[capacity];
        hashes = new int[capacity];
        table = new int[tableSizeFor(capacity)];
        heapBytes = 12L * capacity + 4L * table.length + 128;
    }

    public PendingRows(String model) {
        this(model, 0);
    }

    private static int tableSizeFor(int rows) {
        // at most half full
        return Integer.highestOneBit(Math.max(16, rows) * 2 - 1) << 1;
    }

    public String model() {
        return model;
    }

    /** The rows, each id once. */
    public int size() {
        return live;
    }

    public boolean isEmpty() {
        return live == 0;
    }

    /** The heap these rows hold: chunks, record tables and the id table, as allocated. */
    public long heapBytes() {
        return heapBytes;
    }

    /**
     * Puts a prediction of this model, replacing the row of its id if there is one.
     *
     * @return the heap taken since the last put (see {@link #heapBytes()}; the first put's includes the
     *     tables made with these rows), so that the returns add up to the heap held
     */
    public long put(PendingPrediction p) {
        int length = encode(p); // first: encoding may replace the scratch buffer
        append(scratch.array(), 0, length, p.id().hashCode(), p.id());
        return unreported();
    }

    /**
     * Puts a prediction of this model whose id has no row here (the caller knows it: a lookup found
     * none since); found by id from the next lookup on.
     *
     * @return as {@link #put}
     */
    public long putNew(PendingPrediction p) {
        int length = encode(p);
        byte[] c = chunkFor(length);
        System.arraycopy(scratch.array(), 0, c, fill, length);
        register(p.id().hashCode(), length);
        live++;
        return unreported();
    }

    /** Encodes a prediction of this model into {@link #scratch}; returns the record's length. */
    private int encode(PendingPrediction p) {
        if (!model.equals(p.model())) {
            throw new IllegalArgumentException("a prediction of model " + p.model() + " put into the rows of " + model);
        }
        scratch.reset();
        SerializedBatch.appendPrediction(scratch, encoder, p);
        return scratch.position();
    }

    private long unreported() {
        long more = heapBytes - reported;
        reported = heapBytes;
        return more;
    }

    /** Whether a row of {@code id} is here. */
    public boolean contains(String id) {
        index();
        return find(id, id.hashCode()) >= 0;
    }

    /** The row of {@code id}, decoded, or null. */
    public PendingPrediction get(String id) {
        index();
        int r = find(id, id.hashCode());
        if (r < 0) {
            return null;
        }
        byte[] c = chunks[(int) (at[r] >>> 32)];
        int value = valueStart(c, (int) at[r]);
        int length = (int) varint(c, value);
        int from = value + varintLength(length);
        return PendingRowCodec.decodePrediction(model, id, Arrays.copyOfRange(c, from, from + length));
    }

    /**
     * Puts every row of {@code other} (the same model's) whose id is not here, as it is.
     *
     * @return the heap taken since the last put, as {@link #put} returns it
     */
    public long putAbsent(PendingRows other) {
        if (!model.equals(other.model)) {
            throw new IllegalArgumentException("the rows of model " + other.model + " put into the rows of " + model);
        }
        index();
        other.forEachRecord((c, start, length, idStart, idLength) -> {
            int hash = hashOf(c, idStart, idLength);
            if (find(c, idStart, idLength, hash) < 0) {
                append(c, start, length, hash, null);
            }
        });
        return unreported();
    }

    /** The bytes of the records, replaced ones included: at least what {@link #forEachRecord} visits. */
    long recordBytes() {
        return recordBytes;
    }

    /** A record as it lies in its chunk: where it starts and its length, and where its id starts and its length. */
    interface RecordVisitor {
        void record(byte[] chunk, int start, int length, int idStart, int idLength);
    }

    /** Visits the records of the rows here, in the order they were put. */
    void forEachRecord(RecordVisitor visitor) {
        for (int r = 0; r < records; r++) {
            long a = at[r];
            if (a < 0) {
                continue;
            }
            byte[] c = chunks[(int) (a >>> 32)];
            int start = (int) a;
            int keyLength = (int) varint(c, start + 1);
            int key = start + 1 + varintLength(keyLength);
            int idStart = key + 2 + modelBytes;
            int value = key + keyLength;
            int valueLength = (int) varint(c, value);
            int end = value + varintLength(valueLength) + valueLength;
            visitor.record(c, start, end - start, idStart, key + keyLength - idStart);
        }
    }

    /** The hash of an id from its UTF-8 bytes: that of its string ({@link String#hashCode}). */
    private static int hashOf(byte[] b, int from, int length) {
        int h = 0;
        for (int i = from; i < from + length; i++) {
            if (b[i] < 0) {
                return new String(b, from, length, StandardCharsets.UTF_8).hashCode();
            }
            h = 31 * h + b[i];
        }
        return h;
    }

    /** Appends a record, replacing the row of its id (looked up by {@code id}, when given). */
    private void append(byte[] src, int from, int length, int hash, String id) {
        index();
        int existing = id != null ? find(id, hash) : -1;
        byte[] c = chunkFor(length);
        System.arraycopy(src, from, c, fill, length);
        int r = register(hash, length);
        if (existing >= 0) {
            at[existing] = -1;
            table[slotOf(existing)] = r + 1;
            indexed = records;
        } else {
            live++;
            index();
        }
    }

    /** Takes note of the record just copied to {@link #fill} of the last chunk; returns its number. */
    private int register(int hash, int length) {
        if (records == at.length) {
            int grown = at.length * 2;
            at = Arrays.copyOf(at, grown);
            hashes = Arrays.copyOf(hashes, grown);
            heapBytes += 12L * (grown - records);
        }
        at[records] = ((long) (chunkCount - 1) << 32) | fill;
        hashes[records] = hash;
        fill += length;
        recordBytes += length;
        return records++;
    }

    /** Enters the records not yet in the table, growing it first if they would fill it over half. */
    private void index() {
        if (indexed == records) {
            return;
        }
        if (2 * live > table.length) {
            int size = table.length;
            while (2 * live > size) {
                size *= 2;
            }
            heapBytes += 4L * (size - table.length);
            table = new int[size];
            indexed = 0;
        }
        int mask = table.length - 1;
        for (int r = indexed; r < records; r++) {
            if (at[r] < 0) {
                continue;
            }
            int slot = spread(hashes[r]) & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = r + 1;
        }
        indexed = records;
    }

    private byte[] chunkFor(int length) {
        if (chunkCount > 0 && fill + length <= chunks[chunkCount - 1].length) {
            return chunks[chunkCount - 1];
        }
        int size = chunkCount == 0 ? FIRST_CHUNK : Math.min(MAX_CHUNK, chunks[chunkCount - 1].length * 2);
        byte[] c = new byte[Math.max(size, length)];
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
        }
        chunks[chunkCount++] = c;
        fill = 0;
        heapBytes += c.length + 16L;
        return c;
    }

    private int slotOf(int record) {
        int mask = table.length - 1;
        int slot = spread(hashes[record]) & mask;
        while (table[slot] != record + 1) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int spread(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The number of the live record of {@code id}, or -1. */
    private int find(String id, int hash) {
        int mask = table.length - 1;
        for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
            int r = table[slot] - 1;
            if (r < 0) {
                return -1;
            }
            if (hashes[r] == hash && idEquals(r, id)) {
                return r;
            }
        }
    }

    private int find(byte[] b, int from, int length, int hash) {
        int mask = table.length - 1;
        for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
            int r = table[slot] - 1;
            if (r < 0) {
                return -1;
            }
            if (hashes[r] == hash) {
                byte[] c = chunks[(int) (at[r] >>> 32)];
                int idStart = idStart(c, (int) at[r]);
                int idEnd = valueStart(c, (int) at[r]);
                if (Arrays.equals(c, idStart, idEnd, b, from, from + length)) {
                    return r;
                }
            }
        }
    }

    private boolean idEquals(int r, String id) {
        byte[] c = chunks[(int) (at[r] >>> 32)];
        int start = (int) at[r];
        int idStart = idStart(c, start);
        int idEnd = valueStart(c, start);
        int n = id.length();
        if (idEnd - idStart == n) {
            boolean ascii = true;
            for (int i = 0; i < n; i++) {
                char ch = id.charAt(i);
                if (ch >= 0x80) {
                    ascii = false;
                    break;
                }
                if (c[idStart + i] != ch) {
                    return false;
                }
            }
            if (ascii) {
                return true;
            }
        } else if (idEnd - idStart < n) {
            return false; // UTF-8 takes at least a byte a char
        }
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        return Arrays.equals(c, idStart, idEnd, utf8, 0, utf8.length);
    }

    private int idStart(byte[] c, int start) {
        int keyLength = (int) varint(c, start + 1);
        return start + 1 + varintLength(keyLength) + 2 + modelBytes;
    }

    /** Where the value's length starts (the key's end). */
    private static int valueStart(byte[] c, int start) {
        int keyLength = (int) varint(c, start + 1);
        return start + 1 + varintLength(keyLength) + keyLength;
    }

    private static long varint(byte[] b, int at) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[at++];
            value |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return value;
            }
        }
    }

    private static int varintLength(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
