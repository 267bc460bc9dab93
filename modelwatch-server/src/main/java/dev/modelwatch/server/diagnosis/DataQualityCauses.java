package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;

import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.quality.DataQualityMetrics;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.quality.ProfiledWindow;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.time.Times;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link CauseKind#DATA_QUALITY}: a pipeline fault in one feature (the drift report's data-quality
 * issues), scored by the worst issue's magnitude and how abruptly it started (docs/diagnosis.md).
 */
final class DataQualityCauses {
    /** The per-step series that shows each kind of issue. */
    private static final Map<DataQualityIssue.Kind, String> SERIES = Map.of(
            DataQualityIssue.Kind.MISSING_RATE, "missing_rate",
            DataQualityIssue.Kind.TYPE_MISMATCH, "type_mismatch_rate",
            DataQualityIssue.Kind.NON_FINITE, "non_finite_rate",
            DataQualityIssue.Kind.OUT_OF_RANGE, "out_of_range_fraction",
            DataQualityIssue.Kind.NEW_CATEGORY, "new_category_share",
            DataQualityIssue.Kind.SCORE_OUT_OF_RANGE, "score_out_of_range_fraction",
            DataQualityIssue.Kind.SCHEMA, "missing_rate",
            DataQualityIssue.Kind.CONSTANT, "missing_rate");

    private final ProfileDiagnoser.Sources in;

    DataQualityCauses(ProfileDiagnoser.Sources in) {
        this.in = in;
    }

    List<Cause> dataQuality(Frame f) {
        Map<String, List<DataQualityIssue>> byFeature = new TreeMap<>();
        for (DataQualityIssue i : f.report().dataQuality()) {
            byFeature.computeIfAbsent(i.feature(), k -> new ArrayList<>()).add(i);
        }
        Set<String> exploded = new HashSet<>();
        for (Map.Entry<String, FeatureProfile> e : f.cur().features().entrySet()) {
            String feature = e.getKey();
            boolean reported = byFeature.getOrDefault(feature, List.of()).stream()
                    .anyMatch(i -> i.issue() == DataQualityIssue.Kind.NEW_CATEGORY);
            DataQualityIssue explosion = reported ? null
                    : UnseenCategories.issue(feature, f.base().features().get(feature), e.getValue());
            if (explosion != null) {
                byFeature.computeIfAbsent(feature, k -> new ArrayList<>()).add(explosion);
                exploded.add(feature);
            }
        }
        // a unit change shortly before the onset lies in the baseline, where the report's check cannot see it
        Set<String> unitChanged = new HashSet<>();
        List<ProfileQuery.Bucket> buckets = null;
        long earliest = f.onset() - Math.max(2 * f.step(), (f.to() - f.onset()) / 2);
        for (FeatureDrift d : f.report().features().values()) {
            FeatureProfile p = f.cur().features().get(d.feature());
            if (!d.drifted() || byFeature.containsKey(d.feature()) || p == null || !p.isNumerical()) {
                continue;
            }
            buckets = buckets != null ? buckets : in.query().series(f.spec(), null, ProfileKey.ALL, f.baseFrom(),
                    f.to(), f.step());
            long[] starts = buckets.stream().mapToLong(ProfileQuery.Bucket::startMs).toArray();
            DataQualityIssue unit = UnitChanges.issue(d.feature(), UnitChanges.means(d.feature(), buckets), starts,
                    earliest);
            if (unit != null) {
                byFeature.computeIfAbsent(d.feature(), k -> new ArrayList<>()).add(unit);
                unitChanged.add(d.feature());
            }
        }
        if (byFeature.isEmpty()) {
            return List.of();
        }
        ProfiledWindow baseWindow = ProfiledWindow.of(f.base());
        if (buckets == null) {
            buckets = in.query().series(f.spec(), null, ProfileKey.ALL, f.baseFrom(), f.to(), f.step());
        }
        List<Map<String, Double>> perStep = new ArrayList<>();
        for (ProfileQuery.Bucket b : buckets) {
            Map<String, Double> values = new HashMap<>();
            for (var v : DataQualityMetrics.metrics(baseWindow, ProfiledWindow.of(b.profile()))) {
                values.put(v.name() + '\u0000' + v.labels().get("feature"), v.value());
            }
            perStep.add(values);
        }
        List<Cause> out = new ArrayList<>();
        for (Map.Entry<String, List<DataQualityIssue>> e : byFeature.entrySet()) {
            String feature = e.getKey();
            double magnitude = 0;
            DataQualityIssue worst = null;
            List<Evidences.QualityIssue> issues = new ArrayList<>();
            for (DataQualityIssue i : e.getValue()) {
                double mag = issueMagnitude(i);
                if (mag > magnitude || worst == null) {
                    magnitude = Math.max(magnitude, mag);
                    worst = i;
                }
                issues.add(new Evidences.QualityIssue(i.issue().wireName(), i.reference(), i.value(), i.message()));
            }
            boolean explosion = exploded.contains(feature) && worst.issue() == DataQualityIssue.Kind.NEW_CATEGORY;
            boolean unit = unitChanged.contains(feature);
            String series = explosion ? UnseenCategories.SERIES : unit ? UnitChanges.SERIES : SERIES.get(worst.issue());
            double[] means = unit ? UnitChanges.means(feature, buckets) : null;
            double[] values = new double[buckets.size()];
            long[] starts = new long[buckets.size()];
            for (int k = 0; k < buckets.size(); k++) {
                Double v = explosion ? UnseenCategories.share(f.base().features().get(feature),
                        buckets.get(k).profile().features().get(feature))
                        : unit ? means[k] : perStep.get(k).get(series + '\u0000' + feature);
                values[k] = v == null || !Double.isFinite(v) ? (worst.issue() == DataQualityIssue.Kind.SCHEMA ? 1 : 0) : v;
                starts[k] = buckets.get(k).startMs();
            }
            double[] jump = abruptness(values, starts, f.onset());
            double abrupt = jump[0];
            double score = clamp(magnitude * (0.4 + 0.6 * abrupt));
            List<String> others = byFeature.keySet().stream().filter(n -> !n.equals(feature)).toList();
            String name = feature.equals(DataQualityIssue.OUTPUT) ? "the prediction"
                    : feature.equals(DataQualityIssue.SCORE) ? "the score" : "feature " + feature;
            String startedAt = Double.isNaN(jump[1]) ? null : Times.format((long) jump[1]);
            out.add(new Cause(CauseKind.DATA_QUALITY, score, feature, null, null,
                    String.format(java.util.Locale.ROOT, "%s: %s (%s); %s", name, worst.issue().wireName(),
                            worst.message(), abrupt >= 0.5 ? "it started abruptly at " + startedAt
                                    : "it grew gradually"),
                    new Evidences.DataQuality(f.baseWindow(), f.curWindow(), feature, issues, series, startedAt, abrupt,
                            others),
                    List.of(new SuggestedAction("fix_pipeline", "repair the producer of " + name
                                    + " (a deploy, a schema or unit change, a failing join)"),
                            new SuggestedAction("investigate", "check the data pipeline's changes around " + startedAt)),
                    "magnitude x (0.4 + 0.6 x abruptness): magnitude of the worst issue, min(1, |rate change| / "
                            + "0.1) (out_of_range and new_category: (change - 0.1) / 0.4; schema and constant: 1), "
                            + "abruptness the largest two-step jump of its per-step series over the whole rise"));
        }
        out.sort(Comparator.comparingDouble(Cause::score).reversed());
        return out.size() > 3 ? out.subList(0, 3) : out;
    }

