package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.server.alert.DefaultRules;
import dev.modelwatch.server.alert.LabelledPerformance;
import dev.modelwatch.server.alert.LabelledPerformance.WindowCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * False alarms of the default pack's {@code ModelLabelledAccuracyDrop} on clean streams: one-minute
 * windows of a classifier right {@value #ACCURACY} of the time, each window's labels (80% of its
 * predictions) two windows late, the rule's series computed at every window's close as the server
 * computes it ({@link LabelledPerformance}), against a labelled reference of that many rows or (0 rows)
 * the model's own earlier windows. The pool of windows is decided again at every close, so its
 * decisions are far from independent: what counts is the alerts a day ({@code for}, the condition at every
 * evaluation of its duration). {@code ModelVersionAccuracyDrop} likewise ({@link #versionFalseAlarms}):
 * the same windows' labels split evenly among 1, 2 or 3 versions serving side by side (or 2 serving in
 * turns), each version's series ({@link LabelledPerformance#byVersion}) a condition and an alert of its own.
 */
final class LabelledCalibration {
    static final double ACCURACY = 0.75;
    static final int WINDOWS_PER_DAY = 1_440;
    private static final int LABEL_DELAY = 2;
    /** How long each version serves alone in the rollout streams. */
    static final int TURN_WINDOWS = 120;

    private LabelledCalibration() {
    }

    /** {conditions, alerts} over {@code days} clean days, with {@code labels} labelled predictions a window. */
    static int[] falseAlarms(long labels, long referenceRows, int days, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] reference = referenceRows == 0 ? null : new long[] {binomial(r, referenceRows, ACCURACY), referenceRows};
        double drop = Double.parseDouble(DefaultRules.LABELLED_DROP);
        double level = Double.parseDouble(DefaultRules.LABELLED_LEVEL);
        long predictions = Math.round(labels / 0.8);
        int windows = days * WINDOWS_PER_DAY;
        List<WindowCounts> all = new ArrayList<>(windows);
        long[] correct = new long[windows];
        boolean[] condition = new boolean[windows];
        for (int w = 0; w < windows; w++) {
            correct[w] = binomial(r, labels, ACCURACY);
            all.add(null);
            // at the close of window w, the labels of the windows up to w - 2 are in
            for (int k = Math.max(0, w - LABEL_DELAY); k <= w; k++) {
                boolean in = k <= w - LABEL_DELAY;
                all.set(k, new WindowCounts(k * 60_000L, predictions, in ? labels : 0, in ? correct[k] : 0,
                        in ? labels : 0));
            }
            List<WindowCounts> span = all.subList(Math.max(0, w + 1 - LabelledPerformance.SPAN_WINDOWS - 1), w + 1);
            PerformanceChange c = LabelledPerformance.at(span, (w + 1) * 60_000L, 60_000L, reference);
            condition[w] = c != null && c.change() > drop && c.pValue() < level;
        }
        return new int[] {SeriesCalibration.count(condition), SeriesCalibration.firings(condition, DefaultRules.LABELLED_FOR)};
    }

    /**
     * {conditions, alerts, decisions} of {@code ModelVersionAccuracyDrop} over {@code days} clean days,
     * with {@code labels} labelled predictions a window split evenly among {@code versions} versions, each
     * right {@value #ACCURACY} of the time; conditions, alerts and decisions are counted per version. With
     * {@code turns}, the versions take all the traffic in turns of {@value #TURN_WINDOWS} windows instead
     * (a rollout: the new version decided against the windows of the one before it).
     */
    static int[] versionFalseAlarms(long labels, int versions, boolean turns, int days, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double drop = Double.parseDouble(DefaultRules.LABELLED_DROP);
        double level = Double.parseDouble(DefaultRules.LABELLED_LEVEL);
        int windows = days * WINDOWS_PER_DAY;
        long[] share = new long[versions];
        for (int v = 0; v < versions; v++) {
            share[v] = labels / versions + (v < labels % versions ? 1 : 0);
        }
        List<List<WindowCounts>> all = new ArrayList<>();
        long[][] served = new long[versions][windows];
        long[][] correct = new long[versions][windows];
        boolean[][] condition = new boolean[versions][windows];
        for (int v = 0; v < versions; v++) {
            all.add(new ArrayList<>(windows));
        }
        int decisions = 0;
        for (int w = 0; w < windows; w++) {
            Map<String, List<WindowCounts>> span = new LinkedHashMap<>();
            int serving = (w / TURN_WINDOWS) % versions;
            for (int v = 0; v < versions; v++) {
                served[v][w] = !turns ? share[v] : v == serving ? labels : 0;
                correct[v][w] = binomial(r, served[v][w], ACCURACY);
                List<WindowCounts> mine = all.get(v);
                mine.add(null);
                // at the close of window w, the labels of the windows up to w - 2 are in
                for (int k = Math.max(0, w - LABEL_DELAY); k <= w; k++) {
                    boolean in = k <= w - LABEL_DELAY;
                    long n = served[v][k];
                    mine.set(k, new WindowCounts(k * 60_000L, Math.round(n / 0.8), in ? n : 0, in ? correct[v][k] : 0,
                            in ? n : 0));
                }
                span.put("v" + v, mine.subList(Math.max(0, w + 1 - LabelledPerformance.SPAN_WINDOWS - 1), w + 1));
            }
            Map<String, PerformanceChange> at = LabelledPerformance.byVersion(span, (w + 1) * 60_000L, 60_000L);
            decisions += at.size();
            for (int v = 0; v < versions; v++) {
                PerformanceChange c = at.get("v" + v);
                condition[v][w] = c != null && c.change() > drop && c.pValue() < level;
            }
        }
        int conditions = 0;
        int alerts = 0;
        for (boolean[] c : condition) {
            conditions += SeriesCalibration.count(c);
            alerts += SeriesCalibration.firings(c, DefaultRules.LABELLED_FOR);
        }
        return new int[] {conditions, alerts, decisions};
    }

    private static long binomial(SplittableRandom r, long n, double p) {
        if (n > 5_000) {
            // the normal limit, for the counts of large windows and references
            double v = n * p + Math.sqrt(n * p * (1 - p)) * Draws.gaussian(r);
            return Math.max(0, Math.min(n, Math.round(v)));
        }
        long k = 0;
        for (long i = 0; i < n; i++) {
            k += r.nextDouble() < p ? 1 : 0;
        }
        return k;
    }
}
