package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.server.alert.LabelledPerformance.WindowCounts;
import java.util.ArrayList;
import java.util.List;
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
}
