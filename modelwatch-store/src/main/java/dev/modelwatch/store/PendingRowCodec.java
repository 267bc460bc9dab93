package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
     * is encoded once and found again by identity in a small open-addressing table (up to
     * {@link #CACHE_LIMIT} instances, then it starts again empty); the model and the version, which
     * runs of rows share, are first compared with the last row's.
     */
    static final class Encoder {
        static final int CACHE_LIMIT = 4096;
        private Object[] cachedObjects = new Object[64];
        private byte[][] cachedBytes = new byte[64][];
        private int cached;
        private String lastModel;
        private byte[] lastModelBytes;
        private String lastVersion;
        private byte[] lastVersionBytes;
        final Bytes key = new Bytes(64);
        final Bytes value = new Bytes(128);

        private byte[] cached(Object o, Function<Object, byte[]> encode) {
            int slot = slot(o);
            if (cachedObjects[slot] == o) {
                return cachedBytes[slot];
            }
            byte[] b = encode.apply(o);
            if (cached == CACHE_LIMIT) {
                cachedObjects = new Object[64];
                cachedBytes = new byte[64][];
                cached = 0;
            } else if (2 * (cached + 1) > cachedObjects.length) {
                Object[] objects = cachedObjects;
                byte[][] bytes = cachedBytes;
                cachedObjects = new Object[2 * objects.length];
                cachedBytes = new byte[2 * objects.length][];
                cached = 0;
                for (int i = 0; i < objects.length; i++) {
                    if (objects[i] != null) {
                        insert(objects[i], bytes[i]);
                    }
                }
            }
            insert(o, b);
            return b;
        }

        /** The slot of {@code o} in the table, or the empty one where it would go. */
        private int slot(Object o) {
            Object[] objects = cachedObjects;
            int mask = objects.length - 1;
            // spread the identity hash over the bits the table uses
            int slot = (System.identityHashCode(o) * 0x9E3779B9) >>> 16 & mask;
            for (Object c; (c = objects[slot]) != null && c != o; ) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void insert(Object o, byte[] b) {
            int slot = slot(o);
            cachedObjects[slot] = o;
            cachedBytes[slot] = b;
            cached++;
        }

        private byte[] utf8(String s) {
            return cached(s, Encoder::utf8Of);
        }

        private byte[] model(String m) {
            if (m != lastModel) {
                lastModelBytes = utf8(m);
                lastModel = m;
            }
            return lastModelBytes;
        }

        private byte[] version(String v) {
            if (v != lastVersion) {
                lastVersionBytes = utf8(v);
                lastVersion = v;
            }
            return lastVersionBytes;
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
            key.reset();
            key(key, kind, model, id);
        }

        /** Appends the key of a row to {@code out}; returns where its id starts there. */
        int key(Bytes out, byte kind, String model, String id) {
            out.u8(kind);
            out.bytes(model(model));
            out.u8(0);
            int idStart = out.position();
            out.text(id);
            return idStart;
        }

        /** Fills {@link #value} with a prediction in format 2. */
        void prediction(PendingPrediction p) {
            value.reset();
            prediction(value, p);
        }

        /** Appends a prediction in format 2 to {@code out}. */
        void prediction(Bytes out, PendingPrediction p) {
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
            out.block(version(p.version()));
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
