package dev.modelwatch.core.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Counting, merging and the byte form of {@link ConfidenceProfile}. */
class ConfidenceProfileTest {
    private static final List<String> CLASSES = List.of("a", "b", "c");

    private static Map<String, Double> scores(double a, double b, double c) {
        Map<String, Double> m = new HashMap<>();
        m.put("a", a);
        m.put("b", b);
        m.put("c", c);
        return m;
    }

    @Test
    void binaryEventsAreSplitByPrediction() {
        ConfidenceProfile p = ConfidenceProfile.binary("yes");
        p.add(0.9, true);
        p.add(0.4, true);
        p.add(0.2, false);
        p.add(Double.NaN, false);
        p.add(1.5, true);
        assertThat(p.scoredEvents()).isEqualTo(3);
        assertThat(p.invalidEvents()).isEqualTo(2);
        assertThat(p.predictedPositiveScores().total()).isEqualTo(2);
        assertThat(p.predictedNegativeScores().total()).isEqualTo(1);
        assertThat(p.positiveClass()).isEqualTo("yes");
        assertThat(p.predictionsDisagreeingWith(0.5)).isEqualTo(1); // 0.4 predicted positive
        assertThatThrownBy(() -> p.add(scores(0.1, 0.2, 0.7), "c")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void multiclassEventsWithAnInvalidScoreOrUnknownPredictionAreLeftOutWhole() {
        ConfidenceProfile p = ConfidenceProfile.multiclass(CLASSES);
        p.add(scores(0.7, 0.2, 0.1), "a");
        p.add(scores(0.1, 0.3, 0.6), "c");
        p.add(scores(0.1, Double.NaN, 0.6), "c");
        p.add(scores(0.1, 0.3, 0.6), "z");
        p.add(Map.of("a", 0.5, "b", 0.5), "a");
        p.add(null, "a");
        Map<String, Double> extra = scores(0.2, 0.7, 0.1);
        extra.put("unlisted", 0.0);
        p.add(extra, "b");
        assertThat(p.scoredEvents()).isEqualTo(3);
        assertThat(p.invalidEvents()).isEqualTo(4);
        assertThat(p.classScores("c").total()).isEqualTo(3);
        assertThat(p.predictedScores("a").total()).isEqualTo(1);
        assertThat(p.predictedScores("c").binOf(0.6)).isEqualTo(firstNonEmpty(p.predictedScores("c")));
        assertThatThrownBy(() -> p.classScores("z")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'z'");
        assertThatThrownBy(() -> p.add(0.5, true)).isInstanceOf(IllegalStateException.class);
    }

    private static int firstNonEmpty(ScoreBins b) {
        for (int k = 0; k < b.binCount(); k++) {
            if (b.count(k) > 0) {
                return k;
            }
        }
        return -1;
    }

    @Test
    void constructorArgumentsAreValidated() {
        assertThatThrownBy(() -> ConfidenceProfile.binary("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positiveClass");
        assertThatThrownBy(() -> ConfidenceProfile.multiclass(List.of("a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classes");
        assertThatThrownBy(() -> ConfidenceProfile.multiclass(List.of("a", "a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distinct");
    }

    @Test
    void mergeChecksKindClassesAndBins() {
        ConfidenceProfile binary = ConfidenceProfile.binary("1");
        assertThatThrownBy(() -> binary.merge(ConfidenceProfile.binary("2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classes");
        assertThatThrownBy(() -> binary.merge(ConfidenceProfile.multiclass(CLASSES)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiclass");
        assertThatThrownBy(() -> binary.merge(ConfidenceProfile.binary("1", ScoreBins.Spacing.LINEAR, 1000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot merge");
        ConfidenceProfile multi = ConfidenceProfile.multiclass(CLASSES);
        assertThatThrownBy(() -> multi.merge(ConfidenceProfile.multiclass(List.of("c", "b", "a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("classes");
    }

    @Test
    void bytesRoundTrip() {
        Random random = new Random(21);
        ConfidenceProfile binary = ConfidenceProfile.binary("fraud", ScoreBins.Spacing.LINEAR, 500);
        ConfidenceProfile multi = ConfidenceProfile.multiclass(CLASSES);
        for (int i = 0; i < 5_000; i++) {
            double s = random.nextDouble();
            binary.add(s, s >= 0.3);
            double a = random.nextDouble();
            double b = random.nextDouble() * (1 - a);
            double c = 1 - a - b;
            String predicted = a >= b && a >= c ? "a" : b >= c ? "b" : "c";
            multi.add(scores(a, b, c), predicted);
        }
        binary.add(-1, true);
        multi.add(scores(2, 0, 0), "a");
        for (ConfidenceProfile p : List.of(binary, multi, ConfidenceProfile.binary("1"), ConfidenceProfile.multiclass(CLASSES))) {
            ConfidenceProfile back = ConfidenceProfile.fromBytes(p.toBytes());
            assertThat(back).isEqualTo(p);
            assertThat(back.toBytes()).isEqualTo(p.toBytes());
            assertThat(back.classes()).isEqualTo(p.classes());
            assertThat(back.invalidEvents()).isEqualTo(p.invalidEvents());
            assertThat(back.spacing()).isEqualTo(p.spacing());
            assertThat(back.binCount()).isEqualTo(p.binCount());
        }
        Map<String, Calibrator> identity = Map.of("a", Calibrator.identity(), "b", Calibrator.identity(), "c",
                Calibrator.identity());
        assertThat(PerformanceEstimator.multiclass(ConfidenceProfile.fromBytes(multi.toBytes()), identity))
                .isEqualTo(PerformanceEstimator.multiclass(multi, identity));
    }

    @Test
    void corruptedBytesAreRejected() {
        ConfidenceProfile multi = ConfidenceProfile.multiclass(List.of("a", "b"));
        multi.add(Map.of("a", 0.8, "b", 0.2), "a");
        byte[] bytes = multi.toBytes();
        assertThatThrownBy(() -> ConfidenceProfile.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid ConfidenceProfile bytes");
        byte[] kind = bytes.clone();
        kind[1] = 5;
        assertThatThrownBy(() -> ConfidenceProfile.fromBytes(kind)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kind");
        // an event predicted "a" that is not among the scored events
        ScoreBins empty = new ScoreBins();
        ScoreBins one = new ScoreBins();
        one.add(0.8);
        byte[] inconsistent = new CompactBytes.Writer().writeByte(1).writeByte(1).writeVarLong(2).writeString("a")
                .writeString("b").writeVarLong(0).writeBytes(empty.toBytes()).writeBytes(empty.toBytes())
                .writeBytes(one.toBytes()).writeBytes(empty.toBytes()).toByteArray();
        assertThatThrownBy(() -> ConfidenceProfile.fromBytes(inconsistent)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid ConfidenceProfile bytes");
        // bins of two layouts in one profile
        byte[] mixed = new CompactBytes.Writer().writeByte(1).writeByte(0).writeVarLong(1).writeString("1")
                .writeBytes(new ScoreBins().toBytes()).writeBytes(new ScoreBins(ScoreBins.Spacing.LINEAR, 10).toBytes())
                .toByteArray();
        assertThatThrownBy(() -> ConfidenceProfile.fromBytes(mixed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot merge");
    }
}
