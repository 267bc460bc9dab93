package dev.modelwatch.store;

import static dev.modelwatch.store.PendingWriteContentsTest.MINUTE;
import static dev.modelwatch.store.PendingWriteContentsTest.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.profile.PendingPrediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pending predictions kept encoded in memory ({@link PendingRows}): found again by id as they were
 * put, the later row of an id kept, and written to the pending store as exactly the bytes the
 * row-at-a-time encoder writes for the same predictions (the digest {@link PendingWriteContentsTest}
 * pins).
 */
class PendingRowsTest {
    @TempDir
    Path dir;

    /** The predictions of one write, in order, into rows per model (the later row of an id replaces the earlier). */
    private static List<PendingRows> rowsOf(List<PendingPrediction> predictions) {
        Map<String, PendingRows> byModel = new LinkedHashMap<>();
        for (PendingPrediction p : predictions) {
            byModel.computeIfAbsent(p.model(), PendingRows::new).put(p);
        }
        return new ArrayList<>(byModel.values());
    }

    private static PendingStore.PendingWrite encoded(PendingStore.PendingWrite w) {
        return new PendingStore.PendingWrite(w.lsn(), List.of(), w.earlyLabels(), w.joinedLabels(),
                rowsOf(new ArrayList<>(w.predictions())));
    }

    @Test
    void encodedRowsLeaveTheBytesOfTheRowAtATimeEncoder() throws Exception {
        Path path = dir.resolve("pending");
        try (RocksPendingStore store = RocksPendingStore.open(path, 86_400)) {
            store.write(encoded(PendingWriteContentsTest.firstWrite()));
            store.write(encoded(PendingWriteContentsTest.secondWrite()));
        }
        assertThat(PendingWriteContentsTest.digest(PendingWriteContentsTest.contents(path)))
                .isEqualTo(PendingWriteContentsTest.CONTENTS_SHA256);
    }

    @Test
    void aWriteInManyBatchesLeavesTheSameBytes() throws Exception {
        assertThat(RocksPendingStore.serialize(encoded(PendingWriteContentsTest.secondWrite()), 2_048))
                .as("batches of 2 KiB").hasSizeGreaterThan(100);
        Path path = dir.resolve("pending");
        try (RocksPendingStore store = RocksPendingStore.open(path, 86_400)) {
            store.maxBatchBytes = 2_048;
            store.write(encoded(PendingWriteContentsTest.firstWrite()));
            store.write(encoded(PendingWriteContentsTest.secondWrite()));
        }
        assertThat(PendingWriteContentsTest.digest(PendingWriteContentsTest.contents(path)))
                .isEqualTo(PendingWriteContentsTest.CONTENTS_SHA256);
    }

