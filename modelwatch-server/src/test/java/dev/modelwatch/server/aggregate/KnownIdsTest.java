package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KnownIdsTest {

    @Test
    void everyAddedIdIsFoundAndFewNewOnesAreMistakenForKnown() {
        KnownIds ids = new KnownIds(100_000);
        for (int i = 0; i < 100_000; i++) {
            ids.add("fraud", "p" + i);
        }
        for (int i = 0; i < 100_000; i++) {
            assertThat(ids.mightContain("fraud", "p" + i)).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (ids.mightContain("fraud", UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)})
                    .toString())) {
                falsePositives++;
            }
        }
        // sized for 1% at capacity; a biased hash would show as many times that
        assertThat(falsePositives).isLessThan(2_000);
        assertThat(ids.added()).isEqualTo(100_000);
    }

    @Test
    void theModelAndIdStayApartInTheKey() {
        assertThat(KnownIds.key("ab", "c")).isNotEqualTo(KnownIds.key("a", "bc"));
        assertThat(KnownIds.key("m", "1")).isNotEqualTo(KnownIds.key("n", "1"));
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            keys.add(KnownIds.key("m", Integer.toString(i)));
        }
        assertThat(keys).hasSize(200_000);
    }

    @Test
    void addAndCheckAnswersWhetherTheIdWasThereAndAddsIt() {
        KnownIds ids = new KnownIds(100_000);
        int maybeKnownBefore = 0;
        for (int i = 0; i < 100_000; i++) {
            maybeKnownBefore += ids.addAndCheck("fraud", "p" + i) ? 1 : 0;
        }
        // a new id is mistaken for known only at the filter's false-positive rate (1% at capacity)
        assertThat(maybeKnownBefore).isLessThan(1_000);
        assertThat(ids.added()).isEqualTo(100_000 - maybeKnownBefore);
        for (int i = 0; i < 100_000; i++) {
            assertThat(ids.addAndCheck("fraud", "p" + i)).as("p%d the second time", i).isTrue();
            assertThat(ids.mightContain("fraud", "p" + i)).isTrue();
        }
        assertThat(ids.added()).isEqualTo(100_000 - maybeKnownBefore);
    }
}
