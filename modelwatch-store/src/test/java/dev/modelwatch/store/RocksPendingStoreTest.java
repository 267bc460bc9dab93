package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.PendingPrediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksPendingStoreTest {
    static final long MINUTE = 60_000;
    static final long T0 = 1_700_000_000_000L;
    static final int WEEK_S = 7 * 86_400;

    @TempDir
    Path dir;
    RocksPendingStore store;

    @BeforeEach
    void open() {
        store = RocksPendingStore.open(dir.resolve("pending"), WEEK_S);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static PendingPrediction prediction(String model, String id, long timestampMs) {
        long window = Math.floorDiv(timestampMs, MINUTE) * MINUTE;
        return new PendingPrediction(model, id, "v1", timestampMs, window, MINUTE, Map.of("region", "eu"), "1",
                Double.NaN, 0.75, null, false);
    }

    static PendingStore.PendingWrite write(long lsn, Collection<PendingPrediction> predictions,
                                           Collection<EarlyLabel> early, Map<String, List<String>> joined) {
        return new PendingStore.PendingWrite(lsn, predictions, early, joined);
    }

    @Test
    void predictionsRoundTripWithNonFiniteValuesAndAreReplacedById() {
        PendingPrediction a = new PendingPrediction("fraud", "a", "v1", T0 + 5, T0, MINUTE,
                Map.of("region", "eu", "tier", "gold"), null, Double.NaN, Double.POSITIVE_INFINITY, null, false);
        PendingPrediction b = new PendingPrediction("fraud", "b", "v2", T0 + 6, T0, MINUTE, Map.of(), "cat",
                Double.NEGATIVE_INFINITY, null, Map.of("cat", Double.NaN, "dog", Double.NEGATIVE_INFINITY, "bird", 0.25),
                true);
        PendingPrediction c = new PendingPrediction("fraud", "c", "v1", T0 + 7, T0, MINUTE, Map.of("länd", "Köln ✓"),
                "1", 3.5, -0.0, Map.of(), false);
        PendingPrediction otherModel = new PendingPrediction("other", "a", "v1", T0, T0, MINUTE, Map.of(), "0",
                Double.NaN, 0.1, null, false);
        PendingPrediction zeroInId = new PendingPrediction("fraud", "x\u0000y", "v1", T0, T0, MINUTE, Map.of(), "0",
                Double.NaN, 0.1, null, false);
        store.write(write(1, List.of(a, b, c, otherModel, zeroInId), List.of(), Map.of()));

        Map<String, PendingPrediction> found = store.findPredictions("fraud", List.of("a", "b", "c", "missing", "x\u0000y"));
        assertThat(found).containsOnlyKeys("a", "b", "c", "x\u0000y");
        assertThat(found.get("a")).isEqualTo(a);
        assertThat(found.get("b")).isEqualTo(b);
        assertThat(found.get("c")).isEqualTo(c);
        assertThat(found.get("a").predictedValue()).isNaN();
        assertThat(found.get("a").score()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(found.get("a").scores()).isNull();
        assertThat(found.get("b").score()).isNull();
        assertThat(found.get("b").scores().get("cat")).isNaN();
        assertThat(Double.doubleToRawLongBits(found.get("c").score())).isEqualTo(Double.doubleToRawLongBits(-0.0));

        store.write(write(2, List.of(a.asLabeled()), List.of(), Map.of()));
        assertThat(store.findPredictions("fraud", List.of("a")).get("a").labeled()).isTrue();
        assertThat(store.findPredictions("other", List.of("a"))).containsEntry("a", otherModel);
        assertThat(store.findPredictions("fraud", List.of())).isEmpty();
    }

    @Test
    void earlyLabelsKeepTheirTypeAndJoinedOnesAreDeleted() {
        EarlyLabel number = new EarlyLabel("fraud", "n", 1.0, T0);
        EarlyLabel text = new EarlyLabel("fraud", "t", "1", T0 + 1);
        EarlyLabel nan = new EarlyLabel("fraud", "nan", Double.NaN, T0 + 2);
        EarlyLabel infinite = new EarlyLabel("fraud", "inf", Double.NEGATIVE_INFINITY, T0 + 3);
        EarlyLabel unicode = new EarlyLabel("fraud", "u", "Katze 🐈", T0 + 4);
        store.write(write(1, List.of(), List.of(number, text, nan, infinite, unicode), Map.of()));

        Map<String, EarlyLabel> found = store.findEarlyLabels("fraud", List.of("n", "t", "nan", "inf", "u", "missing"));
        assertThat(found.values()).containsExactlyInAnyOrder(number, text, nan, infinite, unicode);
        assertThat(found.get("n").label()).isInstanceOf(Double.class).isEqualTo(1.0);
        assertThat(found.get("t").label()).isInstanceOf(String.class).isEqualTo("1");
        assertThat((Double) found.get("nan").label()).isNaN();
        assertThat(store.findPredictions("fraud", List.of("n"))).as("labels and predictions apart").isEmpty();

        store.write(write(2, List.of(), List.of(new EarlyLabel("fraud", "u", "Hund", T0 + 5)),
                Map.of("fraud", List.of("n", "t"))));
        Map<String, EarlyLabel> left = store.findEarlyLabels("fraud", List.of("n", "t", "nan", "inf", "u"));
        assertThat(left).containsOnlyKeys("nan", "inf", "u");
        assertThat(left.get("u").label()).as("an early label is replaced by id").isEqualTo("Hund");
    }

    @Test
    void scanIdsStreamsEveryPendingPredictionAndEarlyLabel() {
        List<PendingPrediction> predictions = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            predictions.add(prediction(i % 2 == 0 ? "fraud" : "churn", "s" + i, T0 + i));
        }
        store.write(write(1, predictions, List.of(new EarlyLabel("fraud", "early", 1.0, T0)), Map.of()));
        List<String> seen = new ArrayList<>();
        store.scanIds((model, id) -> seen.add(model + "/" + id));
        assertThat(seen).hasSize(2_501).contains("fraud/s0", "churn/s1", "fraud/s2498", "fraud/early");
    }

    @Test
    void manyIdsAreFoundInOneLookupAmongUnknownAndRepeatedOnes() {
        List<PendingPrediction> predictions = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add("id-" + i);
            predictions.add(prediction("fraud", "id-" + i, T0 + i));
        }
        store.write(write(1, predictions, List.of(), Map.of()));
        List<String> asked = new ArrayList<>(ids);
        IntStream.range(0, 300).forEach(i -> asked.add("unknown-" + i));
        asked.addAll(ids.subList(0, 10));

        Map<String, PendingPrediction> found = store.findPredictions("fraud", asked);

        assertThat(found).hasSize(10_000).containsOnlyKeys(ids);
        assertThat(found.get("id-9999").timestampMs()).isEqualTo(T0 + 9_999);
    }

    @Test
    void rowsAndCheckpointOutliveAReopen() {
        assertThat(store.checkpointLsn()).isZero();
        store.write(write(40, List.of(prediction("fraud", "p", T0)), List.of(new EarlyLabel("fraud", "l", "1", T0)),
                Map.of()));
        assertThat(store.checkpointLsn()).isEqualTo(40);
        store.write(write(90, List.of(), List.of(), Map.of()));
        store.close();

        store = RocksPendingStore.open(dir.resolve("pending"), WEEK_S);
        assertThat(store.checkpointLsn()).isEqualTo(90);
        assertThat(store.findPredictions("fraud", List.of("p"))).containsOnlyKeys("p");
        assertThat(store.findEarlyLabels("fraud", List.of("l"))).containsOnlyKeys("l");
    }

    @Test
    void rowsBeforeTheHorizonAreNotFoundOnceExpired() {
        long horizon = T0 + 10 * MINUTE;
        store.write(write(1, List.of(prediction("fraud", "old", horizon - 1), prediction("fraud", "kept", horizon)),
                List.of(new EarlyLabel("fraud", "old-label", 1.0, horizon - 1),
                        new EarlyLabel("fraud", "kept-label", 1.0, horizon)), Map.of()));
        assertThat(store.findPredictions("fraud", List.of("old", "kept"))).containsOnlyKeys("old", "kept");

        store.expire(horizon);

        assertThat(store.findPredictions("fraud", List.of("old", "kept"))).containsOnlyKeys("kept");
        assertThat(store.findEarlyLabels("fraud", List.of("old-label", "kept-label"))).containsOnlyKeys("kept-label");
        store.expire(horizon - MINUTE);
        assertThat(store.findPredictions("fraud", List.of("old"))).as("the horizon never moves back").isEmpty();
    }
}
