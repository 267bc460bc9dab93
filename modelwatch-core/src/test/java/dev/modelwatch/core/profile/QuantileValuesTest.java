package dev.modelwatch.core.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.junit.jupiter.api.Test;

/**
 * Values kept as they are until a sketch is worth it: every answer is the one of the KLL sketch
 * the same values would have built directly, and a window of a few values costs a few hundred
 * bytes instead of the sketch's {@code k} doubles.
 */
class QuantileValuesTest {
    private static final double[] RANKS = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1};

    private static void assertSameQuantiles(KllDoublesSketch expected, QuantileValues actual) {
        assertThat(actual.n()).isEqualTo(expected.getN());
        for (double r : RANKS) {
            assertThat(actual.quantile(r)).as("rank " + r).isEqualTo(expected.getQuantile(r));
        }
    }

    @Test
    void fewValuesAnswerAsTheSketchTheyWouldHaveBuiltAndCostFarLess() {
        QuantileValues values = new QuantileValues(800);
        KllDoublesSketch direct = KllDoublesSketch.newHeapInstance(800);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20; i++) {
            double v = random.nextGaussian();
            values.update(v);
            direct.update(v);
        }
        assertThat(values.estimatedBytes()).isLessThan(400);
        assertThat(QuantileValues.fromBytes(values.toBytes(), 800).estimatedBytes()).isLessThan(400);
        assertSameQuantiles(direct, values);
        assertThat(KllDoublesSketch.heapify(Memory.wrap(values.toBytes())).getQuantile(0.5))
                .isEqualTo(direct.getQuantile(0.5));
    }

    @Test
    void pastTheExactValuesTheyBecomeTheSketchAndMergeWithEitherForm() {
        SplittableRandom random = new SplittableRandom(11);
        QuantileValues many = new QuantileValues(200);
        KllDoublesSketch manyDirect = KllDoublesSketch.newHeapInstance(200);
        for (int i = 0; i < 150; i++) {
            double v = random.nextDouble();
            many.update(v);
            manyDirect.update(v);
        }
        assertSameQuantiles(manyDirect, many);
        assertThat(many.estimatedBytes()).isGreaterThan(8L * 200);

        QuantileValues few = new QuantileValues(200);
        KllDoublesSketch union = KllDoublesSketch.newHeapInstance(200);
        union.merge(manyDirect);
        for (int i = 0; i < 5; i++) {
            double v = 2 + random.nextDouble();
            few.update(v);
            union.update(v);
        }
        QuantileValues merged = few.copy();
        merged.merge(many);
        assertThat(merged.n()).isEqualTo(155);
        assertThat(merged.quantile(1)).isEqualTo(union.getQuantile(1));
        assertThat(merged.quantile(0)).isEqualTo(union.getQuantile(0));

        QuantileValues other = many.copy();
        other.merge(few);
        assertThat(other.n()).isEqualTo(155);
        assertThat(other.quantile(0.5)).isEqualTo(merged.quantile(0.5));
    }

    @Test
    void aStoredSketchOfFewValuesIsReadBackAsItsValuesAndALargeOneAsASketch() {
        KllDoublesSketch small = KllDoublesSketch.newHeapInstance(800);
        for (int i = 0; i < 10; i++) {
            small.update(i * 1.5);
        }
        QuantileValues read = QuantileValues.fromBytes(small.toByteArray(), 800);
        assertSameQuantiles(small, read);
        assertThat(read.estimatedBytes()).as("reading does not make the sketch for good").isLessThan(400);

        KllDoublesSketch large = KllDoublesSketch.newHeapInstance(200);
        for (int i = 0; i < 5_000; i++) {
            large.update(i);
        }
        QuantileValues readLarge = QuantileValues.fromBytes(large.toByteArray(), 200);
        assertSameQuantiles(large, readLarge);
        assertThat(readLarge.estimatedBytes()).isGreaterThan(8L * 200);
    }
}
