package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;
import static dev.modelwatch.server.diagnosis.Scores.confidence;
import static dev.modelwatch.server.diagnosis.Scores.correct;
import static dev.modelwatch.server.diagnosis.Scores.fmt;
import static dev.modelwatch.server.diagnosis.Scores.twoSidedP;

import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link CauseKind#SEGMENT}: the change (the accuracy drop, else the mean of the most drifted numerical
 * feature) concentrated in one value of a segment key (docs/diagnosis.md).
 */
final class SegmentCauses {
    private static final int MAX_SEGMENT_VALUES = 64;

    private final ProfileDiagnoser.Sources in;

    SegmentCauses(ProfileDiagnoser.Sources in) {
        this.in = in;
    }

    private Map<String, Set<String>> segments(String model) {
        return ProfileDiagnoser.ask(in.aggregator(), a -> a.admittedSegments(model), "retry");
    }

    Cause segment(Frame f, Perf perf) {
        String symptomFeature = null;
        if (!perf.significant() || !"accuracy".equals(perf.metric())) {
            FeatureDrift top = f.report().features().values().stream()
                    .filter(d -> d.drifted() && f.base().features().get(d.feature()) != null
                            && f.base().features().get(d.feature()).isNumerical())
                    .max(Comparator.comparingDouble(CovariateDriftCauses::magnitude)).orElse(null);
            if (top == null) {
                return null;
            }
            symptomFeature = top.feature();
        }
        Cause best = null;
        for (Map.Entry<String, Set<String>> key : segments(f.model().name()).entrySet()) {
            List<String> values = key.getValue().stream().sorted().limit(MAX_SEGMENT_VALUES).toList();
            if (values.size() < 2) {
                continue;
            }
            Cause c = segmentOf(f, key.getKey(), values, symptomFeature);
            if (c != null && (best == null || c.score() > best.score())) {
                best = c;
            }
        }
        return best;
    }

    private Cause segmentOf(Frame f, String key, List<String> values, String feature) {
        int n = values.size();
        double[] excess = new double[n];
        double[] traffic = new double[n];
        double[] before = new double[n];
        double[] after = new double[n];
        double[] p = new double[n];
        double[] effect = new double[n];
        double totalTraffic = 0;
        for (int i = 0; i < n; i++) {
            String seg = ProfileKey.segment(key, values.get(i));
            WindowProfile b = in.query().range(f.spec(), null, seg, f.baseFrom(), f.baseTo());
            WindowProfile c = in.query().range(f.spec(), null, seg, f.onset(), f.to());
            traffic[i] = c.count();
            totalTraffic += c.count();
            if (feature == null) {
                long[] cb = correct(b.confusion());
                long[] cc = correct(c.confusion());
                if (cb[1] < 30 || cc[1] < 30) {
                    before[i] = Double.NaN;
                    after[i] = Double.NaN;
                    p[i] = 1;
                    continue;
                }
                before[i] = (double) cb[0] / cb[1];
                after[i] = (double) cc[0] / cc[1];
                excess[i] = (cc[1] - cc[0]) - cc[1] * (1 - before[i]);
                var change = dev.modelwatch.core.metrics.PerformanceChange.accuracyDrop(cb[0], cb[1], cc[0], cc[1]);
                p[i] = change.pValue();
                effect[i] = clamp((before[i] - after[i]) / 0.1);
            } else {
                FeatureProfile fb = b.features().get(feature);
                FeatureProfile fc = c.features().get(feature);
                if (fb == null || fc == null || fb.numericCount() < 30 || fc.numericCount() < 30) {
                    before[i] = Double.NaN;
                    after[i] = Double.NaN;
                    p[i] = 1;
                    continue;
                }
                double sd = Math.max(fb.std(), 1e-12);
                before[i] = fb.mean();
                after[i] = fc.mean();
                double shift = Math.abs(after[i] - before[i]) / sd;
                excess[i] = fc.numericCount() * shift;
                double se = Math.sqrt(fb.std() * fb.std() / fb.numericCount() + fc.std() * fc.std() / fc.numericCount());
                p[i] = twoSidedP((after[i] - before[i]) / Math.max(se, 1e-12));
                effect[i] = clamp(shift / 0.5);
            }
        }
        double positive = 0;
        for (double e : excess) {
            positive += Math.max(0, e);
        }
        if (positive <= 0 || totalTraffic == 0) {
            return null;
        }
        int top = 0;
        List<Evidences.SegmentPart> parts = new ArrayList<>();
        double[] share = new double[n];
        for (int i = 0; i < n; i++) {
            share[i] = Math.max(0, excess[i]) / positive;
            if (share[i] > share[top]) {
                top = i;
            }
            parts.add(new Evidences.SegmentPart(key + "=" + values.get(i), traffic[i] / totalTraffic, share[i],
                    Double.isNaN(before[i]) ? null : before[i], Double.isNaN(after[i]) ? null : after[i]));
        }
        parts.sort(Comparator.comparingDouble(Evidences.SegmentPart::changeShare).reversed());
        double t = traffic[top] / totalTraffic;
        double concentration = t >= 1 ? 0 : clamp((share[top] - t) / (1 - t));
        double strength = confidence(p[top]) * effect[top];
        double score = clamp(strength * concentration);
        String seg = key + "=" + values.get(top);
        String symptom = feature == null ? "accuracy" : "feature:" + feature;
        return new Cause(CauseKind.SEGMENT, score, feature, seg, null,
                String.format(java.util.Locale.ROOT, "%s holds %.0f%% of the change in %s with %.0f%% of the traffic "
                        + "(%s → %s)", seg, 100 * share[top], feature == null ? "accuracy" : "the mean of " + feature,
                        100 * t, fmt(Double.isNaN(before[top]) ? null : before[top]),
                        fmt(Double.isNaN(after[top]) ? null : after[top])),
                new Evidences.Segment(f.baseWindow(), f.curWindow(), symptom, concentration, p[top], parts),
                List.of(new SuggestedAction("investigate", "look at what changed for " + seg
                                + " (its data source, its population, its routing)"),
                        new SuggestedAction("shift_traffic", "route " + seg + " to a fallback until it is understood")),
                "confidence(p of the segment's own change) x min(1, effect) x concentration: effect is its accuracy "
                        + "drop / 0.1 (or the feature's mean shift / 0.5 sd); concentration is (its share of the "
                        + "change - its share of traffic) / (1 - its share of traffic)");
    }
}
