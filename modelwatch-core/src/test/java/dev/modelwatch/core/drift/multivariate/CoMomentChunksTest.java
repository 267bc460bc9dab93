package dev.modelwatch.core.drift.multivariate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CoMomentChunksTest {
    private static final List<String> NAMES = List.of("a", "b");

    @ParameterizedTest(name = "{0} rows in {1} chunks")
    @CsvSource({"5, 1", "1000, 100", "2559, 256", "2560, 128", "2570, 129", "100000, 157"})
    void rowsAreCutAsTheLayoutSaysAndTheChunksPartitionThem(long rows, int chunks) {
        CoMomentChunks cut = new CoMomentChunks(NAMES);
        CoMoments all = new CoMoments(NAMES);
        SplittableRandom random = new SplittableRandom(rows);
        for (long i = 0; i < rows; i++) {
            double[] row = {random.nextGaussian(), random.nextGaussian() + 100};
            cut.add(row);
            all.add(row);
        }

        List<CoMoments> pieces = cut.chunks();
        assertThat(pieces).hasSize(chunks);
        assertThat(pieces.stream().map(CoMoments::count).toList()).isEqualTo(CoMomentChunks.layout(rows));
        assertThat(cut.rows()).isEqualTo(rows);
        CoMoments total = cut.total();
        assertThat(total.count()).isEqualTo(rows);
        for (int i = 0; i < 2; i++) {
            assertThat(total.mean(i)).isCloseTo(all.mean(i), within(1e-9));
            for (int j = i; j < 2; j++) {
                assertThat(total.covariance(i, j)).isCloseTo(all.covariance(i, j), within(1e-9));
            }
        }
    }

    @ParameterizedTest(name = "{0} rows")
    @CsvSource({"10000", "1000000", "100000000"})
    void largeReferencesKeepBetweenHalfAndAllOfTheMostChunks(long rows) {
        List<Long> layout = CoMomentChunks.layout(rows);
        assertThat(layout.size()).isBetween(CoMomentChunks.MAX_CHUNKS / 2, CoMomentChunks.MAX_CHUNKS);
        assertThat(layout.stream().mapToLong(Long::longValue).sum()).isEqualTo(rows);
    }
}
