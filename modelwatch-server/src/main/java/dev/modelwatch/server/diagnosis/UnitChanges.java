package dev.modelwatch.server.diagnosis;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.time.Times;
import java.util.List;
import java.util.Locale;

/**
 * A unit change of a numerical feature (cents for euros, milliseconds for seconds): its per-step mean
 * jumps at one step by a power of ten and stays there. Looked for over the whole range, before the onset
 * too, because an alert's condition may start to hold a window or more after the change, which then lies
 * in the baseline and hides the values' move out of range from the drift report's check.
 */
final class UnitChanges {
    /** The series name of the feature's per-step mean, in the evidence. */
    static final String SERIES = "mean";
    /** How far from a power of ten (in log10) the ratio of the means after and before may be. */
    static final double TOLERANCE = 0.1;
    /** The least share of the whole move (in log10) the jump at the change point must make. */
    static final double ABRUPT = 0.8;
    private static final int MIN_STEPS = 2;
    private static final long MIN_COUNT = 30;

    private UnitChanges() {
    }

    /** The feature's mean in each step, NaN where it has too few values or a mean that is not positive. */
    static double[] means(String feature, List<ProfileQuery.Bucket> buckets) {
        double[] out = new double[buckets.size()];
        for (int k = 0; k < out.length; k++) {
            FeatureProfile p = buckets.get(k).profile().features().get(feature);
            out[k] = p == null || !p.isNumerical() || p.numericCount() < MIN_COUNT || !(p.mean() > 0) ? Double.NaN
                    : p.mean();
        }
        return out;
    }

    /**
     * The {@code out_of_range} issue of a unit change of {@code feature} (its per-step {@code means}, NaN where
     * unknown, the steps starting at {@code starts}) at a step from {@code earliest} on,
     * or null: the step that splits the range's positive per-step means into two steady runs (each at least
     * two steps, their log10 within {@link #TOLERANCE} of their level) whose levels differ by a power of ten
     * (10^n, n != 0, within {@link #TOLERANCE} in log10), the jump between the two steps on each side of it
     * being at least {@link #ABRUPT} of the whole move.
     */
    static DataQualityIssue issue(String feature, double[] means, long[] starts, long earliest) {
        double[] logs = new double[means.length];
        for (int k = 0; k < logs.length; k++) {
            logs[k] = Math.log10(means[k]);
        }
        int best = -1;
        double bestRatio = 0;
        for (int k = MIN_STEPS; k <= logs.length - MIN_STEPS; k++) {
            if (starts[k] < earliest) {
                continue;
            }
            double before = finiteMean(logs, 0, k);
            double after = finiteMean(logs, k, logs.length);
            double move = after - before;
            long power = Math.round(move);
            if (Double.isNaN(move) || power == 0 || Math.abs(move - power) > TOLERANCE) {
                continue;
            }
            double jump = finiteMean(logs, k, Math.min(logs.length, k + 2)) - finiteMean(logs, Math.max(0, k - 2), k);
            boolean steady = steady(logs, 0, k) && steady(logs, k, logs.length);
            if (steady && jump / move >= ABRUPT && (best < 0 || Math.abs(move) > Math.abs(bestRatio))) {
                best = k;
                bestRatio = move;
            }
        }
        if (best < 0) {
            return null;
        }
        double factor = Math.pow(10, Math.round(bestRatio));
        return new DataQualityIssue(feature, DataQualityIssue.Kind.OUT_OF_RANGE, 1.0, 0.0, String.format(Locale.ROOT,
                "its mean moved by x %s at once at %s (x %.3g measured) and stayed there: a unit change",
                factor >= 1 ? String.format(Locale.ROOT, "%.0f", factor) : String.format(Locale.ROOT, "%.2g", factor),
                Times.format(starts[best]), Math.pow(10, bestRatio)));
    }

    /**
     * Whether a run of log10 means holds at least two finite steps within {@link #TOLERANCE} (standard
     * deviation) of their mean: a level, not the noise of a mean near zero (whose logs scatter by decades).
     */
    private static boolean steady(double[] x, int from, int to) {
        double m = finiteMean(x, from, to);
        double ss = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(x[i])) {
                ss += (x[i] - m) * (x[i] - m);
                n++;
            }
        }
        return n >= MIN_STEPS && Math.sqrt(ss / n) <= TOLERANCE;
    }

    private static double finiteMean(double[] x, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(x[i])) {
                s += x[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
