package dev.modelwatch.core.estimate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The byte encoding shared by the serialized forms of this package: unsigned LEB128 varints for
 * counts and indices, IEEE-754 big-endian doubles, UTF-8 strings prefixed by their byte length.
 * The reader rejects truncated input and malformed values with {@link IllegalArgumentException}s
 * that name what was being read.
 */
final class CompactBytes {
    private CompactBytes() {
    }

    /** Appends values to a growing buffer. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer writeByte(int b) {
            out.write(b);
            return this;
        }

        Writer writeVarLong(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative varint " + v);
            }
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Writer writeDouble(double v) {
            long bits = Double.doubleToLongBits(v);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift));
            }
            return this;
        }

        Writer writeString(String s) {
            return writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        Writer writeBytes(byte[] b) {
            writeVarLong(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Reads values back in the order they were written. */
    static final class Reader {
        private final byte[] bytes;
        private final String what;
        private int pos;

        /** @param what the name of the serialized type, for error messages */
        Reader(byte[] bytes, String what) {
            if (bytes == null) {
                throw new IllegalArgumentException(what + " bytes must not be null");
            }
            this.bytes = bytes;
            this.what = what;
        }

        int readByte(String field) {
            need(1, field);
            return bytes[pos++] & 0xFF;
        }

        long readVarLong(String field) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte(field);
                if (shift == 63 && (b & 0x7E) != 0) {
                    break;
                }
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw fail(field + ": malformed varint");
        }

        /** A varint that must lie in {@code [min, max]}. */
        long readVarLong(String field, long min, long max) {
            long v = readVarLong(field);
            if (v < min || v > max) {
                throw fail(field + " = " + v + " outside [" + min + ", " + max + "]");
            }
            return v;
        }

        int readVarInt(String field, int min, int max) {
            return (int) readVarLong(field, min, max);
        }

        double readDouble(String field) {
            need(8, field);
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (bytes[pos++] & 0xFF);
            }
            return Double.longBitsToDouble(bits);
        }

        String readString(String field) {
            return new String(readBytes(field), StandardCharsets.UTF_8);
        }

        byte[] readBytes(String field) {
            long n = readVarLong(field + " length", 0, Integer.MAX_VALUE);
            if (n > bytes.length - pos) {
                throw fail("truncated while reading " + field + " (" + n + " bytes announced, " + (bytes.length - pos)
                        + " left)");
            }
            byte[] b = new byte[(int) n];
            System.arraycopy(bytes, pos, b, 0, (int) n);
            pos += (int) n;
            return b;
        }

        void expectEnd() {
            if (pos != bytes.length) {
                throw fail((bytes.length - pos) + " trailing bytes");
            }
        }

        IllegalArgumentException fail(String message) {
            return new IllegalArgumentException("invalid " + what + " bytes: " + message);
        }

        private void need(int n, String field) {
            if (bytes.length - pos < n) {
                throw fail("truncated while reading " + field);
            }
        }
    }
}
