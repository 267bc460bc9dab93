package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * The keys and values of the pending rows.
 *
 * <p>A key is a kind byte ({@code P} prediction, {@code L} early label), the model name, a zero
 * byte (a model name has none) and the id, in UTF-8.
 *
 * <p>A prediction is written in format 2 and read in formats 1 and 2:
 * <ul>
 *   <li>Format 2: {@code [2][flags][varint n][version]}, the timestamp as a zig-zag varint, the
 *       window length in whole seconds as a varint (flag {@link #WINDOW_SECONDS}) or in
 *       milliseconds as a zig-zag varint, the window start as a zig-zag varint unless it is the
 *       timestamp floored to the window length (flag {@link #WINDOW_DERIVED}), the segments as a
 *       varint length and a {@link ColumnCodec} map, then, each where its flag says so, the
 *       predicted class ({@code [varint n][UTF-8]}), the predicted value (8 bytes of double bits;
 *       left out when it is the canonical NaN), the score (8 bytes of double bits) and the scores
 *       (a varint length and a {@link ColumnCodec} map). A row of a binary model takes about 35
 *       bytes.</li>
 *   <li>Format 1: {@code [1]}, then blocks of an int length (-1 for null) and bytes and big-endian
 *       8-byte numbers: version, timestamp, window start, window length, segments, predicted
 *       class, predicted value, a score flag byte and the score, scores, a labeled byte (about 90
 *       bytes).</li>
 * </ul>
 * An early label is {@code [1][8-byte timestamp][ColumnCodec label]}.
 */
final class PendingRowCodec {
    static final byte PREDICTION = 'P';
    static final byte EARLY_LABEL = 'L';
    static final int FORMAT_1 = 1;
    static final int FORMAT_2 = 2;
    static final int LABEL_FORMAT = 1;

    static final int LABELED = 1;
    static final int HAS_SCORE = 1 << 1;
    static final int HAS_SCORES = 1 << 2;
    static final int HAS_CLASS = 1 << 3;
    static final int HAS_VALUE = 1 << 4;
    static final int WINDOW_DERIVED = 1 << 5;
    static final int WINDOW_SECONDS = 1 << 6;

    private static final long CANONICAL_NAN = Double.doubleToRawLongBits(Double.NaN);

    private PendingRowCodec() {
    }

    /**
     * Encodes the rows of one write into reused buffers. Rows share a handful of model names,
     * versions, class names and segment map instances (the aggregator shares them): each instance
     * is encoded once and found again by identity in a small direct-mapped cache.
     */
    static final class Encoder {
        private static final int CACHE_SLOTS = 64;
        private final Object[] cachedObjects = new Object[CACHE_SLOTS];
        private final byte[][] cachedBytes = new byte[CACHE_SLOTS][];
        final Bytes key = new Bytes(64);
        final Bytes value = new Bytes(128);

        private byte[] cached(Object o, Function<Object, byte[]> encode) {
            int slot = System.identityHashCode(o) & (CACHE_SLOTS - 1);
            if (cachedObjects[slot] == o) {
                return cachedBytes[slot];
            }
            byte[] b = encode.apply(o);
            cachedObjects[slot] = o;
            cachedBytes[slot] = b;
            return b;
        }

        private byte[] utf8(String s) {
            return cached(s, Encoder::utf8Of);
        }

        private static byte[] utf8Of(Object s) {
            return ((String) s).getBytes(StandardCharsets.UTF_8);
        }

        @SuppressWarnings("unchecked")
        private static byte[] segmentsOf(Object m) {
            return ColumnCodec.encodeStrings((Map<String, String>) m);
        }

        /** Fills {@link #key} with the key of a row. */
        void key(byte kind, String model, String id) {
            Bytes k = key;
            k.reset();
            k.u8(kind);
            k.bytes(utf8(model));
            k.u8(0);
            k.text(id);
        }

        /** Fills {@link #value} with a prediction in format 2. */
        void prediction(PendingPrediction p) {
            Bytes out = value;
            out.reset();
            long ts = p.timestampMs();
            long windowMs = p.windowMs();
            long predictedValueBits = Double.doubleToRawLongBits(p.predictedValue());
            int flags = (p.labeled() ? LABELED : 0)
                    | (p.score() != null ? HAS_SCORE : 0)
                    | (p.scores() != null ? HAS_SCORES : 0)
                    | (p.predictedClass() != null ? HAS_CLASS : 0)
                    | (predictedValueBits != CANONICAL_NAN ? HAS_VALUE : 0)
                    | (windowMs > 0 && Math.floorDiv(ts, windowMs) * windowMs == p.windowStartMs() ? WINDOW_DERIVED : 0)
                    | (windowMs >= 0 && windowMs % 1000 == 0 ? WINDOW_SECONDS : 0);
            out.u8(FORMAT_2);
            out.u8(flags);
            out.block(utf8(p.version()));
            out.varlong(zigzag(ts));
            out.varlong((flags & WINDOW_SECONDS) != 0 ? windowMs / 1000 : zigzag(windowMs));
            if ((flags & WINDOW_DERIVED) == 0) {
                out.varlong(zigzag(p.windowStartMs()));
            }
            out.block(cached(p.segments(), Encoder::segmentsOf));
            if ((flags & HAS_CLASS) != 0) {
                out.block(utf8(p.predictedClass()));
            }
            if ((flags & HAS_VALUE) != 0) {
                out.i64(predictedValueBits);
            }
            if ((flags & HAS_SCORE) != 0) {
                out.i64(Double.doubleToRawLongBits(p.score()));
            }
            if ((flags & HAS_SCORES) != 0) {
                out.block(ColumnCodec.encodeDoubles(p.scores()));
            }
        }

        /** Fills {@link #value} with an early label. */
        void earlyLabel(EarlyLabel l) {
            Bytes out = value;
            out.reset();
            out.u8(LABEL_FORMAT);
            out.i64(l.timestampMs());
            out.bytes(ColumnCodec.encodeLabel(l.label()));
        }
    }

    /**
     * A RocksDB write batch built in its serialized form, handed over in one call instead of one call
     * a row: a 12-byte header (sequence, 8 bytes, and count of records, 4 bytes, little-endian),
     * then records of a type byte (1 put, 0 delete), the key and for a put the value, each after
     * its length as a varint ({@code db/write_batch.cc}).
     */
    static final class Batch {
        private static final int PUT = 1;
        private static final int DELETE = 0;
        private static final int HEADER = 12;
        private final Bytes bytes;
        private int count;

        Batch(int capacity) {
            bytes = new Bytes(HEADER + capacity);
            for (int i = 0; i < HEADER; i++) {
                bytes.u8(0);
            }
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
            byte[] b = bytes.toArray();
            for (int i = 0; i < 4; i++) {
                b[8 + i] = (byte) (count >>> (8 * i));
            }
            return b;
        }
    }

    /** A growable byte buffer, reused row after row. */
    static final class Bytes {
        private byte[] buf;
        private int pos;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

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

        void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        /** A varint length and the bytes of {@code b}. */
        void block(Bytes b) {
            varlong(b.pos);
            ensure(b.pos);
            System.arraycopy(b.buf, 0, buf, pos, b.pos);
            pos += b.pos;
        }

        /** A varint length and the bytes. */
        void block(byte[] b) {
            varlong(b.length);
            bytes(b);
        }

        /** A string in UTF-8, without a length. */
        void text(String s) {
            int n = s.length();
            ensure(n);
            int start = pos;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    pos = start;
                    bytes(s.getBytes(StandardCharsets.UTF_8));
                    return;
                }
                buf[pos++] = (byte) c;
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, pos);
        }
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    static byte[] key(byte kind, String model, String id) {
        Encoder e = new Encoder();
        e.key(kind, model, id);
        return e.key.toArray();
    }

    static PendingPrediction decodePrediction(String model, String id, byte[] value) {
        try {
            int format = value.length == 0 ? -1 : value[0] & 0xFF;
            if (format == FORMAT_2) {
                return decodeFormat2(model, id, value);
            }
            if (format == FORMAT_1) {
                return decodeFormat1(model, id, value);
            }
            throw new StoreException("pending prediction " + model + "/" + id + " has format " + format);
        } catch (RuntimeException e) {
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("pending prediction " + model + "/" + id + " is corrupt: " + e, e);
        }
    }

    private static PendingPrediction decodeFormat2(String model, String id, byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
        int flags = in.get() & 0xFF;
        String version = new String(readVarBlock(in), StandardCharsets.UTF_8);
        long ts = unzigzag(readVarlong(in));
        long w = readVarlong(in);
        long windowMs = (flags & WINDOW_SECONDS) != 0 ? w * 1000 : unzigzag(w);
        long windowStart = (flags & WINDOW_DERIVED) != 0 ? Math.floorDiv(ts, windowMs) * windowMs
                : unzigzag(readVarlong(in));
        Map<String, String> segments = ColumnCodec.decodeStrings(readVarBlock(in));
        String predictedClass = (flags & HAS_CLASS) != 0 ? new String(readVarBlock(in), StandardCharsets.UTF_8) : null;
        double predictedValue = (flags & HAS_VALUE) != 0 ? Double.longBitsToDouble(in.getLong()) : Double.NaN;
        Double score = (flags & HAS_SCORE) != 0 ? Double.longBitsToDouble(in.getLong()) : null;
        Map<String, Double> scores = (flags & HAS_SCORES) != 0 ? ColumnCodec.decodeDoubles(readVarBlock(in)) : null;
        if (in.hasRemaining()) {
            throw new IllegalStateException(in.remaining() + " bytes left over");
        }
        return new PendingPrediction(model, id, version, ts, windowStart, windowMs, segments, predictedClass,
                predictedValue, score, scores, (flags & LABELED) != 0);
    }

    private static PendingPrediction decodeFormat1(String model, String id, byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
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
    }

    static EarlyLabel decodeEarlyLabel(String model, String id, byte[] value) {
        if (value.length < 10 || value[0] != LABEL_FORMAT) {
            throw new StoreException("early label " + model + "/" + id + " is corrupt (" + value.length + " bytes)");
        }
        long ts = ByteBuffer.wrap(value, 1, 8).getLong();
        byte[] label = new byte[value.length - 9];
        System.arraycopy(value, 9, label, 0, label.length);
        return new EarlyLabel(model, id, ColumnCodec.decodeLabel(label), ts);
    }

    private static long readVarlong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("varint longer than 10 bytes");
    }

    private static byte[] readVarBlock(ByteBuffer in) {
        long n = readVarlong(in);
        if (n > in.remaining()) {
            throw new IllegalStateException("a block of " + n + " bytes runs past the end of the row");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
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
}
