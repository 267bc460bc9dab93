package dev.modelwatch.bench.calibration;

import dev.modelwatch.server.alert.DefaultRules;
import dev.modelwatch.bench.calibration.SyntheticFeatures.Shift;
import dev.modelwatch.core.drift.DriftDecision;
import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.DriftShare;
import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.drift.FeatureDriftAnalysis;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.quality.DataQualityCheck;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.quality.DataQualityPolicy;
import dev.modelwatch.core.quality.ProfiledWindow;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * False alarms and power of the per-feature decisions of a drift report — each univariate drift
 * method as the default policy chooses it, the drift share, each data-quality check — on the 20
 * features of {@link SyntheticFeatures}, profiled as the server profiles them (reference at
 * {@link SketchSettings#REFERENCE} sizes, windows at {@link SketchSettings#DEFAULT}).
 *
 * <p>One trial draws a reference of every reference size and a window of every window size (the
 * largest windows only in every fourth trial) and decides every (reference, window) pair as one
 * report: a feature's decision counts once per report ({@code feature drift: <method>}), the report
 * once for "any feature drifted" and for each data-quality kind ("the model has an issue of this kind",
 * what the default rules alert on).
 */
public final class FeatureCalibration {
    /** Window sizes decided in every trial; the largest only in one trial of {@link #LARGEST_EVERY}. */
    static final int LARGEST_EVERY = 4;

    private FeatureCalibration() {
    }

    /** The decisions of one trial. */
    static Tally.Table falseAlarms(long[] references, long[] windows, long seed, boolean largest) {
        SplittableRandom r = new SplittableRandom(seed);
        Tally.Table table = new Tally.Table();
        Map<String, FeatureProfile>[] current = windowProfiles(r, windows, largest);
        for (long n : references) {
            Map<String, FeatureProfile> reference = SyntheticFeatures.profile(r, n, SketchSettings.REFERENCE,
                    Shift.NONE);
            ProfiledWindow ref = new ProfiledWindow(n, reference, null, null);
            for (int w = 0; w < windows.length; w++) {
                if (current[w] == null) {
                    continue;
                }
                decide(table, n, windows[w], ref, new ProfiledWindow(windows[w], current[w], null, null));
            }
        }
        return table;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, FeatureProfile>[] windowProfiles(SplittableRandom r, long[] windows, boolean largest) {
        Map<String, FeatureProfile>[] out = new Map[windows.length];
        long max = 0;
        for (long w : windows) {
            max = Math.max(max, w);
        }
        for (int w = 0; w < windows.length; w++) {
            if (windows[w] == max && !largest && windows.length > 1) {
                continue;
            }
            out[w] = SyntheticFeatures.profile(r, windows[w], SketchSettings.DEFAULT, Shift.NONE);
        }
        return out;
    }

    private static void decide(Tally.Table table, long n, long m, ProfiledWindow ref, ProfiledWindow cur) {
        Map<String, FeatureDrift> drifts = FeatureDriftAnalysis.ofAll(ref.features(), cur.features(),
                DriftPolicy.DEFAULT);
        boolean any = false;
        for (FeatureDrift d : drifts.values()) {
            if (d.decision() == DriftDecision.NOT_TESTED) {
                continue;
            }
            table.add("feature drift: " + d.method().wireName(), n, m, d.drifted());
            any |= d.drifted();
        }
        table.add("feature drift: any of the report's features", n, m, any);
        table.add("ModelFeatureDriftStrong condition: any feature", n, m, strong(drifts));
        DriftShare share = DriftShare.of(drifts.values());
        table.add("drift share > 0.3", n, m, share.share() != null && share.share() > 0.3);
        Set<DataQualityIssue.Kind> kinds = EnumSet.noneOf(DataQualityIssue.Kind.class);
        for (DataQualityIssue issue : DataQualityCheck.compare(ref, cur, DataQualityPolicy.DEFAULT)) {
            kinds.add(issue.issue());
        }
        for (DataQualityIssue.Kind kind : DataQualityIssue.Kind.values()) {
            table.add("data quality: " + kind.wireName(), n, m, kinds.contains(kind));
        }
    }

    /** Whether a feature meets the default pack's {@code ModelFeatureDriftStrong} condition (KS statistic and p-value). */
    static boolean strong(Map<String, FeatureDrift> drifts) {
        double ks = Double.parseDouble(DefaultRules.STRONG_KS);
        double level = Double.parseDouble(DefaultRules.STRONG_LEVEL);
        for (FeatureDrift d : drifts.values()) {
            var s = d.statistics();
            if (s.ksStatistic() != null && s.ksPValue() != null && s.ksStatistic() > ks && s.ksPValue() < level) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the shifted feature is flagged in one report: its drift decision for {@link
     * SyntheticFeatures.Kind#MEAN} and {@link SyntheticFeatures.Kind#SHARE}, otherwise whether the data-quality
     * kind {@code expected} names is raised for it.
     */
    static boolean detects(Shift shift, DataQualityIssue.Kind expected, long referenceRows, long windowRows,
            long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, FeatureProfile> reference = SyntheticFeatures.profile(r, referenceRows, SketchSettings.REFERENCE,
                Shift.NONE);
        Map<String, FeatureProfile> current = SyntheticFeatures.profile(r, windowRows, SketchSettings.DEFAULT, shift);
        if (expected == null) {
            Map<String, FeatureDrift> drifts = FeatureDriftAnalysis.ofAll(reference, current, DriftPolicy.DEFAULT);
            FeatureDrift d = drifts.get(shift.feature());
            return d != null && d.drifted();
        }
        for (DataQualityIssue issue : DataQualityCheck.compare(new ProfiledWindow(referenceRows, reference, null, null),
                new ProfiledWindow(windowRows, current, null, null), DataQualityPolicy.DEFAULT)) {
            if (issue.issue() == expected && issue.feature().equals(shift.feature())) {
                return true;
            }
        }
        return false;
    }
}
