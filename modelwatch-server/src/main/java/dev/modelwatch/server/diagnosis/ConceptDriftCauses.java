package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;
import static dev.modelwatch.server.diagnosis.Scores.confidence;
import static dev.modelwatch.server.diagnosis.Scores.fmt;

import java.util.List;

/**
 * {@link CauseKind#CONCEPT_DRIFT}: performance falls significantly while the inputs, the labels' balance,
 * a version and a segment do not explain it (docs/diagnosis.md).
 */
final class ConceptDriftCauses {
    private ConceptDriftCauses() {
    }

    static Cause concept(Frame f, Perf perf, double labelShare, double versionShare, double segmentShare) {
        if (!perf.significant()) {
            return null;
        }
        Double estDrop = f.report().againstReference().get("estimated_accuracy_drop");
        double inputs = "accuracy".equals(perf.metric()) && estDrop != null ? clamp(estDrop / perf.drop()) : 0;
        double elsewhere = 1 - (1 - inputs) * (1 - labelShare) * (1 - versionShare) * (1 - segmentShare);
        double strength = confidence(perf.p()) * clamp(perf.drop() / 0.1);
        double score = clamp(strength * (1 - elsewhere));
        return new Cause(CauseKind.CONCEPT_DRIFT, score, null, null, null,
                String.format(java.util.Locale.ROOT, "%s fell from %s to %s (p = %.2g) while the inputs account for "
                        + "%.0f%% of it: the relation between inputs and labels changed", perf.metric(),
                        fmt(perf.before()), fmt(perf.after()), perf.p(), 100 * inputs),
                new Evidences.ConceptDrift(f.baseWindow(), f.curWindow(), perf.metric(), perf.before(), perf.after(),
                        perf.drop(), perf.p(), estDrop, elsewhere),
                List.of(new SuggestedAction("retrain", "retrain on recent labelled data: the old relation no longer holds"),
                        new SuggestedAction("investigate", "check for a change in what the labels mean")),
                "confidence(p of the drop) x min(1, drop / 0.1) x (1 - share explained elsewhere): the inputs' share "
                        + "is the estimated drop (from scores) over the realized one; label shift, version and "
                        + "segment shares are combined as 1 - product(1 - share)");
    }
}