    /**
     * How large an issue is, 0..1. Missing values, NaN, type errors, schema changes and constant
     * values are faults whatever their cause: 1 at a rate change of 0.1. Out-of-range values and new
     * categories are also what a large drift looks like (a shift of 4 sd puts a quarter of the values
     * outside the baseline's range): they count from 10% of the values on, fully at 50% (a unit change
     * puts all of them outside).
     */
    private static double issueMagnitude(DataQualityIssue i) {
        double v = i.value() == null ? 0 : i.value();
        double r = i.reference() == null ? 0 : i.reference();
        double change = Math.abs(v - r);
        return switch (i.issue()) {
            case SCHEMA, CONSTANT -> 1;
            case OUT_OF_RANGE, NEW_CATEGORY -> clamp((change - 0.1) / 0.4);
            default -> clamp(change / 0.1);
        };
    }

    /**
     * {abruptness, start}: the largest rise between the means of two steps before and two after a
     * point, over the rise from the mean before the onset to the mean after it.
     */
    static double[] abruptness(double[] x, long[] starts, long onset) {
        double before = 0;
        double after = 0;
        int nb = 0;
        int na = 0;
        for (int k = 0; k < x.length; k++) {
            if (starts[k] < onset) {
                before += x[k];
                nb++;
            } else {
                after += x[k];
                na++;
            }
        }
        if (nb == 0 || na == 0) {
            return new double[] {1, na > 0 ? starts[0] : Double.NaN};
        }
        double rise = after / na - before / nb;
        if (Math.abs(rise) < 1e-12) {
            return new double[] {0, Double.NaN};
        }
        double best = 0;
        double at = Double.NaN;
        for (int k = 1; k < x.length; k++) {
            double pre = mean(x, Math.max(0, k - 2), k);
            double post = mean(x, k, Math.min(x.length, k + 2));
            double j = (post - pre) / rise;
            if (j > best) {
                best = j;
                at = starts[k];
            }
        }
        return new double[] {clamp(best), at};
    }

    private static double mean(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / Math.max(1, to - from);
    }
}
