package dev.modelwatch.server.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only ingest log: an event batch is acknowledged only after it is written here and
 * forced to disk. Appends from many request threads are group-committed by one writer thread (one
 * {@code fsync} for all appends waiting at that moment), then handed, in log order, to a
 * {@link Listener} (the aggregation runtime).
 *
 * <p>The log is a directory of segment files named by the log position (LSN, a byte offset over
 * all segments) of their first record. A record is framed ({@link LogFrames}) as {@code [int length][int CRC32C]
 * [payload]}. On open, a torn tail (a crash in the middle of a write) is found by its length or
 * checksum and cut off; it was never acknowledged. After the aggregation runtime has committed
 * everything before an LSN to storage, {@link #truncateBefore(long)} deletes the segments that
 * lie wholly before it.
 */
public final class DurableLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableLog.class);
    private static final long MAX_GROUP_BYTES = 16L << 20;

    /** Receives each durable record, in log order, on the writer thread. */
    public interface Listener {
        void onDurable(long lsnStart, long lsnEnd, Object attachment);
    }

    /** Timings of a group commit, for the server's own metrics. */
    public interface Observer {
        void onGroupCommit(int records, long bytes, long fsyncNanos);
    }

    private record Append(byte[][] parts, int length, Object attachment, CompletableFuture<Long> done) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final boolean fsync;
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private final BlockingQueue<Append> queue = new LinkedBlockingQueue<>();
    private final Object segmentLock = new Object();
    private FileChannel active;
    private long activeBase;
    private volatile long endLsn;
    private Thread writer;
    private volatile boolean running;
    /** Why the last group could not be written, while the log is not writable; null once a write succeeds. */
    private volatile IOException failure;
    private volatile long failingSinceMs;
    private final java.time.Clock clock;
    private volatile boolean rollPending;
    private Listener listener;
    private Observer observer = (r, b, n) -> { };

    private DurableLog(Path dir, long segmentBytes, boolean fsync, java.time.Clock clock) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.fsync = fsync;
        this.clock = clock;
    }

    /**
     * Opens (or creates) the log in {@code dir} and cuts off a torn tail; {@code clock} times the
     * writes (for the observer) and the start of a failure (for health).
     */
    public static DurableLog open(Path dir, long segmentBytes, boolean fsync, java.time.Clock clock) {
        DurableLog log = new DurableLog(dir, segmentBytes, fsync, clock);
        try {
            Files.createDirectories(dir);
            log.scan();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ingest log in " + dir, e);
        }
        return log;
    }

    private void scan() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    segments.put(Long.parseLong(name.substring(0, name.length() - 4)), f);
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring a file that is not a log segment: {}", f);
                }
            }
        }
        if (segments.isEmpty()) {
            openSegment(0);
            return;
        }
        long lastBase = segments.lastKey();
        Path last = segments.get(lastBase);
        long validEnd = LogFrames.validLength(last);
        active = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (validEnd < active.size()) {
            LOG.warn("ingest log {}: cutting off a torn tail of {} bytes (never acknowledged)", last,
                    active.size() - validEnd);
            active.truncate(validEnd);
            active.force(true);
        }
        active.position(validEnd);
        activeBase = lastBase;
        endLsn = lastBase + validEnd;
    }

    private void openSegment(long base) throws IOException {
        Path f = dir.resolve(String.format("%020d.log", base));
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        synchronized (segmentLock) {
            segments.put(base, f);
        }
        if (active != null) {
            active.close();
        }
        active = ch;
        activeBase = base;
        endLsn = base + ch.size();
        ch.position(ch.size());
        forceDirectory();
    }

    private void forceDirectory() {
        if (!fsync) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("directory fsync not supported here: {}", e.getMessage());
        }
    }

    /** The position after the last durable record. */
    public long endLsn() {
        return endLsn;
    }

    /** Receives a replayed record: its payload and where it lies, {@code [lsnStart, lsnEnd)}. */
    public interface RecordConsumer {
        void accept(byte[] payload, long lsnStart, long lsnEnd);
    }

    /**
     * Reads every record from {@code fromLsn} to the end, in order; call before {@link #start}.
     *
     * @param consumer receives the record's end LSN and payload
     */
    public void replay(long fromLsn, java.util.function.ObjLongConsumer<byte[]> consumer) {
        replay(fromLsn, (payload, start, end) -> consumer.accept(payload, end));
    }

    /**
     * Reads every record that ends after {@code fromLsn}, in order; call before {@link #start}. A
     * position inside a record (a checkpoint taken part-way through its events) yields that whole
     * record, for the reader to skip what it had applied.
     */
    public void replay(long fromLsn, RecordConsumer consumer) {
        List<Long> bases;
        synchronized (segmentLock) {
            bases = new ArrayList<>(segments.keySet());
        }
        try {
            for (int i = 0; i < bases.size(); i++) {
                long base = bases.get(i);
                long next = i + 1 < bases.size() ? bases.get(i + 1) : Long.MAX_VALUE;
                if (next <= fromLsn) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(segments.get(base), StandardOpenOption.READ)) {
                    long size = base == activeBase ? endLsn - base : ch.size();
                    long end = LogFrames.readFrames(ch, LogFrames.frameStartAt(ch, Math.max(0, fromLsn - base), size), size,
                            (payload, pos) -> consumer.accept(payload, base + pos - LogFrames.HEADER - payload.length, base + pos));
                    if (end < size) {
                        LOG.error("ingest log segment {} is corrupt at offset {}; skipping its rest", base, end);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replay the ingest log", e);
        }
    }

    /**
     * Reads the records whose end lies in {@code (fromLsn, toLsn]}, in order, while the log runs (they
     * must be durable and not truncated: the caller keeps them from truncation).
     *
     * @param consumer receives the record's payload and end LSN
     */
    public void read(long fromLsn, long toLsn, java.util.function.ObjLongConsumer<byte[]> consumer) {
        List<Long> bases;
        List<Path> paths = new ArrayList<>();
        synchronized (segmentLock) {
            bases = new ArrayList<>(segments.keySet());
            bases.forEach(b -> paths.add(segments.get(b)));
        }
        try {
            for (int i = 0; i < bases.size(); i++) {
                long base = bases.get(i);
                long next = i + 1 < bases.size() ? bases.get(i + 1) : Long.MAX_VALUE;
                if (next <= fromLsn || base >= toLsn) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(paths.get(i), StandardOpenOption.READ)) {
                    long size = Math.min(ch.size(), toLsn - base);
                    LogFrames.readFrames(ch, Math.max(0, fromLsn - base), size, (payload, pos) -> consumer.accept(payload, base + pos));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ingest log from " + fromLsn + " to " + toLsn, e);
        }
    }

    /** Starts the writer thread; durable records are then handed to {@code listener}. */
    public void start(Listener l, Observer o) {
        start(l, o, dev.modelwatch.server.health.WorkerThreads.PLAIN);
    }

    /** Starts the writer thread, made by {@code threads}; durable records are then handed to {@code listener}. */
    public void start(Listener l, Observer o, dev.modelwatch.server.health.WorkerThreads threads) {
        this.listener = l;
        if (o != null) {
            this.observer = o;
        }
        running = true;
        writer = threads.newThread("modelwatch-log-writer", this::writeLoop);
        writer.start();
    }

    /**
     * Why appends fail now (the disk is full, say), or empty while the log is writable. A failed
     * write is cut off again and the next append tries anew, so the log recovers by itself once
     * the cause is gone.
     */
    public java.util.Optional<String> writeProblem() {
        IOException f = failure;
        if (f == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("not writable since " + java.time.Instant.ofEpochMilli(failingSinceMs) + ": "
                + describe(f));
    }

    /** An I/O failure as a person reads it: the operating system's message ("No space left on device"). */
    static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * Appends a record; the future completes with its end LSN once it is on disk and has been
     * handed to the listener, or fails if it could not be written.
     */
    public CompletableFuture<Long> append(byte[] payload, Object attachment) {
        return append(new byte[][] {payload}, attachment);
    }

    /**
     * Appends one record made of {@code parts} written back to back (a header and a body need not
     * be copied into one array first).
     */
    public CompletableFuture<Long> append(byte[][] parts, Object attachment) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("the ingest log is closed"));
            return done;
        }
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        queue.add(new Append(parts, length, attachment, done));
        return done;
    }

    private void writeLoop() {
        List<Append> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Append first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.clear();
                group.add(first);
                long bytes = first.length + LogFrames.HEADER;
                Append next;
                while (bytes < MAX_GROUP_BYTES && (next = queue.poll()) != null) {
                    group.add(next);
                    bytes += next.length + LogFrames.HEADER;
                }
                writeGroup(group, bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void writeGroup(List<Append> group, long bytes) {
        List<ByteBuffer> list = new ArrayList<>(group.size() * 3);
        for (Append a : group) {
            list.add(LogFrames.header(a.parts, a.length));
            for (byte[] part : a.parts) {
                list.add(ByteBuffer.wrap(part));
            }
        }
        ByteBuffer[] buffers = list.toArray(new ByteBuffer[0]);
        long start = endLsn;
        try {
            if (failure != null) {
                // the last group failed: make sure none of it is left where this one starts
                long expected = start - activeBase;
                if (active.size() != expected) {
                    active.truncate(expected);
                }
                active.position(expected);
            }
            long written = 0;
            while (written < bytes) {
                written += active.write(buffers);
            }
            java.time.Instant t0 = clock.instant();
            if (fsync) {
                active.force(false);
            }
            observer.onGroupCommit(group.size(), bytes,
                    Math.max(0, java.time.Duration.between(t0, clock.instant()).toNanos()));
        } catch (IOException e) {
            if (failure == null) {
                failingSinceMs = clock.millis();
                LOG.error("cannot write the ingest log ({}); refusing events until a write succeeds again", describe(e));
            }
            failure = e;
            try {
                // cut off what part of the group reached the file, and write the next group where it began
                active.truncate(start - activeBase);
                active.position(start - activeBase);
            } catch (IOException ignored) {
                // the torn tail is cut off again at the next start; the next write starts at the end of the file
            }
            IOException refused = new IOException("the ingest log cannot be written: " + describe(e), e);
            for (Append a : group) {
                a.done.completeExceptionally(refused);
            }
            return;
        }
        if (failure != null) {
            LOG.info("the ingest log is writable again (it was not since {})",
                    java.time.Instant.ofEpochMilli(failingSinceMs));
            failure = null;
        }
        long pos = start;
        for (Append a : group) {
            long recordStart = pos;
            pos += LogFrames.HEADER + a.length;
            endLsn = pos;
            try {
                listener.onDurable(recordStart, pos, a.attachment);
            } finally {
                a.done.complete(pos);
            }
        }
        if (endLsn - activeBase >= segmentBytes) {
            try {
                openSegment(endLsn);
                rollPending = false;
            } catch (IOException e) {
                // the active segment goes on growing; the roll is tried again after the next group
                if (!rollPending) {
                    LOG.warn("cannot start a new ingest log segment ({}); writing on in the current one", describe(e));
                }
                rollPending = true;
            }
        }
    }

    /** Deletes the segments that lie wholly before {@code lsn} (never the active one). */
    public void truncateBefore(long lsn) {
        List<Path> doomed = new ArrayList<>();
        synchronized (segmentLock) {
            List<Long> bases = new ArrayList<>(segments.keySet());
            for (int i = 0; i + 1 < bases.size(); i++) {
                if (bases.get(i + 1) <= lsn && bases.get(i) != activeBase) {
                    doomed.add(segments.remove(bases.get(i)));
                }
            }
        }
        for (Path p : doomed) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("cannot delete ingest log segment {}: {}", p, e.getMessage());
            }
        }
    }

    /** Number of segment files, for tests and metrics. */
    public int segmentCount() {
        synchronized (segmentLock) {
            return segments.size();
        }
    }

    /** Bytes of log not yet truncated. */
    public long retainedBytes() {
        synchronized (segmentLock) {
            return segments.isEmpty() ? 0 : endLsn - segments.firstKey();
        }
    }

    /** Writes what is queued, stops the writer and closes the active segment. */
    @Override
    public void close() {
        close(java.time.Duration.ofSeconds(10));
    }

    /**
     * Writes what is queued, waiting at most {@code grace} for the writer, and closes the active
     * segment. Appends still queued then are refused (their requests were not acknowledged).
     */
    public void close(java.time.Duration grace) {
        running = false;
        if (writer != null) {
            try {
                writer.join(Math.max(1, grace.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (writer.isAlive()) {
                LOG.warn("the ingest log writer did not finish within the shutdown grace period; {} appends not "
                        + "acknowledged", queue.size());
                writer.interrupt();
            }
        }
        Append left;
        while ((left = queue.poll()) != null) {
            left.done.completeExceptionally(new IllegalStateException("the ingest log is closed"));
        }
        try {
            if (active != null) {
                active.close();
            }
        } catch (IOException e) {
            LOG.warn("closing the ingest log: {}", e.getMessage());
        }
    }
}
