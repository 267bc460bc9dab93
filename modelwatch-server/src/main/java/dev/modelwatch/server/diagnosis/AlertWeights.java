package dev.modelwatch.server.diagnosis;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the alerts that raised the question say about the causes: an alert's name (its {@code alertname})
 * tells its symptom by the words it contains, and a symptom points to the causes that can produce it
 * (docs/diagnosis.md, "The alerts"). When at least one alert tells a symptom, a cause that none of the
 * told symptoms points to has its score multiplied by {@link #NOT_POINTED_TO}; the others keep theirs.
 * Alerts whose names tell nothing (a user's rule named otherwise) change nothing.
 */
final class AlertWeights {
    /** The factor of a cause that no alert's symptom points to. */
    static final double NOT_POINTED_TO = 0.7;

    /** A symptom: the words of alert names that tell it (lower case) and the causes that produce it. */
    private record Symptom(String name, List<String> words, Set<CauseKind> causes) {
    }

    private static final List<Symptom> SYMPTOMS = List.of(
            new Symptom("latency", List.of("latency", "slow"), EnumSet.of(CauseKind.INFRASTRUCTURE,
                    CauseKind.VERSION_REGRESSION, CauseKind.TRAINING)),
            new Symptom("errors", List.of("errorrate", "error_rate", "errors"), EnumSet.of(CauseKind.INFRASTRUCTURE,
                    CauseKind.VERSION_REGRESSION, CauseKind.TRAINING, CauseKind.DATA_QUALITY)),
            new Symptom("traffic", List.of("traffic"), EnumSet.of(CauseKind.INFRASTRUCTURE)),
            new Symptom("performance", List.of("accuracy", "f1", "rmse", "auc", "precision", "recall", "performance"),
                    EnumSet.of(CauseKind.CONCEPT_DRIFT, CauseKind.LABEL_SHIFT, CauseKind.SEGMENT,
                            CauseKind.COVARIATE_DRIFT, CauseKind.DATA_QUALITY, CauseKind.VERSION_REGRESSION,
                            CauseKind.TRAINING)),
            new Symptom("drift", List.of("drift"), EnumSet.of(CauseKind.COVARIATE_DRIFT, CauseKind.DATA_QUALITY,
                    CauseKind.SEGMENT, CauseKind.LABEL_SHIFT, CauseKind.VERSION_REGRESSION)),
            new Symptom("data_quality", List.of("missing", "nonfinite", "non_finite", "quality", "schema", "range",
                    "category"), EnumSet.of(CauseKind.DATA_QUALITY, CauseKind.COVARIATE_DRIFT, CauseKind.SEGMENT)),
            new Symptom("training", List.of("training"), EnumSet.of(CauseKind.TRAINING)));

    private AlertWeights() {
    }

    /** The symptoms the alerts tell, each with the first alert that told it. */
    static Map<String, String> symptoms(List<String> alerts) {
        Map<String, String> told = new LinkedHashMap<>();
        for (String alert : alerts) {
            String name = alert.toLowerCase(Locale.ROOT);
            for (Symptom s : SYMPTOMS) {
                if (s.words().stream().anyMatch(name::contains)) {
                    told.putIfAbsent(s.name(), alert);
                }
            }
        }
        return told;
    }

    /** The causes weighed by the alerts (in the order given; the caller ranks them). */
    static List<Cause> weigh(List<Cause> causes, List<String> alerts) {
        Map<String, String> told = symptoms(alerts);
        if (told.isEmpty()) {
            return causes;
        }
        Set<CauseKind> pointed = EnumSet.noneOf(CauseKind.class);
        for (Symptom s : SYMPTOMS) {
            if (told.containsKey(s.name())) {
                pointed.addAll(s.causes());
            }
        }
        List<Cause> out = new ArrayList<>(causes.size());
        for (Cause c : causes) {
            if (pointed.contains(c.kind())) {
                out.add(c);
                continue;
            }
            String why = String.format(Locale.ROOT, "; then x %.1f: the alerts' symptoms (%s) do not point to %s",
                    NOT_POINTED_TO, String.join(", ", told.keySet()), c.kind().wireName());
            out.add(new Cause(c.kind(), c.score() * NOT_POINTED_TO, c.feature(), c.segment(), c.version(), c.summary(),
                    c.evidence(), c.actions(), c.scoreMethod() + why));
        }
        return out;
    }
}
