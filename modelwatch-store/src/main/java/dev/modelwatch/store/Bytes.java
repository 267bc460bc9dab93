package dev.modelwatch.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer, reused row after row. */
final class Bytes {
    private byte[] buf;
    private int pos;

    Bytes(int capacity) {
        buf = new byte[capacity];
    }

    void reset() {
        pos = 0;
    }

    int position() {
        return pos;
    }

    /** The buffer, replaced when it grows. */
    byte[] array() {
        return buf;
    }

    /** Leaves a byte for the length of a block that follows; returns where it is. */
    int beginBlock() {
        ensure(1);
        return pos++;
    }

    /**
     * Writes the length of the block begun at {@code at} as a varint there, moving the block up if
     * it takes more than one byte; returns by how many bytes it moved.
     */
    int endBlock(int at) {
        int length = pos - at - 1;
        if (length < 0x80) {
            buf[at] = (byte) length;
            return 0;
        }
        int shift = 0;
        for (long v = length; (v & ~0x7FL) != 0; v >>>= 7) {
            shift++;
        }
        ensure(shift);
        System.arraycopy(buf, at + 1, buf, at + 1 + shift, length);
        pos = at;
        varlong(length);
        pos += length;
        return shift;
    }

    /** Makes room for {@code n} more bytes. */
    void reserve(int n) {
        ensure(n);
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

    void bytes(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, buf, pos, length);
        pos += length;
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
