package dev.modelwatch.server.alert;

import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.core.metrics.PerformanceIntervals;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.List;

/**
 * Realized accuracy decided on the newest windows whose labels are in, for labels that arrive windows
 * late: the series {@code labelled_accuracy_drop} and {@code labelled_accuracy_drop_p_value}. At the
 * close of a window, the windows of the last {@value #SPAN_WINDOWS} (that one included) labelled at least
 * {@link #MIN_COVERAGE} are found; the newest {@value #RECENT_WINDOWS} of them are pooled (the recent
 * accuracy) and compared with a baseline:
 * <ul>
 *   <li>the uploaded reference's labelled rows, when it has some;</li>
 *   <li>else the model's own earlier performance: the other labelled windows of the span, older than the
 *       pooled ones (up to {@value #SPAN_WINDOWS} {@code -} {@value #RECENT_WINDOWS}), when they hold at
 *       least as many labels as the pool.</li>
 * </ul>
 * The value is the baseline's accuracy minus the pool's; the p-value Fisher's exact test that the pool's
 * error rate exceeds the baseline's ({@link PerformanceChange#accuracyDrop(long, long, long, long)}), which
 * counts the baseline's own sampling error: a band around the baseline's accuracy alone fires on nearly
 * every window at thousands of labels. No value without a labelled window in the span or without a
 * baseline. Classifiers only (the confusion counts of the labelled predictions).
 */
public final class LabelledPerformance {
    public static final String DROP = "labelled_accuracy_drop";
    public static final String P_VALUE = "labelled_accuracy_drop_p_value";
    public static final List<String> SERIES = List.of(DROP, P_VALUE);
    /** The newest labelled windows pooled. */
    public static final int RECENT_WINDOWS = 10;
    /** How many windows back (the closing one included) labelled windows are looked for. */
    public static final int SPAN_WINDOWS = 40;
    /** The label coverage from which a window counts as labelled ({@link DefaultRules#MIN_LABEL_COVERAGE}). */
    static final double MIN_COVERAGE = Double.parseDouble(DefaultRules.MIN_LABEL_COVERAGE);

    private LabelledPerformance() {
    }

    /**
     * A window's counts: its predictions, labelled predictions, and the correct ones of those whose
     * predicted class is known (of {@code total}).
     */
    public record WindowCounts(long startMs, long predictions, long labelled, long correct, long total) {
        public static WindowCounts of(long startMs, WindowProfile p) {
            long[] ct = PerformanceChange.correctOf(p.confusion());
            return new WindowCounts(startMs, p.count(), p.labeled(), ct[0], ct[1]);
        }

        boolean isLabelled() {
            return predictions > 0 && total > 0 && PerformanceIntervals.coverage(labelled, predictions) >= MIN_COVERAGE;
        }
    }

    /**
     * The drop at the close of the window that ends at {@code endMs}.
     *
     * @param windows    the model's windows, oldest first, with those of the span before {@code endMs}
     * @param windowMs   the window length
     * @param reference  {correct, total} of the uploaded reference's labelled rows; null: none
     * @return the drop and its p-value; null when there is no labelled window or no baseline
     */
    public static PerformanceChange at(List<WindowCounts> windows, long endMs, long windowMs, long[] reference) {
        long spanStart = endMs - SPAN_WINDOWS * windowMs;
        long recentCorrect = 0;
        long recentTotal = 0;
        long baseCorrect = 0;
        long baseTotal = 0;
        int pooled = 0;
        for (int i = windows.size() - 1; i >= 0; i--) {
            WindowCounts w = windows.get(i);
            if (w.startMs() + windowMs > endMs) {
                continue;
            }
            if (w.startMs() < spanStart) {
                break;
            }
            if (!w.isLabelled()) {
                continue;
            }
            if (pooled < RECENT_WINDOWS) {
                recentCorrect += w.correct();
                recentTotal += w.total();
                pooled++;
            } else {
                baseCorrect += w.correct();
                baseTotal += w.total();
            }
        }
        if (recentTotal == 0) {
            return null;
        }
        if (reference != null && reference[1] > 0) {
            return PerformanceChange.accuracyDrop(reference[0], reference[1], recentCorrect, recentTotal);
        }
        if (baseTotal < recentTotal) {
            return null;
        }
        return PerformanceChange.accuracyDrop(baseCorrect, baseTotal, recentCorrect, recentTotal);
    }
}
