package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.PendingPrediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KeyOrderTest {
    static PendingPrediction row(String model, String id) {
        return new PendingPrediction(model, id, "v1", 0, 0, 1000, Map.of(), null, Double.NaN, null, null, false);
    }

    static List<PendingPrediction> ordered(PendingPrediction[] rows) {
        List<PendingPrediction> out = new ArrayList<>();
        for (int i : KeyOrder.of(rows)) {
            out.add(rows[i]);
        }
        return out;
    }

    static final Comparator<PendingPrediction> BY_KEY =
            Comparator.comparing(PendingPrediction::model).thenComparing(PendingPrediction::id);

    @Test
    void ascendingIdsOfSeveralClientsInHashOrderComeOutInKeyOrder() {
        List<PendingPrediction> rows = new ArrayList<>();
        for (int client = 1; client <= 8; client++) {
            for (int s = 0; s < 5_000; s++) {
                rows.add(row(client % 2 == 0 ? "fraud" : "churn", "p" + (client * 1_000_000_000_000L + 7 * s)));
            }
        }
        Collections.shuffle(rows, new Random(1));

        List<PendingPrediction> out = ordered(rows.toArray(new PendingPrediction[0]));

        List<PendingPrediction> expected = new ArrayList<>(rows);
        expected.sort(BY_KEY);
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void idsOfEveryLengthAndCharacterComeOutOnceEach() {
        Random random = new Random(2);
        List<PendingPrediction> rows = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            char[] id = new char[random.nextInt(40)];
            for (int c = 0; c < id.length; c++) {
                id[c] = (char) random.nextInt(random.nextBoolean() ? 128 : 0x10000);
            }
            rows.add(row("m" + random.nextInt(3), new String(id) + "#" + i));
        }
        PendingPrediction[] array = rows.toArray(new PendingPrediction[0]);

        int[] order = KeyOrder.of(array);

        assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(IntStream.range(0, array.length).toArray());
        List<PendingPrediction> out = ordered(array);
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i - 1).model().compareTo(out.get(i).model())).as("models in order").isLessThanOrEqualTo(0);
        }
    }

    @Test
    void rowsOfTheSameKeyKeepTheirOrderSoThatTheLaterOneIsStored() {
        PendingPrediction first = row("fraud", "p17");
        PendingPrediction other = row("fraud", "p03");
        PendingPrediction later = first.asLabeled();
        PendingPrediction[] rows = {first, other, later};

        assertThat(ordered(rows)).containsExactly(other, first, later);
    }

    @Test
    void noRowsAndOneRowNeedNoOrder() {
        assertThat(KeyOrder.of(new PendingPrediction[0])).isEmpty();
        assertThat(KeyOrder.of(new PendingPrediction[] {row("m", "a")})).containsExactly(0);
    }
}
