package dev.modelwatch.server.ingest;

import dev.modelwatch.core.event.Event;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One ingest request as kept in the durable log: the body exactly as received (gzip included),
 * when it was received, its format, and which of its events were rejected. Logging the bytes the
 * client sent costs nothing beyond the write (no re-encoding on the hot path); replay decodes them
 * again as of the receive time and drops the rejected indices, so it yields exactly the events
 * that were acknowledged.
 *
 * <p>Layout: {@code [byte version][long receivedAtMs][byte format][byte gzip][int n][int rejected x n][body]}.
 */
public record LogRecord(long receivedAtMs, Format format, boolean gzip, int[] rejected, byte[] body) {
    private static final byte VERSION = 1;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogRecord.class);

    /** How the body is framed. */
    public enum Format {
        JSON, NDJSON
    }

    public byte[] encode() {
        byte[] header = header();
        byte[] all = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        return all;
    }

    /** The record as two parts, header and body, that together are {@link #encode()} (the body is not copied). */
    public byte[][] parts() {
        return new byte[][] {header(), body};
    }

    private byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + 1 + 4 + 4 * rejected.length);
        b.put(VERSION).putLong(receivedAtMs).put((byte) format.ordinal()).put((byte) (gzip ? 1 : 0));
        b.putInt(rejected.length);
        for (int i : rejected) {
            b.putInt(i);
        }
        return b.array();
    }

    public static LogRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown ingest log record version " + version);
        }
        long at = b.getLong();
        Format format = Format.values()[b.get()];
        boolean gzip = b.get() == 1;
        int[] rejected = new int[b.getInt()];
        for (int i = 0; i < rejected.length; i++) {
            rejected[i] = b.getInt();
        }
        byte[] body = Arrays.copyOfRange(bytes, b.position(), bytes.length);
        return new LogRecord(at, format, gzip, rejected, body);
    }

    /**
     * The events this record acknowledged, decoded again with {@code decoder} (which must accept
     * at least what the original one did: replay uses limits no stricter than ingest's).
     */
    public List<Event> events(EventDecoder decoder) {
        byte[] raw = body;
        if (gzip) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                raw = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt gzip body in the ingest log", e);
            }
        }
        DecodedBatch batch = format == Format.NDJSON ? decoder.decodeNdjson(raw, receivedAtMs)
                : decoder.decodeJson(raw, receivedAtMs);
        if (rejected.length == 0 && batch.errors().isEmpty()) {
            return batch.events();
        }
        // the decoder numbers events and errors by body index; keep the events not rejected at ingest
        boolean[] undecodable = new boolean[batch.total()];
        batch.errors().forEach(e -> undecodable[e.index()] = true);
        List<Event> out = new ArrayList<>(batch.events().size());
        int next = 0;
        int eventCursor = 0;
        int[] sortedRejected = rejected.clone();
        Arrays.sort(sortedRejected);
        for (int index = 0; index < batch.total(); index++) {
            while (next < sortedRejected.length && sortedRejected[next] < index) {
                next++;
            }
            if (undecodable[index]) {
                if (next >= sortedRejected.length || sortedRejected[next] != index) {
                    // accepted by an earlier version, refused now (a string storage cannot hold, say)
                    int i = index;
                    String why = batch.errors().stream().filter(x -> x.index() == i).findFirst()
                            .map(DecodedBatch.EventError::error).orElse("refused");
                    LOG.warn("replay: event {} of the request received at {} is dropped: {}", index,
                            java.time.Instant.ofEpochMilli(receivedAtMs), why);
                }
                continue;
            }
            Event e = batch.events().get(eventCursor++);
            if (next < sortedRejected.length && sortedRejected[next] == index) {
                continue;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r && r.receivedAtMs == receivedAtMs && r.format == format && r.gzip == gzip
                && Arrays.equals(r.rejected, rejected) && Arrays.equals(r.body, body);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(receivedAtMs) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "LogRecord[" + receivedAtMs + ", " + format + ", gzip=" + gzip + ", rejected=" + rejected.length
                + ", " + body.length + " bytes]";
    }
}
