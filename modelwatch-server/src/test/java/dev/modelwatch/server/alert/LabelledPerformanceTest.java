package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.server.alert.LabelledPerformance.WindowCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LabelledPerformanceTest {
    private static final long W = 60_000L;
    private static final double LEVEL = Double.parseDouble(DefaultRules.LABELLED_LEVEL);
    private static final double DROP = Double.parseDouble(DefaultRules.LABELLED_DROP);

    /**
     * Windows of 400 predictions, 320 labelled two windows late: right 75% of the time before {@code onset},
     * 65% from it on. At the close of window {@code close} the labels of the windows before
     * {@code close - 1} are in.
     */
    private static List<WindowCounts> lateLabelled(int close, int onset) {
        List<WindowCounts> out = new ArrayList<>();
        for (int w = 0; w <= close; w++) {
            boolean labelled = w <= close - 2;
            long correct = labelled ? (w < onset ? 240 : 208) : 0;
            out.add(new WindowCounts(w * W, 400, labelled ? 320 : 0, correct, labelled ? 320 : 0));
        }
        return out;
    }

    private static boolean fires(PerformanceChange c) {
        return c != null && c.change() > DROP && c.pValue() < LEVEL;
    }

    @Test
    void aDropIsDecidedOnTheNewestLabelledWindowsAgainstTheModelsOwnEarlierOnes() {
        int onset = 30;
        // before the labels of the fault are in: the newest windows have none, and the drop is not seen
        PerformanceChange before = LabelledPerformance.at(lateLabelled(onset + 1, onset), (onset + 2) * W, W, null);
        assertThat(before).isNotNull();
        assertThat(before.change()).isZero();
        assertThat(fires(before)).isFalse();
        // the labels of six fault windows are in: the pool of the ten newest labelled windows is 6/10 at 65%
        PerformanceChange after = LabelledPerformance.at(lateLabelled(onset + 7, onset), (onset + 8) * W, W, null);
        assertThat(after.change()).isCloseTo(0.06, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(fires(after)).as("p %s", after.pValue()).isTrue();
    }

    @Test
    void theUploadedReferenceIsTheBaselineWhenThereIsOne() {
        int onset = 2;
        // too few earlier windows for a baseline of its own, but a labelled reference of 8,000 rows at 75%
        List<WindowCounts> windows = lateLabelled(onset + 11, onset);
        assertThat(LabelledPerformance.at(windows, (onset + 12) * W, W, null)).isNull();
        PerformanceChange c = LabelledPerformance.at(windows, (onset + 12) * W, W, new long[] {6_000, 8_000});
        assertThat(c.change()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(fires(c)).isTrue();
    }

    @Test
    void cleanWindowsOfTheSameAccuracyDoNotFireAndNothingIsSaidWithoutLabels() {
        List<WindowCounts> clean = lateLabelled(60, Integer.MAX_VALUE);
        for (int close = 20; close <= 60; close++) {
            PerformanceChange c = LabelledPerformance.at(clean, (close + 1) * W, W, null);
            assertThat(fires(c)).as("close %d", close).isFalse();
        }
        List<WindowCounts> unlabelled = List.of(new WindowCounts(0, 400, 0, 0, 0), new WindowCounts(W, 400, 10, 9, 10));
        // 10 of 400 labelled is below the coverage a window needs
        assertThat(LabelledPerformance.at(unlabelled, 2 * W, W, new long[] {6_000, 8_000})).isNull();
    }

    /**
     * Two versions over {@code windows} one-minute windows of 400 predictions, all labelled two windows late
     * (at the close of the last window): v1 right 75% of the time, v2 taking {@code share} of the traffic
     * from window {@code from} on, right {@code v2Accuracy} of the time; counts drawn with a fixed seed.
     */
    private static Map<String, List<WindowCounts>> twoVersions(int windows, int from, double share, double v2Accuracy,
                                                               long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<WindowCounts> v1 = new ArrayList<>();
        List<WindowCounts> v2 = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            boolean labelled = w <= windows - 3;
            long n2 = w < from ? 0 : Math.round(400 * share);
            long n1 = 400 - n2;
            long c1 = draw(r, n1, 0.75);
            long c2 = draw(r, n2, v2Accuracy);
            v1.add(new WindowCounts(w * W, n1, labelled ? n1 : 0, labelled ? c1 : 0, labelled ? n1 : 0));
            if (n2 > 0) {
                v2.add(new WindowCounts(w * W, n2, labelled ? n2 : 0, labelled ? c2 : 0, labelled ? n2 : 0));
            }
        }
        Map<String, List<WindowCounts>> out = new LinkedHashMap<>();
        out.put("v1", v1);
        out.put("v2", v2);
        return out;
    }

    private static long draw(SplittableRandom r, long n, double p) {
        long k = 0;
        for (long i = 0; i < n; i++) {
            k += r.nextDouble() < p ? 1 : 0;
        }
        return k;
    }

    @Test
    void aBadNewVersionAtPartOfTheTrafficIsDecidedAgainstTheOtherVersion() {
        int onset = 30;
        // v2 takes 30% of the traffic at 67% (8 points below v1): the model's accuracy falls 2.4 points
        int close = onset + 12;
        Map<String, List<WindowCounts>> versions = twoVersions(close + 1, onset, 0.3, 0.67, 7);
        Map<String, PerformanceChange> at = LabelledPerformance.byVersion(versions, (close + 1) * W, W);
        assertThat(at).containsOnlyKeys("v1", "v2");
        assertThat(at.get("v2").change()).isGreaterThan(0.04);
        assertThat(fires(at.get("v2"))).as("v2 %s", at.get("v2")).isTrue();
        assertThat(fires(at.get("v1"))).isFalse();
        // one version alone is the model's own decision, not this one
        assertThat(LabelledPerformance.byVersion(Map.of("v1", versions.get("v1")), (close + 1) * W, W)).isEmpty();
    }

    @Test
    void aVersionTakenOutOfServiceIsDecidedOnlyUntilItHasServedNoneOfTheRecentWindows() {
        // v2 serves 30% at 67% from window 30 to 41, then is rolled back: v1 takes all the traffic again
        int onset = 30;
        int rollback = 42;
        Map<String, List<WindowCounts>> served = twoVersions(rollback, onset, 0.3, 0.67, 7);
        List<WindowCounts> v1 = new ArrayList<>(served.get("v1"));
        for (int w = rollback; w < rollback + 20; w++) {
            v1.add(new WindowCounts(w * W, 400, 400, 300, 400));
        }
        Map<String, List<WindowCounts>> versions = Map.of("v1", v1, "v2", served.get("v2"));
        // at the close of the last window v2 served: decided, and bad
        assertThat(fires(LabelledPerformance.byVersion(versions, rollback * W, W).get("v2"))).isTrue();
        // its last window is among the newest ten until ten windows have closed without it
        int lastServed = rollback - 1;
        for (int close = rollback; close < lastServed + LabelledPerformance.RECENT_WINDOWS; close++) {
            assertThat(LabelledPerformance.byVersion(versions, (close + 1) * W, W)).as("close %d", close)
                    .containsKey("v2");
        }
        for (int close = lastServed + LabelledPerformance.RECENT_WINDOWS; close < rollback + 20; close++) {
            Map<String, PerformanceChange> at = LabelledPerformance.byVersion(versions, (close + 1) * W, W);
            assertThat(at).as("close %d", close).doesNotContainKey("v2");
            // v1 is still decided against v2's windows while they are in the span, unadjusted for v2
            assertThat(at).as("close %d", close).containsOnlyKeys("v1");
        }
    }

    @Test
    void cleanTwoVersionTrafficRaisesNothing() {
        for (long seed = 1; seed <= 5; seed++) {
            int windows = 240;
            Map<String, List<WindowCounts>> versions = twoVersions(windows, 30, 0.3, 0.75, seed);
            for (int close = 32; close < windows; close++) {
                Map<String, List<WindowCounts>> upTo = new LinkedHashMap<>();
                int last = close;
                versions.forEach((v, ws) -> upTo.put(v, ws.stream().filter(x -> x.startMs() <= last * W).toList()));
                for (Map.Entry<String, PerformanceChange> e
                        : LabelledPerformance.byVersion(upTo, (close + 1) * W, W).entrySet()) {
                    assertThat(fires(e.getValue())).as("seed %d close %d %s %s", seed, close, e.getKey(), e.getValue())
                            .isFalse();
                }
            }
        }
    }

    @Test
    void theVersionsPValuesAreAdjustedForHowManyAreDecided() {
        Map<String, List<WindowCounts>> versions = new LinkedHashMap<>();
        versions.put("a", List.of(new WindowCounts(0, 400, 400, 300, 400)));
        versions.put("b", List.of(new WindowCounts(0, 400, 400, 280, 400)));
        PerformanceChange two = LabelledPerformance.byVersion(versions, W, W).get("b");
        versions.put("c", List.of(new WindowCounts(0, 400, 400, 300, 400)));
        PerformanceChange three = LabelledPerformance.byVersion(versions, W, W).get("b");
        double raw = PerformanceChange.accuracyDrop(300, 400, 280, 400).pValue();
        assertThat(two.pValue()).isCloseTo(2 * raw, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(three.pValue()).isCloseTo(Math.min(1, 3 * PerformanceChange.accuracyDrop(600, 800, 280, 400).pValue()),
                org.assertj.core.data.Offset.offset(1e-12));
    }
}
