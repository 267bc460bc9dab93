package dev.modelwatch.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Column encodings for values that no SQL type stores the same way in SQLite, PostgreSQL and
 * MySQL/MariaDB.
 *
 * <ul>
 *   <li>A double is its IEEE-754 bit pattern in a 64-bit integer column: MySQL and MariaDB reject
 *       NaN and infinities in DOUBLE columns, and NaN scores or losses are exactly what monitoring
 *       must keep. The raw bits round-trip every value, NaN payloads and -0.0 included.</li>
 *   <li>A map is {@code [format][varint n]} followed by n entries of {@code [varint length][UTF-8 key]}
 *       and either {@code [varint length][UTF-8 value]} or an 8-byte big-endian double bit
 *       pattern. Lengths are varints because keys and values are short: {@code {region=eu}}
 *       takes 12 bytes.</li>
 *   <li>A label is {@code [tag][payload]}: tag 1 and 8 bytes of double bits, or tag 2 and UTF-8,
 *       so a label comes back as the same Java type ({@code 1.0} and {@code "1"} stay apart).</li>
 * </ul>
 * Map values must not be null (the ingest log cannot carry null map values either).
 */
final class ColumnCodec {
    private static final byte MAP_FORMAT = 1;
    private static final byte LABEL_NUMBER = 1;
    private static final byte LABEL_TEXT = 2;

    private ColumnCodec() {
    }

    static long encodeDouble(double value) {
        return Double.doubleToRawLongBits(value);
    }

    static double decodeDouble(long bits) {
        return Double.longBitsToDouble(bits);
    }

    static byte[] encodeStrings(Map<String, String> map) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 16 * map.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAP_FORMAT);
            writeVarint(out, map.size());
            for (Map.Entry<String, String> e : map.entrySet()) {
                writeText(out, e.getKey());
                writeText(out, requireValue(e.getKey(), e.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<String, String> decodeStrings(byte[] bytes) {
        try (DataInputStream in = openMap(bytes)) {
            int n = readVarint(in);
            Map<String, String> map = new LinkedHashMap<>(capacityFor(n));
            for (int i = 0; i < n; i++) {
                map.put(readText(in), readText(in));
            }
            return Collections.unmodifiableMap(map);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt map column", e);
        }
    }

    static byte[] encodeDoubles(Map<String, Double> map) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 24 * map.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAP_FORMAT);
            writeVarint(out, map.size());
            for (Map.Entry<String, Double> e : map.entrySet()) {
                writeText(out, e.getKey());
                out.writeLong(encodeDouble(requireValue(e.getKey(), e.getValue())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<String, Double> decodeDoubles(byte[] bytes) {
        try (DataInputStream in = openMap(bytes)) {
            int n = readVarint(in);
            Map<String, Double> map = new LinkedHashMap<>(capacityFor(n));
            for (int i = 0; i < n; i++) {
                map.put(readText(in), decodeDouble(in.readLong()));
            }
            return Collections.unmodifiableMap(map);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt map column", e);
        }
    }

    /** Encodes a label, which is a {@link Double} or a {@link String}. */
    static byte[] encodeLabel(Object label) {
        if (label instanceof Double d) {
            long bits = encodeDouble(d);
            byte[] b = new byte[9];
            b[0] = LABEL_NUMBER;
            for (int i = 0; i < 8; i++) {
                b[1 + i] = (byte) (bits >>> (56 - 8 * i));
            }
            return b;
        }
        if (label instanceof String s) {
            byte[] text = s.getBytes(StandardCharsets.UTF_8);
            byte[] b = new byte[1 + text.length];
            b[0] = LABEL_TEXT;
            System.arraycopy(text, 0, b, 1, text.length);
            return b;
        }
        throw new IllegalArgumentException("a label must be a Double or a String, was "
                + (label == null ? "null" : label.getClass().getName()));
    }

    static Object decodeLabel(byte[] b) {
        if (b.length == 9 && b[0] == LABEL_NUMBER) {
            long bits = 0;
            for (int i = 1; i < 9; i++) {
                bits = (bits << 8) | (b[i] & 0xFF);
            }
            return decodeDouble(bits);
        }
        if (b.length >= 1 && b[0] == LABEL_TEXT) {
            return new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
        }
        throw new IllegalStateException("corrupt label column: " + b.length + " bytes"
                + (b.length > 0 ? ", tag " + b[0] : ""));
    }

    private static <V> V requireValue(String key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("map value of '" + key + "' is null");
        }
        return value;
    }

    private static DataInputStream openMap(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        byte format = in.readByte();
        if (format != MAP_FORMAT) {
            throw new IOException("unknown map format " + format);
        }
        return in;
    }

    private static int capacityFor(int entries) {
        return (int) Math.min(1 << 16, entries / 0.75f + 1);
    }

    private static void writeText(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarint(out, b.length);
        out.write(b);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = readVarint(in);
        if (length > in.available()) {
            throw new IOException("text of " + length + " bytes runs past the end of the column");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Unsigned LEB128, as protobuf writes lengths. */
    private static void writeVarint(DataOutputStream out, int value) throws IOException {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int readVarint(DataInputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw new IOException("negative length " + value);
                }
                return value;
            }
        }
        throw new IOException("varint longer than 5 bytes");
    }
}
