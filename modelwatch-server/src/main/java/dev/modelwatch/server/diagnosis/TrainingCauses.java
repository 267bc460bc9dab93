package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.core.training.TrainingProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CauseKind#TRAINING}: a training run with detected problems, alone (a question about the run) or
 * through the production version that names it (docs/diagnosis.md).
 */
final class TrainingCauses {
    private final ProfileDiagnoser.Sources in;

    TrainingCauses(ProfileDiagnoser.Sources in) {
        this.in = in;
    }

    List<Cause> training(Frame f, List<Cause> versions) {
        List<RunState> runs = in.runs().list(f.model().name());
        if (runs.isEmpty()) {
            return List.of();
        }
        List<Cause> out = new ArrayList<>();
        for (String version : f.model().versions()) {
            for (RunState run : runs) {
                if (run.problems().isEmpty() || !namesRun(version, run.run())) {
                    continue;
                }
                WindowProfile served = in.query().range(f.spec(), version, ProfileKey.ALL, f.onset(), f.to());
                if (served.count() == 0) {
                    continue;
                }
                Cause regression = versions.stream().filter(c -> version.equals(c.version())).findFirst().orElse(null);
                double severity = severity(run.problems());
                double timing = regression == null ? 0.5
                        : ((Evidences.VersionRegression) regression.evidence()).timing();
                double own = severity * Math.max(0.5, timing);
                double score = regression == null ? own : 1 - (1 - own) * (1 - regression.score());
                out.add(trainingCause(run, version, clamp(score), regression == null ? null : regression.score()));
            }
        }
        return out;
    }

    /** Whether a version's name names a run: equal, or the run's name as one of its parts. */
    static boolean namesRun(String version, String run) {
        if (version.equals(run)) {
            return true;
        }
        if (run.length() < 3) {
            return false;
        }
        int at = version.indexOf(run);
        while (at >= 0) {
            boolean startOk = at == 0 || !Character.isLetterOrDigit(version.charAt(at - 1));
            int end = at + run.length();
            boolean endOk = end == version.length() || !Character.isLetterOrDigit(version.charAt(end));
            if (startOk && endOk) {
                return true;
            }
            at = version.indexOf(run, at + 1);
        }
        return false;
    }

    private static double severity(List<TrainingProblem> problems) {
        double none = 1;
        for (TrainingProblem p : problems) {
            none *= 1 - (TrainingProblem.CRITICAL.equals(p.severity()) ? 0.8 : 0.4);
        }
        return clamp(1 - none);
    }

    Cause runCause(String model, String run) {
        return in.runs().get(model, run).filter(s -> !s.problems().isEmpty())
                .map(s -> trainingCause(s, null, severity(s.problems()), null)).orElse(null);
    }

    private static Cause trainingCause(RunState run, String version, double score, Double versionScore) {
        List<Evidences.RunProblem> problems = run.problems().stream().map(p -> new Evidences.RunProblem(p.kind(),
                p.severity(), p.step(), p.metric(), p.message())).toList();
        TrainingProblem first = run.problems().stream()
                .filter(p -> TrainingProblem.CRITICAL.equals(p.severity())).findFirst().orElse(run.problems().get(0));
        String summary = version == null
                ? String.format("training run %s: %s at step %d (%s)", run.run(), first.kind(), first.step(), first.message())
                : String.format("version %s comes from training run %s, which had %s at step %d", version, run.run(),
                        first.kind(), first.step());
        List<SuggestedAction> actions = version == null
                ? List.of(new SuggestedAction("stop_run", "stop run " + run.run() + ": it is wasting its resources"),
                        new SuggestedAction("investigate", "check " + first.metric() + " around step " + first.step()))
                : List.of(new SuggestedAction("rollback", "roll back from version " + version
                                + ": its training run had problems"),
                        new SuggestedAction("retrain", "retrain once " + first.kind() + " is fixed"));
        return new Cause(CauseKind.TRAINING, score, null, null, version, summary,
                new Evidences.Training(run.run(), run.status().wireName(), version, problems, versionScore), actions,
                "severity = 1 - product over problems of (1 - 0.8 critical, 0.4 warning); for a production version "
                        + "that names the run, severity x max(0.5, timing) combined with the version regression's "
                        + "score as 1 - (1 - a)(1 - b)");
    }
}
