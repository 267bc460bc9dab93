package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.util.ArrayList;
import java.util.List;

/**
 * A RocksDB write batch built in its serialized form, handed over in one call instead of one call
 * a row: a 12-byte header (sequence, 8 bytes, and count of records, 4 bytes, little-endian),
 * then records of a type byte (1 put, 0 delete), the key and for a put the value, each after
 * its length as a varint ({@code db/write_batch.cc}).
 */
final class SerializedBatch {
    private static final int PUT = 1;
    private static final int DELETE = 0;
    private static final int HEADER = 12;
    private final Bytes bytes;
    private int count;
    private int idStart;
    private int idEnd;

    SerializedBatch(int capacity) {
        bytes = new Bytes(HEADER + capacity);
        for (int i = 0; i < HEADER; i++) {
            bytes.u8(0);
        }
    }

    /**
     * Appends a prediction, encoded straight into the batch (its key and value lengths written
     * in front once known); its id is then in {@link #array()} from {@link #idStart()} to
     * {@link #idEnd()}.
     */
    void putPrediction(PendingRowCodec.Encoder encoder, PendingPrediction p) {
        long id = appendPrediction(bytes, encoder, p);
        idStart = (int) (id >>> 32);
        idEnd = (int) id;
        count++;
    }

    /**
     * Appends the record of a prediction to {@code out}: the put type byte, its key and its value, each
     * after its length.
     *
     * @return where its id starts in {@code out} (high 32 bits) and ends (low 32 bits)
     */
    static long appendPrediction(Bytes out, PendingRowCodec.Encoder encoder, PendingPrediction p) {
        out.u8(PUT);
        int key = out.beginBlock();
        int idStart = encoder.key(out, PendingRowCodec.PREDICTION, p.model(), p.id());
        idStart += out.endBlock(key);
        int idEnd = out.position();
        int value = out.beginBlock();
        encoder.prediction(out, p);
        out.endBlock(value);
        return ((long) idStart << 32) | idEnd;
    }

    /**
     * Appends a record another batch encoded ({@link #appendPrediction}), the {@code length} bytes from
     * {@code start} of {@code from}; its id is then in {@link #array()} from {@link #idStart()} to
     * {@link #idEnd()}.
     *
     * @param idStart where its id starts in {@code from}
     */
    void putRecord(byte[] from, int start, int length, int idStart, int idLength) {
        int at = bytes.position();
        bytes.bytes(from, start, length);
        this.idStart = at + idStart - start;
        this.idEnd = this.idStart + idLength;
        count++;
    }

    /** Where the id of the last prediction put starts. */
    int idStart() {
        return idStart;
    }

    /** Where the id of the last prediction put ends. */
    int idEnd() {
        return idEnd;
    }

    /** Where the next record will start. */
    int position() {
        return bytes.position();
    }

    /** The buffer the records are written to, replaced when it grows. */
    byte[] array() {
        return bytes.array();
    }

    /** Makes room for {@code n} more bytes at once. */
    void reserve(long n) {
        bytes.reserve((int) Math.min(Integer.MAX_VALUE - 16 - bytes.position(), n));
    }

    void put(Bytes key, Bytes value) {
        bytes.u8(PUT);
        bytes.block(key);
        bytes.block(value);
        count++;
    }

    void put(byte[] key, byte[] value) {
        bytes.u8(PUT);
        bytes.block(key);
        bytes.block(value);
        count++;
    }

    void delete(Bytes key) {
        bytes.u8(DELETE);
        bytes.block(key);
        count++;
    }

    byte[] serialized() {
        return withCount(bytes.toArray());
    }

    /**
     * The serialized batch with its records between {@code at[0]} and {@code at[n]} ({@code n}
     * records, the one of index {@code r} from {@code at[r]} to {@code at[r + 1]}) in
     * {@code order}; the records before and after them stay where they are.
     */
    byte[] serialized(int[] at, int[] order) {
        int n = order.length;
        byte[] from = bytes.array();
        byte[] b = new byte[bytes.position()];
        System.arraycopy(from, 0, b, 0, at[0]);
        int p = at[0];
        for (int r : order) {
            int length = at[r + 1] - at[r];
            System.arraycopy(from, at[r], b, p, length);
            p += length;
        }
        System.arraycopy(from, at[n], b, p, bytes.position() - at[n]);
        return withCount(b);
    }

    /**
     * As {@link #serialized(int[], int[])}, in batches of about {@code maxBytes} at most (a record
     * larger than that is a batch of its own): the records between {@code at[0]} and {@code at[n]} in
     * {@code order}, the records after them in the last batch. Nothing may come before {@code at[0]}
     * but the header.
     */
    List<byte[]> serialized(int[] at, int[] order, int maxBytes) {
        int n = order.length;
        if (at[0] != HEADER) {
            throw new IllegalStateException("records before the ones to order: " + (at[0] - HEADER) + " bytes");
        }
        byte[] from = bytes.array();
        int tail = bytes.position() - at[n];
        int tailCount = count - n;
        List<byte[]> batches = new ArrayList<>();
        int i = 0;
        do {
            int size = HEADER;
            int j = i;
            while (j < n && (j == i || size + at[order[j] + 1] - at[order[j]] <= maxBytes)) {
                size += at[order[j] + 1] - at[order[j]];
                j++;
            }
            boolean last = j == n;
            byte[] b = new byte[size + (last ? tail : 0)];
            int p = HEADER;
            for (int k = i; k < j; k++) {
                int r = order[k];
                int length = at[r + 1] - at[r];
                System.arraycopy(from, at[r], b, p, length);
                p += length;
            }
            if (last) {
                System.arraycopy(from, at[n], b, p, tail);
            }
            withCount(b, j - i + (last ? tailCount : 0));
            batches.add(b);
            i = j;
        } while (i < n);
        return batches;
    }

    private byte[] withCount(byte[] b) {
        return withCount(b, count);
    }

    private static byte[] withCount(byte[] b, int count) {
        for (int i = 0; i < 4; i++) {
            b[8 + i] = (byte) (count >>> (8 * i));
        }
        return b;
    }
}
