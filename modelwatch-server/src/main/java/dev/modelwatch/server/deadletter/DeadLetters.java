package dev.modelwatch.server.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.server.aggregate.ModelParking;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.LogRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter directory, {@code data_dir/dead-letter}: the events of models that storage kept
 * refusing for longer than {@code aggregation.park_after}, taken from the ingest log so that the
 * log can be truncated past them. Each entry is {@code ID.ndjson}, the events in the ingest format
 * (one per line; {@code POST /api/v1/events} takes the file as it is), and {@code ID.json}, what,
 * when and why ({@link DeadLetterEntry}). Both are forced to disk before the entry counts. A
 * replayed entry moves to {@code dead-letter/replayed/}.
 *
 * <p>Also usable without a running server (the command line lists and shows entries): then
 * {@link #park} is not called.
 */
public final class DeadLetters implements ModelParking {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[0-9TZ]{16}-[0-9]+-[A-Za-z0-9_.-]{1,128}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path dir;
    private final DurableLog log;
    private final EventDecoder decoder;
    private final Clock clock;

    /**
     * @param log     where parked events are read from (null: listing and showing only)
     * @param decoder decodes the log's records, with limits no stricter than ingest's
     */
    public DeadLetters(Path dir, DurableLog log, EventDecoder decoder, Clock clock) {
        this.dir = dir;
        this.log = log;
        this.decoder = decoder;
        this.clock = clock;
    }

    /** The directory of a data directory. */
    public static Path in(Path dataDir) {
        return dataDir.resolve("dead-letter");
    }

    @Override
    public Parked park(String model, long fromLsn, long toLsn, String reason) {
        if (log == null) {
            return null;
        }
        long now = clock.millis();
        String id = newId(model, now);
        Path events = dir.resolve(id + ".ndjson");
        long[] counts = new long[2];
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(id + ".ndjson.tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                log.read(fromLsn, toLsn, (payload, end) -> {
                    for (Event e : LogRecord.decode(payload).events(decoder)) {
                        if (dev.modelwatch.server.aggregate.Aggregator.modelOf(e).equals(model)) {
                            try {
                                EventJson.writeLine(e, out);
                            } catch (IOException x) {
                                throw new UncheckedIOException(x);
                            }
                            counts[0]++;
                            counts[1] += e instanceof PredictionEvent ? 1 : 0;
                        }
                    }
                });
            }
            if (counts[0] == 0) {
                Files.delete(tmp);
                return new Parked(null, 0, 0);
            }
            force(tmp);
            Files.move(tmp, events, StandardCopyOption.ATOMIC_MOVE);
            DeadLetterEntry entry = new DeadLetterEntry(id, model, Instant.ofEpochMilli(now).toString(), reason, fromLsn,
                    toLsn, counts[0], counts[1], null);
            writeEntry(dir, entry);
            force(dir);
        } catch (IOException | UncheckedIOException e) {
            discard(id);
            throw new IllegalStateException("cannot write dead-letter entry " + id + " in " + dir + ": " + e.getMessage(), e);
        }
        return new Parked(id, counts[0], counts[1]);
    }

    private String newId(String model, long now) {
        String name = model.isEmpty() ? "no-model" : model;
        for (int n = 1; ; n++) {
            String id = STAMP.format(Instant.ofEpochMilli(now)) + "-" + n + "-" + name;
            if (!Files.exists(dir.resolve(id + ".json")) && !Files.exists(dir.resolve(id + ".ndjson"))) {
                return id;
            }
        }
    }

    @Override
    public void discard(String id) {
        for (String suffix : new String[] {".ndjson.tmp", ".ndjson", ".json"}) {
            try {
                Files.deleteIfExists(dir.resolve(id + suffix));
            } catch (IOException e) {
                LOG.warn("cannot delete the incomplete dead-letter file {}{}: {}", id, suffix, e.getMessage());
            }
        }
    }

    /** The entries waiting for a replay, oldest first, and with {@code replayed} also those replayed. */
    public List<DeadLetterEntry> list(boolean replayed) {
        List<DeadLetterEntry> out = new ArrayList<>(entries(dir));
        if (replayed) {
            out.addAll(entries(dir.resolve("replayed")));
        }
        return out;
    }

    /** One entry, waiting or replayed. */
    public Optional<DeadLetterEntry> find(String id) {
        Path d = folderOf(id);
        return d == null ? Optional.empty() : Optional.of(readEntry(d.resolve(id + ".json")));
    }

    /** The events of an entry, as NDJSON in the ingest format. */
    public byte[] events(String id) {
        Path d = folderOf(id);
        if (d == null) {
            throw new IllegalArgumentException("no dead-letter entry '" + id + "'");
        }
        try {
            return Files.readAllBytes(d.resolve(id + ".ndjson"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dead-letter entry " + id, e);
        }
    }

    /** Moves a replayed entry to {@code replayed/}, noting when. */
    public DeadLetterEntry markReplayed(String id) {
        DeadLetterEntry e = find(id).orElseThrow(() -> new IllegalArgumentException("no dead-letter entry '" + id + "'"));
        DeadLetterEntry done = e.replayed(Instant.ofEpochMilli(clock.millis()).toString());
        Path to = dir.resolve("replayed");
        try {
            Files.createDirectories(to);
            Files.move(dir.resolve(id + ".ndjson"), to.resolve(id + ".ndjson"), StandardCopyOption.ATOMIC_MOVE);
            writeEntry(to, done);
            Files.delete(dir.resolve(id + ".json"));
        } catch (IOException x) {
            throw new UncheckedIOException("cannot move dead-letter entry " + id + " to " + to, x);
        }
        return done;
    }

    /** Where an entry lies, or null for none (and for a name that is not an entry's). */
    private Path folderOf(String id) {
        if (!ID.matcher(id).matches()) {
            return null;
        }
        if (Files.exists(dir.resolve(id + ".json"))) {
            return dir;
        }
        Path replayed = dir.resolve("replayed");
        return Files.exists(replayed.resolve(id + ".json")) ? replayed : null;
    }

    private static List<DeadLetterEntry> entries(Path d) {
        List<DeadLetterEntry> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "*.json")) {
            for (Path f : files) {
                out.add(readEntry(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the dead-letter directory " + d, e);
        }
        out.sort(java.util.Comparator.comparing(DeadLetterEntry::id));
        return out;
    }

    private static DeadLetterEntry readEntry(Path f) {
        try {
            return JSON.readValue(f.toFile(), DeadLetterEntry.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dead-letter entry " + f, e);
        }
    }

    private static void writeEntry(Path d, DeadLetterEntry e) throws IOException {
        Path tmp = d.resolve(e.id() + ".json.tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), e);
        force(tmp);
        Files.move(tmp, d.resolve(e.id() + ".json"), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void force(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(p)) {
                throw e;
            }
            // some file systems cannot force a directory; the entries are forced files
        }
    }
}
