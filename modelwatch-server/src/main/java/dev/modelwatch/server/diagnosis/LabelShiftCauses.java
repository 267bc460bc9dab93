package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;
import static dev.modelwatch.server.diagnosis.Scores.confidence;
import static dev.modelwatch.server.diagnosis.Scores.correct;
import static dev.modelwatch.server.diagnosis.Scores.twoSidedP;

import dev.modelwatch.core.metrics.ModelTask;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link CauseKind#LABEL_SHIFT}: the class balance of the labels moves more than the model's outputs
 * account for (docs/diagnosis.md). Only the labels' own move counts: outputs that move while the labels
 * keep their balance (a new version predicting another balance) are not a label shift.
 */
final class LabelShiftCauses {
    private LabelShiftCauses() {
    }

    static Cause labelShift(Frame f) {
        if (f.spec().task() == ModelTask.REGRESSION) {
            return null;
        }
        Map<String, Map<String, Long>> cb = f.base().confusion();
        Map<String, Map<String, Long>> cc = f.cur().confusion();
        long nb = correct(cb)[1];
        long nc = correct(cc)[1];
        if (nb < 30 || nc < 30) {
            return null;
        }
        Set<String> classes = new TreeSet<>(cb.keySet());
        classes.addAll(cc.keySet());
        boolean binary = f.spec().task() == ModelTask.BINARY_CLASSIFICATION && f.base().score() != null
                && f.cur().score() != null;
        String best = null;
        double bestU = 0;
        double lb = 0;
        double lc = 0;
        double expected = 0;
        for (String c : classes) {
            double labelB = rowShare(cb, c, nb);
            double labelC = rowShare(cc, c, nc);
            double exp;
            if (binary) {
                double meanB = f.base().score().mean();
                double meanC = f.cur().score().mean();
                exp = c.equals(f.spec().positiveClass()) ? meanC - meanB : meanB - meanC;
            } else {
                exp = columnShare(cc, c, nc) - columnShare(cb, c, nb);
            }
            double u = unexplained(labelC - labelB, exp);
            if (best == null || Math.abs(u) > Math.abs(bestU)) {
                best = c;
                bestU = u;
                lb = labelB;
                lc = labelC;
                expected = exp;
            }
            if (binary && classes.size() <= 2) {
                // both classes of a binary model move together: the positive one is named
                if (c.equals(f.spec().positiveClass())) {
                    best = c;
                    bestU = u;
                    lb = labelB;
                    lc = labelC;
                    expected = exp;
                    break;
                }
            }
        }
        if (best == null) {
            return null;
        }
        double se = Math.sqrt(Math.max(lb * (1 - lb), 1e-9) / nb + Math.max(lc * (1 - lc), 1e-9) / nc);
        double p = twoSidedP(bestU / se);
        double strength = confidence(p) * clamp(Math.abs(bestU) / 0.1);
        return new Cause(CauseKind.LABEL_SHIFT, strength, null, null, null,
                String.format(java.util.Locale.ROOT, "the share of class %s among the labels moved from %.1f%% to %.1f%% "
                        + "while the model's outputs account for %+.1f points (p = %.2g)", best, 100 * lb, 100 * lc,
                        100 * expected, p),
                new Evidences.LabelShift(f.baseWindow(), f.curWindow(), best, lb, lc, expected, Math.abs(bestU), p,
                        "labels"),
                List.of(new SuggestedAction("investigate", "check whether the population's class balance or the "
                                + "labelling process changed"),
                        new SuggestedAction("retrain", "recalibrate or retrain for the new class balance")),
                "confidence(p) x min(1, |unexplained shift| / 0.1): the label share's change less the part the "
                        + "model's outputs moving the same way account for (mean score, or predicted share), never "
                        + "more than the labels moved, tested as two proportions");
    }

    /**
     * The part of the labels' move {@code delta} that the outputs' move {@code expected} does not account
     * for, never more than the labels moved: outputs moving the same way account for up to all of it;
     * outputs moving while the labels do not (a new version, a drift of the inputs alone) are no label
     * shift, so they count for nothing.
     */
    static double unexplained(double delta, double expected) {
        double along = Math.signum(delta) * expected;
        return Math.signum(delta) * Math.max(0, Math.abs(delta) - Math.max(0, along));
    }

    private static double rowShare(Map<String, Map<String, Long>> confusion, String c, long n) {
        Map<String, Long> row = confusion.get(c);
        return row == null ? 0 : row.values().stream().mapToLong(Long::longValue).sum() / (double) n;
    }

    private static double columnShare(Map<String, Map<String, Long>> confusion, String c, long n) {
        long s = 0;
        for (Map<String, Long> row : confusion.values()) {
            s += row.getOrDefault(c, 0L);
        }
        return s / (double) n;
    }
}
