package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.profile.PendingPrediction;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.TtlDB;

/** The value formats of the pending predictions: rows of the earlier format 1 are still read. */
class PendingRowFormatTest {
    static final long MINUTE = 60_000;
    static final long HOUR = 60 * MINUTE;
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    static List<PendingPrediction> rows() {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("cat", 0.25);
        scores.put("dog", Double.NaN);
        List<PendingPrediction> rows = new ArrayList<>();
        rows.add(new PendingPrediction("fraud", "binary", "v3", T0 + 5, Math.floorDiv(T0 + 5, HOUR) * HOUR, HOUR,
                Map.of("region", "eu"), "1", Double.NaN, 0.734251, null, false));
        rows.add(new PendingPrediction("fraud", "labeled", "v3", T0, T0 - T0 % HOUR, HOUR, Map.of(), "0",
                Double.NaN, 0.1, null, true));
        rows.add(new PendingPrediction("fraud", "window-not-derived", "v1", T0 + 5, T0 - 7, 1_500, Map.of(), null,
                2.5, null, null, false));
        rows.add(new PendingPrediction("fraud", "negative-time", "v1", -3 * MINUTE - 1, -4 * MINUTE, MINUTE,
                Map.of("länd", "Köln ✓"), "cat", Double.NEGATIVE_INFINITY, -0.0, scores, false));
        rows.add(new PendingPrediction("fraud", "nan-payload", "v1", T0, T0, 0,
                Map.of(), null, Double.longBitsToDouble(0x7ff8_0000_0000_0001L), null, Map.of(), true));
        rows.add(new PendingPrediction("fraud", "extreme", "", Long.MAX_VALUE, Long.MIN_VALUE, -1, Map.of(), "",
                0.0, Double.NaN, null, false));
        return rows;
    }

    @Test
    void predictionsRoundTripInFormat2BitForBit() {
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        for (PendingPrediction p : rows()) {
            encoder.prediction(p);
            byte[] value = encoder.value.toArray();
            assertThat(value[0]).isEqualTo((byte) PendingRowCodec.FORMAT_2);
            PendingPrediction back = PendingRowCodec.decodePrediction(p.model(), p.id(), value);
            assertThat(back).as(p.id()).isEqualTo(p);
            assertThat(Double.doubleToRawLongBits(back.predictedValue()))
                    .isEqualTo(Double.doubleToRawLongBits(p.predictedValue()));
            if (p.score() != null) {
                assertThat(Double.doubleToRawLongBits(back.score())).isEqualTo(Double.doubleToRawLongBits(p.score()));
            }
        }
    }

    @Test
    void aBinaryPredictionTakesUnderFortyBytes() throws IOException {
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        encoder.prediction(rows().get(0));
        // format 1 takes 74 bytes for the same row
        assertThat(encoder.value.toArray()).hasSizeLessThan(40);
        assertThat(format1(rows().get(0))).hasSize(74);
    }

    @Test
    void aTruncatedOrUnknownRowIsReportedCorrupt() {
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        encoder.prediction(rows().get(0));
        byte[] value = encoder.value.toArray();
        byte[] truncated = java.util.Arrays.copyOf(value, value.length - 3);
        assertThatThrownBy(() -> PendingRowCodec.decodePrediction("fraud", "binary", truncated))
                .isInstanceOf(StoreException.class).hasMessageContaining("corrupt");
        byte[] unknown = value.clone();
        unknown[0] = 9;
        assertThatThrownBy(() -> PendingRowCodec.decodePrediction("fraud", "binary", unknown))
                .isInstanceOf(StoreException.class).hasMessageContaining("format 9");
    }

    @Test
    void format1RowsWrittenBeforeAnUpgradeAreStillFoundAndReplaced() throws Exception {
        Path path = dir.resolve("pending");
        java.nio.file.Files.createDirectories(path);
        try (Options options = new Options().setCreateIfMissing(true);
             TtlDB db = TtlDB.open(options, path.toString(), 86_400, false)) {
            for (PendingPrediction p : rows()) {
                db.put(PendingRowCodec.key(PendingRowCodec.PREDICTION, p.model(), p.id()), format1(p));
            }
        }
        try (RocksPendingStore store = RocksPendingStore.open(path, 86_400)) {
            List<String> ids = rows().stream().map(PendingPrediction::id).toList();
            Map<String, PendingPrediction> found = store.findPredictions("fraud", ids);
            assertThat(found).hasSize(rows().size());
            for (PendingPrediction p : rows()) {
                assertThat(found.get(p.id())).as(p.id()).isEqualTo(p);
            }
            List<String> scanned = new ArrayList<>();
            store.scanIds((model, id) -> scanned.add(id));
            assertThat(scanned).containsExactlyInAnyOrderElementsOf(ids);

            PendingPrediction labeled = rows().get(0).asLabeled();
            store.write(new PendingStore.PendingWrite(1, List.of(labeled), List.of(), Map.of()));
            assertThat(store.findPredictions("fraud", List.of("binary"))).containsEntry("binary", labeled);
        }
    }

    @Test
    void anEncoderEncodesEachSharedSegmentMapOnce() {
        List<Map<String, String>> maps = new ArrayList<>();
        int[] encoded = new int[300];
        for (int i = 0; i < encoded.length; i++) {
            int index = i;
            Map<String, String> entries = Map.of("region", "r" + i);
            maps.add(new java.util.AbstractMap<>() {
                @Override
                public java.util.Set<Entry<String, String>> entrySet() {
                    encoded[index]++;
                    return entries.entrySet();
                }

                @Override
                public int size() {
                    return entries.size();
                }
            });
        }
        PendingRowCodec.Encoder encoder = new PendingRowCodec.Encoder();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < maps.size(); i++) {
                PendingPrediction p = new PendingPrediction("fraud", "p" + i, "v1", T0, T0, MINUTE, maps.get(i), "1",
                        Double.NaN, 0.5, null, false);
                encoder.prediction(p);
                assertThat(PendingRowCodec.decodePrediction("fraud", p.id(), encoder.value.toArray()).segments())
                        .isEqualTo(Map.of("region", "r" + i));
            }
        }
        assertThat(encoded).containsOnly(1);
    }

    /** The encoding of format 1, as written before format 2. */
    static byte[] format1(PendingPrediction p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        block(out, p.version().getBytes(StandardCharsets.UTF_8));
        out.writeLong(p.timestampMs());
        out.writeLong(p.windowStartMs());
        out.writeLong(p.windowMs());
        block(out, ColumnCodec.encodeStrings(p.segments()));
        block(out, p.predictedClass() == null ? null : p.predictedClass().getBytes(StandardCharsets.UTF_8));
        out.writeLong(Double.doubleToRawLongBits(p.predictedValue()));
        out.writeByte(p.score() != null ? 1 : 0);
        out.writeLong(p.score() == null ? 0 : Double.doubleToRawLongBits(p.score()));
        block(out, p.scores() == null ? null : ColumnCodec.encodeDoubles(p.scores()));
        out.writeByte(p.labeled() ? 1 : 0);
        out.flush();
        return bytes.toByteArray();
    }

    private static void block(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }
}
