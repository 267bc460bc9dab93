package dev.modelwatch.core.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Binning, merging and the byte form of {@link ScoreBins}. */
class ScoreBinsTest {

    @ParameterizedTest
    @EnumSource(ScoreBins.Spacing.class)
    void aScoreIsAtOrAboveAnEdgeExactlyWhenItsBinIsAtOrAboveTheEdgesBin(ScoreBins.Spacing spacing) {
        ScoreBins bins = new ScoreBins(spacing, 1000);
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            int k = 1 + random.nextInt(999);
            double edge = bins.lowerEdge(k);
            // the edge itself and its neighbouring doubles
            for (double s : new double[] {edge, Math.nextDown(edge), Math.nextUp(edge), random.nextDouble()}) {
                assertThat(bins.binOf(s) >= k).as("%s vs edge %s", s, edge).isEqualTo(s >= edge);
                int b = bins.binOf(s);
                assertThat(s).isBetween(bins.lowerEdge(b), bins.upperEdge(b));
            }
        }
        assertThat(bins.binOf(0.0)).isZero();
        assertThat(bins.binOf(1.0)).isEqualTo(999);
        assertThat(bins.edgeIndex(0.5)).isEqualTo(500);
    }

    @Test
    void edgesAreWhereTheSpacingPutsThem() {
        ScoreBins linear = new ScoreBins(ScoreBins.Spacing.LINEAR, 1000);
        assertThat(linear.lowerEdge(300)).isEqualTo(0.3);
        assertThat(linear.representative(300)).isCloseTo(0.3005, within(1e-15));
        assertThat(linear.edgeIndex(0.3)).isEqualTo(300);
        ScoreBins logit = new ScoreBins();
        assertThat(logit.binCount()).isEqualTo(ScoreBins.DEFAULT_BIN_COUNT);
        double w = 2 * ScoreBins.LOGIT_RANGE / ScoreBins.DEFAULT_BIN_COUNT;
        assertThat(w).isCloseTo(0.01, within(1e-15));
        for (int k : new int[] {1, 700, 1400, 1401, 2799}) {
            double z = (k - 1400) * w;
            assertThat(logit.lowerEdge(k)).isCloseTo(1 / (1 + Math.exp(-z)), within(1e-15));
            double mid = (k - 1400 + 0.5) * w;
            assertThat(logit.representative(k)).isCloseTo(1 / (1 + Math.exp(-mid)), within(1e-15));
        }
        assertThat(logit.lowerEdge(1400)).isEqualTo(0.5);
        assertThat(logit.lowerEdge(0)).isZero();
        assertThat(logit.upperEdge(2799)).isEqualTo(1.0);
        assertThatThrownBy(() -> logit.edgeIndex(0.3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a bin edge");
        assertThatThrownBy(() -> logit.edgeIndex(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScoreBins(ScoreBins.Spacing.LOGIT, 999)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("binCount must be even");
        assertThatThrownBy(() -> new ScoreBins(ScoreBins.Spacing.LINEAR, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("binCount");
    }

    @Test
    void scoresOutsideTheUnitIntervalAreCountedApart() {
        ScoreBins bins = new ScoreBins();
        for (double s : new double[] {Double.NaN, -0.1, 1.0000001, Double.POSITIVE_INFINITY, 0.0, 1.0, 0.5}) {
            bins.add(s);
        }
        assertThat(bins.invalidCount()).isEqualTo(4);
        assertThat(bins.total()).isEqualTo(3);
        assertThatThrownBy(() -> bins.binOf(-0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mergeAddsCountsAndChecksTheBins() {
        ScoreBins a = new ScoreBins(ScoreBins.Spacing.LINEAR, 100);
        ScoreBins b = new ScoreBins(ScoreBins.Spacing.LINEAR, 100);
        ScoreBins all = new ScoreBins(ScoreBins.Spacing.LINEAR, 100);
        Random random = new Random(3);
        for (int i = 0; i < 1000; i++) {
            double s = random.nextDouble() * 1.2 - 0.1;
            (i % 2 == 0 ? a : b).add(s);
            all.add(s);
        }
        ScoreBins merged = a.copy();
        merged.merge(b);
        assertThat(merged).isEqualTo(all);
        assertThat(a).isNotEqualTo(all);
        assertThatThrownBy(() -> a.merge(new ScoreBins(ScoreBins.Spacing.LINEAR, 200)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot merge");
        assertThatThrownBy(() -> a.merge(new ScoreBins(ScoreBins.Spacing.LOGIT, 100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LOGIT");
    }

    @Test
    void bytesRoundTripAndStayCompact() {
        ScoreBins bins = new ScoreBins();
        assertThat(ScoreBins.fromBytes(bins.toBytes())).isEqualTo(bins);
        Random random = new Random(9);
        for (int i = 0; i < 20_000; i++) {
            bins.add(1 / (1 + Math.exp(-random.nextGaussian() * 2)));
        }
        bins.add(Double.NaN);
        byte[] bytes = bins.toBytes();
        ScoreBins back = ScoreBins.fromBytes(bytes);
        assertThat(back).isEqualTo(bins);
        assertThat(back.total()).isEqualTo(20_000);
        assertThat(back.invalidCount()).isEqualTo(1);
        int nonEmpty = 0;
        for (int k = 0; k < bins.binCount(); k++) {
            nonEmpty += bins.count(k) > 0 ? 1 : 0;
        }
        // one byte of gap and at most two of count per non-empty bin, plus a small header
        assertThat(bytes.length).isLessThanOrEqualTo(3 * nonEmpty + 16);
        ScoreBins linear = new ScoreBins(ScoreBins.Spacing.LINEAR, 10);
        linear.add(0.95);
        assertThat(ScoreBins.fromBytes(linear.toBytes())).isEqualTo(linear);
    }

    @Test
    void corruptedBytesAreRejected() {
        ScoreBins bins = new ScoreBins(ScoreBins.Spacing.LINEAR, 10);
        bins.add(0.05);
        bins.add(0.95);
        byte[] bytes = bins.toBytes();
        assertThatThrownBy(() -> ScoreBins.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> ScoreBins.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> ScoreBins.fromBytes(null)).isInstanceOf(IllegalArgumentException.class);
        byte[] version = bytes.clone();
        version[0] = 2;
        assertThatThrownBy(() -> ScoreBins.fromBytes(version)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
        byte[] spacing = bytes.clone();
        spacing[1] = 7;
        assertThatThrownBy(() -> ScoreBins.fromBytes(spacing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spacing");
        byte[] outOfRange = new CompactBytes.Writer().writeByte(1).writeByte(0).writeVarLong(10).writeVarLong(0)
                .writeVarLong(1).writeVarLong(10).writeVarLong(1).toByteArray();
        assertThatThrownBy(() -> ScoreBins.fromBytes(outOfRange)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bin gap");
        byte[] zeroCount = new CompactBytes.Writer().writeByte(1).writeByte(0).writeVarLong(10).writeVarLong(0)
                .writeVarLong(1).writeVarLong(3).writeVarLong(0).toByteArray();
        assertThatThrownBy(() -> ScoreBins.fromBytes(zeroCount)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        byte[] overflow = new CompactBytes.Writer().writeByte(1).writeByte(0).writeVarLong(10).writeVarLong(0)
                .writeVarLong(2).writeVarLong(0).writeVarLong(Long.MAX_VALUE).writeVarLong(0).writeVarLong(1).toByteArray();
        assertThatThrownBy(() -> ScoreBins.fromBytes(overflow)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overflows");
    }

    /**
     * add(score) allocates nothing: the thread's allocated bytes over a million adds stay below
     * what a single boxed double per 100 adds would take (HotSpot's per-thread allocation counter).
     */
    @Test
    void addDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean)) {
            return; // not measurable on this JVM
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        long thread = Thread.currentThread().getId();
        ScoreBins bins = new ScoreBins();
        double[] scores = new double[1000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (i + 0.5) / scores.length;
        }
        for (int i = 0; i < 200_000; i++) { // warm up, let the JIT compile add
            bins.add(scores[i % scores.length]);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1_000_000; i++) {
            bins.add(scores[i % scores.length]);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(allocated).as("bytes allocated by 1e6 adds").isLessThan(16L * 10_000);
        assertThat(bins.total()).isEqualTo(1_200_000);
    }

    @Test
    void fewOccupiedBinsAreKeptSparseAndGiveTheSameCountsBytesAndMergesAsEveryCount() {
        Random random = new Random(3);
        ScoreBins few = new ScoreBins();
        for (int i = 0; i < 30; i++) {
            few.add(random.nextDouble());
        }
        assertThat(few.estimatedBytes()).as("30 occupied bins, not 2,800 counts").isLessThan(1_000);
        ScoreBins dense = new ScoreBins();
        ScoreBins fromSparse = new ScoreBins();
        for (int batch = 0; batch < 40; batch++) {
            ScoreBins part = new ScoreBins();
            for (int i = 0; i < 25; i++) {
                double s = random.nextDouble();
                part.add(s);
                dense.add(s);
            }
            fromSparse.merge(part);
        }
        assertThat(fromSparse).isEqualTo(dense);
        assertThat(fromSparse.toBytes()).isEqualTo(dense.toBytes());
        assertThat(dense.estimatedBytes()).as("past B/16 bins: every count").isGreaterThan(8L * 2_800);
        ScoreBins back = ScoreBins.fromBytes(few.toBytes());
        assertThat(back).isEqualTo(few);
        assertThat(back.estimatedBytes()).isLessThan(1_000);
        for (int b = 0; b < few.binCount(); b += 7) {
            assertThat(back.count(b)).isEqualTo(few.count(b));
        }
        ScoreBins mixed = few.copy();
        mixed.merge(dense);
        ScoreBins other = dense.copy();
        other.merge(few);
        assertThat(mixed).isEqualTo(other);
        assertThat(mixed.total()).isEqualTo(1_030);
    }
}
