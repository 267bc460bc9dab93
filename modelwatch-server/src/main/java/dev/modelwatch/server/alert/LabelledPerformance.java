package dev.modelwatch.server.alert;

import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.core.metrics.PerformanceIntervals;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 *
 * <p>Per version, {@code version_labelled_accuracy_drop} and {@code version_labelled_accuracy_drop_p_value}
 * ({@link #byVersion}): a version's newest {@value #RECENT_WINDOWS} labelled windows of the span pooled
 * and compared with the other versions of the model — their labelled windows over the same period (from
 * the pool's oldest window on), or, when they served none then (a version that took all the traffic),
 * their labelled windows of the span before. A version that is bad while the others are not is seen
 * there at its own share of the traffic, where the model's pool dilutes it; a change of every version
 * alike (drift) is not, it is the model's. Decided only for models with at least two versions labelled
 * in the span, and only for the versions that served a prediction in the last {@value #RECENT_WINDOWS}
 * windows: a version taken out of service (rolled back) is no longer decided, only the others' baseline,
 * so its alert resolves rather than holding for the whole span on windows nobody can act on any more. The
 * p-values of the versions decided at one close are Bonferroni-adjusted (times their number), so that
 * several versions are no more likely to fire than one.
 */
public final class LabelledPerformance {
    public static final String DROP = "labelled_accuracy_drop";
    public static final String P_VALUE = "labelled_accuracy_drop_p_value";
    public static final List<String> SERIES = List.of(DROP, P_VALUE);
    public static final String VERSION_DROP = "version_labelled_accuracy_drop";
    public static final String VERSION_P_VALUE = "version_labelled_accuracy_drop_p_value";
    /** The per-version series ({@link #byVersion}), labelled {@code model} and {@code version}. */
    public static final List<String> VERSION_SERIES = List.of(VERSION_DROP, VERSION_P_VALUE);
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

    /**
     * Each version's drop at the close of the window that ends at {@code endMs}, against the other versions.
     *
     * @param versions each version's windows, oldest first, with those of the span before {@code endMs}
     * @param windowMs the window length
     * @return per version decided, its drop and its p-value adjusted for the number of versions decided;
     *         empty when fewer than two versions have labelled windows in the span
     */
    public static Map<String, PerformanceChange> byVersion(Map<String, List<WindowCounts>> versions, long endMs,
                                                           long windowMs) {
        long spanStart = endMs - SPAN_WINDOWS * windowMs;
        Map<String, List<WindowCounts>> labelled = new LinkedHashMap<>();
        for (Map.Entry<String, List<WindowCounts>> e : versions.entrySet()) {
            List<WindowCounts> in = new java.util.ArrayList<>();
            for (WindowCounts w : e.getValue()) {
                if (w.startMs() >= spanStart && w.startMs() + windowMs <= endMs && w.isLabelled()) {
                    in.add(w);
                }
            }
            if (!in.isEmpty()) {
                labelled.put(e.getKey(), in);
            }
        }
        Map<String, PerformanceChange> out = new LinkedHashMap<>();
        if (labelled.size() < 2) {
            return out;
        }
        long servingFrom = endMs - RECENT_WINDOWS * windowMs;
        for (Map.Entry<String, List<WindowCounts>> e : labelled.entrySet()) {
            if (!served(versions.get(e.getKey()), servingFrom, endMs, windowMs)) {
                continue; // no longer serving: only the others' baseline
            }
            List<WindowCounts> mine = e.getValue();
            long recentCorrect = 0;
            long recentTotal = 0;
            long poolStart = Long.MAX_VALUE;
            for (int i = mine.size() - 1; i >= Math.max(0, mine.size() - RECENT_WINDOWS); i--) {
                recentCorrect += mine.get(i).correct();
                recentTotal += mine.get(i).total();
                poolStart = mine.get(i).startMs();
            }
            long[] same = new long[2];
            long[] before = new long[2];
            for (Map.Entry<String, List<WindowCounts>> o : labelled.entrySet()) {
                if (o.getKey().equals(e.getKey())) {
                    continue;
                }
                for (WindowCounts w : o.getValue()) {
                    long[] into = w.startMs() >= poolStart ? same : before;
                    into[0] += w.correct();
                    into[1] += w.total();
                }
            }
            long[] base = same[1] > 0 ? same : before;
            out.put(e.getKey(), PerformanceChange.accuracyDrop(base[0], base[1], recentCorrect, recentTotal));
        }
        int decided = out.size();
        out.replaceAll((v, c) -> new PerformanceChange(c.change(), Math.min(1, c.pValue() * decided)));
        return out;
    }

    /** Whether {@code windows} hold a prediction in a window within {@code [fromMs, endMs)}. */
    private static boolean served(List<WindowCounts> windows, long fromMs, long endMs, long windowMs) {
        for (int i = windows.size() - 1; i >= 0; i--) {
            WindowCounts w = windows.get(i);
            if (w.startMs() < fromMs) {
                return false;
            }
            if (w.startMs() + windowMs <= endMs && w.predictions() > 0) {
                return true;
            }
        }
        return false;
    }
}
