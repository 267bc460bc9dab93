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

    /**
     * Filled to capacity with ids as clients send them (14-digit sequence numbers, ascending and
     * scattered), the filter mistakes at most 1% of new ids (UUIDs, other sequence numbers) for known,
     * at small, medium and large capacities.
     */
    @Test
    void theFalsePositiveRateAtCapacityIsAtMostOnePercent() {
        for (int capacity : new int[] {1_000, 100_000, 1_000_000}) {
            for (boolean scattered : new boolean[] {false, true}) {
                KnownIds ids = new KnownIds(capacity);
                for (long i = 0; i < capacity; i++) {
                    ids.add("bench-fraud", sequenceId(i, scattered));
                }
                int trials = Math.max(100_000, capacity);
                int uuids = 0;
                int others = 0;
                for (int i = 0; i < trials; i++) {
                    uuids += ids.mightContain("bench-fraud", new UUID(i * 0x9E3779B97F4A7C15L, i).toString()) ? 1 : 0;
                    others += ids.mightContain("bench-fraud", sequenceId(capacity + (long) i, scattered)) ? 1 : 0;
                }
                assertThat((double) uuids / trials).as("capacity %d, scattered %s, UUIDs", capacity, scattered)
                        .isLessThanOrEqualTo(0.01);
                assertThat((double) others / trials).as("capacity %d, scattered %s, later ids", capacity, scattered)
                        .isLessThanOrEqualTo(0.01);
            }
        }
    }

    /** A 14-digit id: the sequence number itself, or sent through a bijection of [0, 2^39) as scattered ids are. */
    private static String sequenceId(long i, boolean scattered) {
        long n = scattered ? (i * 0x5DEECE66DL + 11) & ((1L << 39) - 1) : i;
        return Long.toString(10_000_000_000_000L + n);
    }
}
