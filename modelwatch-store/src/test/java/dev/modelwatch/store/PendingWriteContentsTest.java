package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.PendingPrediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksIterator;
import org.rocksdb.TtlDB;

/**
 * The bytes a write leaves in RocksDB: the same keys and values whatever order the rows are handed
 * over in, the later of two rows of one id stored, joined early labels deleted. The digest pins the
 * contents written by the row-at-a-time encoder this format was first written with.
 */
class PendingWriteContentsTest {
    static final long MINUTE = 60_000;
    static final long T0 = 1_700_000_000_000L;
    static final String CONTENTS_SHA256 = "ef87b8d179c4492b99ed1eef4474e82b5681192166197694773099eb94e8a773";

    @TempDir
    Path dir;

    /** Several models (one name a prefix of another, one empty), ids of every shape, duplicates. */
    static List<PendingPrediction> predictions() {
        Random random = new Random(7);
        String[] models = {"fraud", "churn", "fraud-eu-long-model-name", "", "fr"};
        // maps of a fixed order: that of Map.of changes from one run to the next
        Map<String, String> eu = new TreeMap<>(Map.of("region", "eu"));
        Map<String, String> us = new TreeMap<>(Map.of("region", "us", "tier", "gold"));
        Map<String, Double> scores = new TreeMap<>(Map.of("a", 0.25, "b", 0.75));
        List<PendingPrediction> rows = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String model = models[i % models.length];
            String id = switch (i % 4) {
                case 0 -> String.format("req-%08d", i);
                case 1 -> new UUID(random.nextLong(), random.nextLong()).toString();
                case 2 -> "p" + random.nextInt(1_000);
                default -> "ü-" + i + (i % 3 == 0 ? "✓" : "") + "🐈".repeat(i % 3);
            };
            long ts = T0 + random.nextInt(3_600_000);
            rows.add(new PendingPrediction(model, id, i % 2 == 0 ? "v1" : "v2", ts, Math.floorDiv(ts, MINUTE) * MINUTE,
                    MINUTE, i % 3 == 0 ? eu : us, i % 5 == 0 ? null : String.valueOf(i % 3),
                    i % 7 == 0 ? 2.5 * i : Double.NaN, i % 11 == 0 ? null : random.nextDouble(),
                    i % 13 == 0 ? scores : null, i % 17 == 0));
        }
        // a key and a value of more than 127 bytes: their lengths take two bytes
        Map<String, Double> many = new TreeMap<>();
        for (int c = 0; c < 40; c++) {
            many.put("class-" + c, c / 40.0);
        }
        rows.add(new PendingPrediction("fraud", "long-" + "x".repeat(300), "v1", T0, T0, MINUTE, eu, "1", Double.NaN,
                0.5, many, false));
        rows.add(new PendingPrediction("churn", "long-" + "é".repeat(70), "v1", T0, T0, MINUTE, us, "0", Double.NaN,
                0.5, many, false));
        // a row replaced by a later one of the same id in the same write, the model name another instance
        PendingPrediction first = rows.get(8);
        rows.add(new PendingPrediction(new String(first.model()), new String(first.id()), first.version(),
                first.timestampMs() + 1, first.windowStartMs(), first.windowMs(), first.segments(), "9", Double.NaN,
                0.5, null, true));
        rows.add(rows.get(101).asLabeled());
        rows.add(rows.get(101));
        return rows;
    }

    static PendingStore.PendingWrite firstWrite() {
        List<EarlyLabel> early = List.of(new EarlyLabel("fraud", "e1", 1.0, T0), new EarlyLabel("fraud", "e2", "yes", T0),
                new EarlyLabel("churn", "e1", 0.0, T0), new EarlyLabel("fraud", "e3", "Katze 🐈", T0));
        return new PendingStore.PendingWrite(10, predictions().subList(0, 100), early, Map.of());
    }

    static PendingStore.PendingWrite secondWrite() {
        List<EarlyLabel> early = List.of(new EarlyLabel("fraud", "e4", 2.0, T0 + 1),
                new EarlyLabel("fraud", "e3", "Hund", T0 + 2), new EarlyLabel("churn", "e5", 1.0, T0 + 3));
        Map<String, List<String>> joined = new LinkedHashMap<>();
        joined.put("fraud", List.of("e1", "e4", "never-there"));
        joined.put("churn", List.of("e1"));
        return new PendingStore.PendingWrite(20, predictions(), early, joined);
    }

    @Test
    void aMixedWriteLeavesTheSameBytes() throws Exception {
        Path path = dir.resolve("pending");
        try (RocksPendingStore store = RocksPendingStore.open(path, 86_400)) {
            store.write(firstWrite());
            store.write(secondWrite());
        }
        Map<String, byte[]> contents = contents(path);

        Map<String, byte[]> expected = new LinkedHashMap<>();
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        for (PendingStore.PendingWrite w : List.of(firstWrite(), secondWrite())) {
            for (PendingPrediction p : w.predictions()) {
                encoder.prediction(p);
                expected.put(hex(PendingRowCodec.key(PendingRowCodec.PREDICTION, p.model(), p.id())),
                        encoder.value.toArray());
            }
            for (EarlyLabel l : w.earlyLabels()) {
                encoder.earlyLabel(l);
                expected.put(hex(PendingRowCodec.key(PendingRowCodec.EARLY_LABEL, l.model(), l.id())),
                        encoder.value.toArray());
            }
            w.joinedLabels().forEach((model, ids) -> ids.forEach(
                    id -> expected.remove(hex(PendingRowCodec.key(PendingRowCodec.EARLY_LABEL, model, id)))));
        }
        expected.put(hex(new byte[] {'C', 'l', 's', 'n'}), ByteBuffer.allocate(8).putLong(20).array());

        assertThat(contents.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(contents.get(k)).as(k).isEqualTo(v));
        PendingPrediction replaced = predictions().get(8);
        byte[] stored = contents.get(hex(PendingRowCodec.key(PendingRowCodec.PREDICTION, replaced.model(), replaced.id())));
        assertThat(PendingRowCodec.decodePrediction(replaced.model(), replaced.id(), stored).predictedClass())
                .as("the later row of an id").isEqualTo("9");
        assertThat(digest(contents)).isEqualTo(CONTENTS_SHA256);
    }

    /** Every key (in hex) and value in the database, in key order. */
    static Map<String, byte[]> contents(Path path) throws Exception {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        try (Options options = new Options();
             TtlDB db = TtlDB.open(options, path.toString(), 86_400, true);
             RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                contents.put(hex(it.key()), it.value());
            }
        }
        return contents;
    }

    static String digest(Map<String, byte[]> contents) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        contents.forEach((k, v) -> {
            sha.update(k.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '=');
            sha.update(v);
            sha.update((byte) '\n');
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
