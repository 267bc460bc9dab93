package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;
import static dev.modelwatch.server.diagnosis.Scores.confidence;
import static dev.modelwatch.server.diagnosis.Scores.fmt;

import dev.modelwatch.core.drift.FeatureDrift;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link CauseKind#COVARIATE_DRIFT}: the features the drift report of current against the baseline
 * decides drifted, weighted by importance x magnitude, less what a data-quality fault of the feature or a
 * segment explains (docs/diagnosis.md).
 */
final class CovariateDriftCauses {
    private final ProfileDiagnoser.Sources in;

    CovariateDriftCauses(ProfileDiagnoser.Sources in) {
        this.in = in;
    }

    Cause covariate(Frame f, Perf perf, Map<String, Double> qualityByFeature, double segmentScore) {
        Map<String, Double> importances = in.driftConfig().importancesFor(f.model().name());
        List<FeatureDrift> drifted = f.report().features().values().stream().filter(FeatureDrift::drifted).toList();
        if (drifted.isEmpty()) {
            return null;
        }
        double total = 0;
        Map<String, Double> weight = new HashMap<>();
        for (FeatureDrift d : drifted) {
            double wgt = importances.getOrDefault(d.feature(), 1.0) * magnitude(d);
            weight.put(d.feature(), wgt);
            total += wgt;
        }
        double explained = 1;
        Double estDrop = f.report().againstReference().get("estimated_accuracy_drop");
        if (perf.significant() && "accuracy".equals(perf.metric())) {
            explained = estDrop == null ? 0 : clamp(estDrop / perf.drop());
        }
        List<Evidences.FeatureShift> shifts = new ArrayList<>();
        double score = 0;
        for (FeatureDrift d : drifted) {
            double p = d.adjustedPValue() != null ? d.adjustedPValue() : d.pValue() != null ? d.pValue() : 0;
            double strength = confidence(p) * clamp(magnitude(d));
            double share = total == 0 ? 0 : weight.get(d.feature()) / total;
            // a feature whose change is a pipeline fault is explained by that fault, not by drift
            score += share * strength * (1 - qualityByFeature.getOrDefault(d.feature(), 0.0));
            Boolean fromRef = null;
            if (f.againstReference() != null && f.againstReference().features().get(d.feature()) != null) {
                fromRef = f.againstReference().features().get(d.feature()).drifted();
            }
            shifts.add(new Evidences.FeatureShift(d.feature(), d.method().wireName(), d.value(), d.statistics().psi(),
                    d.adjustedPValue(), strength, share, fromRef));
        }
        shifts.sort(Comparator.comparingDouble((Evidences.FeatureShift s) -> s.share() * s.strength()).reversed());
        score = clamp(score * (1 - segmentScore));
        Double outputPsi = f.report().score() != null ? f.report().score().statistics().psi()
                : f.report().output() != null ? f.report().output().statistics().psi() : null;
        Evidences.FeatureShift top = shifts.get(0);
        String summary = String.format(java.util.Locale.ROOT,
                "%d feature(s) drifted after the onset; %s most (PSI %s, %.0f%% of the input drift)%s",
                shifts.size(), top.feature(), fmt(top.psi()), 100 * top.share(),
                perf.significant() ? String.format(java.util.Locale.ROOT, "; the inputs account for %.0f%% of the %s drop",
                        100 * explained, perf.metric()) : "");
        return new Cause(CauseKind.COVARIATE_DRIFT, score, top.feature(), null, null, summary,
                new Evidences.CovariateDrift(f.baseWindow(), f.curWindow(), shifts, explained, outputPsi),
                List.of(new SuggestedAction("investigate", "find why the inputs of " + top.feature()
                                + " changed upstream (a new source, a population change)"),
                        new SuggestedAction("retrain", "retrain on recent data if the new distribution is here to stay")),
                "strength x share: per drifted feature (BH-adjusted), confidence(adjusted p) x min(1, PSI / 0.25) "
                        + "weighted by its share of importance x PSI; minus the part a data-quality fault of the "
                        + "feature or a segment explains");
    }

    /** How large a feature's drift is, 1 at a PSI of 0.25 (or at twice the critical value without PSI). */
    static double magnitude(FeatureDrift d) {
        Double psi = d.statistics().psi();
        if (psi != null && Double.isFinite(psi)) {
            return Math.min(1, psi / 0.25);
        }
        if (d.value() != null && d.criticalValue() != null && d.criticalValue() > 0) {
            return Math.min(1, 0.5 * d.value() / d.criticalValue());
        }
        return 0.5;
    }
}
