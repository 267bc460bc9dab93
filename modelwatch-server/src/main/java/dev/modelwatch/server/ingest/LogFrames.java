package dev.modelwatch.server.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The framing of the ingest log's records: {@code [int length][int CRC32C of the payload][payload]},
 * and the reading of frames back from a segment, which stops at the first torn or corrupt one.
 */
final class LogFrames {
    /** Bytes of a frame's header: the payload's length and checksum. */
    static final int HEADER = 8;

    private LogFrames() {
    }

    /** The header of a payload made of {@code parts}, {@code length} bytes in all, ready to write. */
    static ByteBuffer header(byte[][] parts, int length) {
        CRC32C crc = new CRC32C();
        for (byte[] part : parts) {
            crc.update(part, 0, part.length);
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        h.putInt(length).putInt((int) crc.getValue()).flip();
        return h;
    }

    static long validLength(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            return readFrames(ch, 0, ch.size(), (payload, end) -> { });
        }
    }

    /**
     * The start of the frame that holds {@code pos} (or begins there), found by walking the frame
     * headers from the start of the segment: the frames before a checkpoint are not read.
     */
    static long frameStartAt(FileChannel ch, long pos, long size) throws IOException {
        if (pos == 0) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        long at = 0;
        while (at + HEADER <= size) {
            header.clear();
            ch.read(header, at);
            header.flip();
            int len = header.getInt();
            if (len <= 0 || at + HEADER + len > pos) {
                return at;
            }
            at += HEADER + len;
        }
        return at;
    }

    /**
     * Reads whole, checksummed frames from {@code pos} up to {@code size}; returns the position
     * after the last good one (where a torn or corrupt frame, if any, begins).
     */
    static long readFrames(FileChannel ch, long pos, long size, java.util.function.ObjLongConsumer<byte[]> frames)
            throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos + HEADER <= size) {
            header.clear();
            ch.read(header, pos);
            header.flip();
            int len = header.getInt();
            int crc = header.getInt();
            if (len <= 0 || pos + HEADER + len > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(len);
            ch.read(payload, pos + HEADER);
            if (crc(payload.array()) != crc) {
                break;
            }
            pos += HEADER + len;
            frames.accept(payload.array(), pos);
        }
        return pos;
    }

    static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length);
        return (int) c.getValue();
    }
}