    @Test
    void aWriteCutOffBetweenItsBatchesKeepsTheCheckpointAndIsWrittenAgainToTheSameBytes() throws Exception {
        Path path = dir.resolve("pending");
        PendingStore.PendingWrite second = encoded(PendingWriteContentsTest.secondWrite());
        List<byte[]> batches = RocksPendingStore.serialize(second, 2_048);
        try (RocksPendingStore store = RocksPendingStore.open(path, 86_400)) {
            store.write(encoded(PendingWriteContentsTest.firstWrite()));
        }
        // the first half of the second write's batches, as a crash would leave them
        try (org.rocksdb.Options options = new org.rocksdb.Options();
             org.rocksdb.TtlDB db = org.rocksdb.TtlDB.open(options, path.toString(), 86_400, false);
             org.rocksdb.WriteOptions sync = new org.rocksdb.WriteOptions().setSync(true)) {
            for (byte[] b : batches.subList(0, batches.size() / 2)) {
                try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch(b)) {
                    db.write(sync, batch);
                }
            }
        }
        try (RocksPendingStore store = RocksPendingStore.open(path, 86_400)) {
            assertThat(store.checkpointLsn()).as("the checkpoint comes with the last batch").isEqualTo(10);
            store.maxBatchBytes = 2_048;
            store.write(second);
            assertThat(store.checkpointLsn()).isEqualTo(20);
        }
        assertThat(PendingWriteContentsTest.digest(PendingWriteContentsTest.contents(path)))
                .isEqualTo(PendingWriteContentsTest.CONTENTS_SHA256);
    }

    @Test
    void objectsAndEncodedRowsInOneWriteAreAllWritten() throws Exception {
        List<PendingPrediction> all = PendingWriteContentsTest.predictions();
        List<PendingPrediction> objects = all.stream().filter(p -> !p.model().equals("fraud")).toList();
        List<PendingPrediction> fraud = all.stream().filter(p -> p.model().equals("fraud")).toList();
        PendingStore.PendingWrite w = new PendingStore.PendingWrite(20, objects, List.of(), Map.of(), rowsOf(fraud));
        assertThat(w.predictionCount()).isEqualTo(objects.size() + rowsOf(fraud).get(0).size());
        try (RocksPendingStore store = RocksPendingStore.open(dir.resolve("pending"), 86_400)) {
            store.write(w);
            Map<String, PendingPrediction> last = new HashMap<>();
            all.forEach(p -> last.put(p.model() + "\0" + p.id(), p));
            for (PendingPrediction p : last.values()) {
                assertThat(store.findPredictions(p.model(), List.of(p.id()))).as(p.model() + "/" + p.id())
                        .containsEntry(p.id(), p);
            }
            assertThat(store.checkpointLsn()).isEqualTo(20);
        }
    }

    @Test
    void eachIdIsFoundAsItWasLastPut() {
        List<PendingPrediction> all = PendingWriteContentsTest.predictions();
        Map<String, Map<String, PendingPrediction>> last = new HashMap<>();
        Map<String, PendingRows> rows = new HashMap<>();
        long reported = 0;
        for (PendingPrediction p : all) {
            last.computeIfAbsent(p.model(), m -> new HashMap<>()).put(p.id(), p);
            reported += rows.computeIfAbsent(p.model(), m -> new PendingRows(m, 3)).put(p);
        }
        long heap = 0;
        for (Map.Entry<String, PendingRows> e : rows.entrySet()) {
            PendingRows r = e.getValue();
            Map<String, PendingPrediction> expected = last.get(e.getKey());
            assertThat(r.size()).isEqualTo(expected.size());
            expected.forEach((id, p) -> {
                assertThat(r.contains(id)).as(id).isTrue();
                assertThat(r.get(id)).as(id).isEqualTo(p);
            });
            assertThat(r.get("never-put")).isNull();
            assertThat(r.contains("never-put")).isFalse();
            assertThat(r.contains("ü-3")).isFalse(); // a prefix of a stored id ("ü-3✓")
            heap += r.heapBytes();
        }
        assertThat(reported).as("what the puts returned adds up to the heap held").isEqualTo(heap);
        // the replaced row of PendingWriteContentsTest: the later one is found
        PendingPrediction replaced = all.get(8);
        assertThat(rows.get(replaced.model()).get(replaced.id()).predictedClass()).isEqualTo("9");
    }

    @Test
    void putAbsentKeepsTheRowsAlreadyHereAndCopiesTheOthers() {
        PendingRows newer = new PendingRows("fraud");
        PendingRows older = new PendingRows("fraud");
        for (int i = 0; i < 1_000; i++) {
            older.put(row("id-" + i, "old"));
        }
        for (int i = 500; i < 1_500; i++) {
            newer.put(row("id-" + i, "new"));
        }
        older.put(row("ü-✓", "old"));
        long before = newer.heapBytes();
        long taken = newer.putAbsent(older);
        assertThat(taken).isEqualTo(newer.heapBytes() - before);
        assertThat(newer.size()).isEqualTo(1_501);
        assertThat(newer.get("id-0").predictedClass()).isEqualTo("old");
        assertThat(newer.get("id-999").predictedClass()).isEqualTo("new");
        assertThat(newer.get("id-1499").predictedClass()).isEqualTo("new");
        assertThat(newer.get("ü-✓").predictedClass()).isEqualTo("old");
        assertThat(older.size()).as("the older rows are left as they were").isEqualTo(1_001);
        assertThat(older.get("id-999").predictedClass()).isEqualTo("old");
    }

    @Test
    void rowsPutAsNewAreFoundFromTheNextLookupOn() {
        PendingRows rows = new PendingRows("fraud");
        List<PendingPrediction> put = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            PendingPrediction p = row("n-" + i, String.valueOf(i % 3));
            put.add(p);
            rows.putNew(p);
            if (i % 997 == 0) {
                // a lookup now and then enters what came since, growing the table on the way
                assertThat(rows.get("n-" + i)).isEqualTo(p);
                assertThat(rows.contains("n-" + (i + 1))).isFalse();
            }
        }
        rows.put(row("n-7", "replaced"));
        assertThat(rows.size()).isEqualTo(5_000);
        for (PendingPrediction p : put) {
            assertThat(rows.get(p.id())).as(p.id()).isEqualTo(p.id().equals("n-7") ? row("n-7", "replaced") : p);
        }
        List<String> visited = new ArrayList<>();
        rows.forEachRecord((c, start, length, idStart, idLength) ->
                visited.add(new String(c, idStart, idLength, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(visited).hasSize(5_000).doesNotHaveDuplicates().endsWith("n-7");
    }

    @Test
    void aRowTakesAFractionOfItsObjectsHeap() {
        PendingRows rows = new PendingRows("bench-fraud");
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            rows.putNew(new PendingPrediction("bench-fraud", String.valueOf(10_000_000_000_000L + i), "v1", T0 + i,
                    Math.floorDiv(T0 + i, MINUTE) * MINUTE, MINUTE, Map.of("region", "eu-west"), "1", Double.NaN,
                    0.25, null, false));
        }
        // a row object, its id string, its boxed score and its map entry take over 200 bytes
        assertThat(rows.heapBytes() / n).isBetween(50L, 130L);
    }

    @Test
    void aPredictionOfAnotherModelIsRefused() {
        PendingRows rows = new PendingRows("fraud");
        assertThatThrownBy(() -> rows.put(new PendingPrediction("churn", "a", "v1", T0, T0, MINUTE, Map.of(), "1",
                Double.NaN, 0.5, null, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("churn").hasMessageContaining("fraud");
        assertThatThrownBy(() -> rows.putAbsent(new PendingRows("churn")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("churn");
    }

    private static PendingPrediction row(String id, String predictedClass) {
        return new PendingPrediction("fraud", id, "v1", T0, T0, MINUTE, Map.of(), predictedClass, Double.NaN, 0.5,
                null, false);
    }
}
