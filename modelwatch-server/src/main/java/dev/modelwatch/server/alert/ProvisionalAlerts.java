package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.Expr;
import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Alerts raised on realized performance before the labels of their windows are in. A rule "reads
 * labels" when its expression selects a realized performance series ({@code accuracy}, {@code f1},
 * {@code accuracy_drop}, {@code rmse_ratio}, their p-values and intervals, ...). Its alerts are
 * reviewed after every lifecycle step ({@link #review}), by the {@code label_coverage} of the model's
 * windows its labelled selectors read (the least labelled of them: a selector reads back its offset
 * plus the lookback delta, a range selector its offset plus its range):
 * <ul>
 *   <li>raised (pending, or firing at this step) below {@link LabelPolicy#completeCoverage()}: the alert
 *       is <b>provisional</b>, annotated {@code label_status="provisional"}, {@code label_coverage} and
 *       {@code label_note};</li>
 *   <li>a provisional firing alert is <b>held</b> firing — later windows without labels do not resolve
 *       it — until the windows it fired on are labelled at least {@code completeCoverage}, or
 *       {@link LabelPolicy#labelDelayMs()} after it fired; then its rule is evaluated again <em>at the
 *       time it fired</em>, with every label now known:</li>
 *   <li>still a breach: <b>confirmed</b> ({@code label_status="confirmed"}), and from then on it follows
 *       its rule as any alert;</li>
 *   <li>no breach: <b>retracted</b>: resolved at once ({@code label_status="retracted"}, the reason in
 *       {@code label_note}), which receivers are told as a resolution carrying these annotations.</li>
 * </ul>
 * An alert raised with its windows already labelled enough gets no {@code label_status}. Everything
 * lives in the alert instances' annotations, so it is stored with them and survives a restart.
 */
final class ProvisionalAlerts {
    static final String STATUS = "label_status";
    static final String COVERAGE = "label_coverage";
    static final String NOTE = "label_note";
    static final String PROVISIONAL = "provisional";
    static final String CONFIRMED = "confirmed";
    static final String RETRACTED = "retracted";
    private static final String MODEL = "model";

    /** The series computed from joined labels. */
    static final Set<String> REALIZED = realized();

    private final LabelPolicy policy;
    private final SeriesSource source;
    private final long lookbackDeltaMs;
    private final Map<String, List<long[]>> reads = new HashMap<>();
    /**
     * A held alert's last coverage, the change sequence of its model then and when it fired ({sequence,
     * coverage bits, fired at}): it is read again only once
     * the model's data changed (late labels), so that holding costs no query per pass.
     */
    private final Map<Long, long[]> heldCoverage = new HashMap<>();
    /** The models' change sequences, read once per {@link #review} that needs them. */
    private Map<String, Long> sequences;

    ProvisionalAlerts(LabelPolicy policy, SeriesSource source, long lookbackDeltaMs) {
        this.policy = policy;
        this.source = source;
        this.lookbackDeltaMs = lookbackDeltaMs;
    }

    private static Set<String> realized() {
        Set<String> s = new java.util.HashSet<>(List.of("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss",
                "mae", "rmse", "mape", "r2", "accuracy_drop", "f1_drop", "rmse_ratio", "accuracy_drop_p_value",
                "f1_drop_p_value", "rmse_ratio_p_value"));
        for (String m : dev.modelwatch.core.metrics.PerformanceIntervals.METRICS) {
            s.add(m + "_lower");
            s.add(m + "_upper");
        }
        return Set.copyOf(s);
    }

    /**
     * The stretches of time before an evaluation whose windows the rule reads labelled series from, as
     * {offset, span} pairs (windows ending in {@code (t - offset - span, t - offset]}); empty when it reads
     * none or its results are not per model.
     */
    private List<long[]> reads(AlertRule rule) {
        return reads.computeIfAbsent(rule.name(), k -> {
            if (RuleModelScope.perModelHorizon(rule.expr().root(), lookbackDeltaMs).isEmpty()) {
                return List.of();
            }
            List<long[]> out = new ArrayList<>();
            collect(rule.expr().root(), out);
            return List.copyOf(out);
        });
    }

    private void collect(Expr expr, List<long[]> out) {
        if (expr instanceof Expr.VectorSelector v) {
            if (REALIZED.contains(v.metricName())) {
                out.add(new long[] {v.offsetMs(), lookbackDeltaMs});
            }
        } else if (expr instanceof Expr.MatrixSelector m) {
            if (REALIZED.contains(m.selector().metricName())) {
                out.add(new long[] {m.selector().offsetMs(), m.rangeMs()});
            }
        } else if (expr instanceof Expr.Negation n) {
            collect(n.operand(), out);
        } else if (expr instanceof Expr.Binary b) {
            collect(b.lhs(), out);
            collect(b.rhs(), out);
        } else if (expr instanceof Expr.Aggregation a) {
            collect(a.operand(), out);
        } else if (expr instanceof Expr.Call c) {
            c.args().forEach(arg -> collect(arg, out));
        }
    }

    /** The lifecycle's {@code step} of {@code rule} from {@code prev}, with provisional alerts marked, held and decided. */
    StepResult review(AlertRule rule, RuleState prev, StepResult step, long nowMs) {
        List<long[]> windows = reads(rule);
        if (windows.isEmpty() || step.error() != null) {
            return step;
        }
        sequences = null;
        Map<Long, AlertInstance> instances = new LinkedHashMap<>(step.state().instances());
        List<AlertTransition> transitions = new ArrayList<>(step.transitions());
        boolean changed = false;
        for (AlertInstance a : step.state().instances().values()) {
            String model = a.labels().get(MODEL);
            if (model == null) {
                continue;
            }
            AlertInstance before = prev == null ? null : prev.instances().get(a.fingerprint());
            Map<String, String> carried = before == null || (a.activeAtMs() != null && a.activeAtMs() == nowMs)
                    ? Map.of() : labelAnnotations(before);
            String status = carried.get(STATUS);
            AlertInstance next = a;
            if (before != null && before.state() == AlertState.FIRING && PROVISIONAL.equals(status)
                    && before.firedAtMs() != null) {
                next = decide(rule, model, windows, before, a, transitions, nowMs);
            } else if (a.state() == AlertState.PENDING
                    || (a.state() == AlertState.FIRING && a.firedAtMs() != null && a.firedAtMs() == nowMs)) {
                Double coverage = coverage(model, nowMs, windows);
                if (coverage != null && coverage < policy.completeCoverage()) {
                    next = annotate(a, PROVISIONAL, coverage, "raised on " + percent(coverage)
                            + " of the labels of its windows; confirmed or retracted once "
                            + percent(policy.completeCoverage()) + " are in, or " + dev.modelwatch.core.rules.Durations
                            .format(policy.labelDelayMs()) + " after it fired");
                    if (a.state() == AlertState.FIRING) {
                        replaceNote(transitions, a.fingerprint(), "; provisional: " + percent(coverage) + " labelled");
                    }
                } else {
                    next = withLabelAnnotations(a, Map.of());
                }
            } else if ((CONFIRMED.equals(status) || RETRACTED.equals(status)) && a.state() != AlertState.INACTIVE) {
                next = withLabelAnnotations(a, carried);
            }
            if (!next.equals(a)) {
                instances.put(next.fingerprint(), next);
                changed = true;
            }
        }
        if (!changed && transitions.equals(step.transitions())) {
            return step;
        }
        transitions.sort((x, y) -> Long.compareUnsigned(x.fingerprint(), y.fingerprint()));
        return new StepResult(step.state().withInstances(new ArrayList<>(instances.values())), transitions,
                step.error());
    }

    /**
     * A provisional alert that fired ({@code before}) after this step's lifecycle ({@code after}): held,
     * confirmed or retracted.
     */
    private AlertInstance decide(AlertRule rule, String model, List<long[]> windows, AlertInstance before, AlertInstance after,
            List<AlertTransition> transitions, long nowMs) {
        long firedAt = before.firedAtMs();
        double c = heldCoverage(model, before.fingerprint(), firedAt, windows);
        boolean labelled = c >= policy.completeCoverage();
        if (!labelled && nowMs - firedAt < policy.labelDelayMs()) {
            if (after.state() == AlertState.FIRING) {
                return annotate(after, PROVISIONAL, c, before.annotations().get(NOTE));
            }
            // held: later windows do not decide it; its own windows' labels will
            transitions.removeIf(t -> t.fingerprint() == before.fingerprint());
            return annotate(before, PROVISIONAL, c, before.annotations().get(NOTE));
        }
        heldCoverage.remove(before.fingerprint());
        String basis = (labelled ? "with " : dev.modelwatch.core.rules.Durations.format(nowMs - firedAt)
                + " after it fired, with only ") + percent(c) + " of the labels of its windows";
        if (breachesAt(rule, model, before.fingerprint(), firedAt)) {
            String note = "confirmed " + basis + ": the rule still breaches at the time it fired";
            if (after.state() == AlertState.FIRING) {
                transitions.add(new AlertTransition(after.fingerprint(), after.labels(), AlertState.FIRING,
                        AlertState.FIRING, nowMs, after.value(), AlertTransition.Effect.NONE, after.flapping(), note));
            } else {
                replaceNote(transitions, after.fingerprint(), "; " + note);
            }
            return annotate(after, CONFIRMED, c, note);
        }
        String note = "retracted " + basis + ": the rule does not breach at the time it fired";
        if (!after.notifying()) {
            replaceNote(transitions, after.fingerprint(), "; " + note);
            return annotate(after, RETRACTED, c, note);
        }
        transitions.removeIf(t -> t.fingerprint() == after.fingerprint());
        AlertInstance resolved = after.toBuilder().state(AlertState.RESOLVED, nowMs).resolvedAtMs(nowMs)
                .keepFiringSinceMs(null).activeAtMs(null).resolveHeldUntilMs(null).flapping(false)
                .episodeStartMs(null).lastResolveNotifiedMs(nowMs).acknowledgement(null).build();
        resolved = annotate(resolved, RETRACTED, c, note);
        transitions.add(new AlertTransition(resolved.fingerprint(), resolved.labels(), after.state(),
                AlertState.RESOLVED, nowMs, resolved.value(), AlertTransition.Effect.RESOLVE, false, note));
        return resolved;
    }

    /** Whether {@code rule}, evaluated at {@code atMs} on today's data, still gives the alert {@code fingerprint}. */
    private boolean breachesAt(AlertRule rule, String model, long fingerprint, long atMs) {
        SeriesSource scoped = source instanceof PerModelSeriesSource p
                ? (name, matchers, from, to) -> p.select(name, matchers, from, to, Set.of(model)) : source;
        for (InstantSample s : rule.expr().evaluate(scoped, atMs, lookbackDeltaMs)) {
            double v = s.value();
            if (rule.reportsEverySeries() && (Double.isNaN(v) || v == 0)) {
                continue;
            }
            if (AlertFingerprint.of(rule.alertLabels(s.labels(), v)) == fingerprint) {
                return true;
            }
        }
        return false;
    }

    /** {@link #coverage} at {@code firedAt} of a held alert, read again only when its model's data changed. */
    private double heldCoverage(String model, long fingerprint, long firedAt, List<long[]> windows) {
        Long sequence = null;
        if (source instanceof PerModelSeriesSource p) {
            if (sequences == null) {
                sequences = new HashMap<>();
                for (PerModelSeriesSource.ModelData m : p.models()) {
                    sequences.put(m.model(), m.changeSequence());
                }
            }
            sequence = sequences.get(model);
        }
        long[] kept = heldCoverage.get(fingerprint);
        if (sequence != null && kept != null && kept[0] == sequence && kept[2] == firedAt) {
            return Double.longBitsToDouble(kept[1]);
        }
        Double coverage = coverage(model, firedAt, windows);
        double c = coverage == null ? 0 : coverage;
        if (sequence != null) {
            heldCoverage.put(fingerprint, new long[] {sequence, Double.doubleToLongBits(c), firedAt});
        }
        return c;
    }

    /**
     * The least {@code label_coverage} of the model's windows that the rule reads labelled series from at
     * {@code atMs} ({@link #reads}): the share of the predictions labelled in the least labelled of them;
     * null when none of them had predictions.
     */
    private Double coverage(String model, long atMs, List<long[]> reads) {
        Double min = null;
        List<LabelMatcher> matchers = List.of(LabelMatcher.equal(MODEL, model));
        for (long[] r : reads) {
            long to = atMs - r[0];
            long from = to - r[1];
            List<RangeSeries> series = source instanceof PerModelSeriesSource p
                    ? p.select("label_coverage", matchers, from, to, Set.of(model))
                    : source.select("label_coverage", matchers, from, to);
            for (RangeSeries s : series) {
                for (double v : s.values()) {
                    min = min == null ? v : Math.min(min, v);
                }
            }
        }
        return min;
    }

    private static Map<String, String> labelAnnotations(AlertInstance a) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : List.of(STATUS, COVERAGE, NOTE)) {
            String v = a.annotations().get(k);
            if (v != null) {
                m.put(k, v);
            }
        }
        return m;
    }

    private static AlertInstance annotate(AlertInstance a, String status, double coverage, String note) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(STATUS, status);
        m.put(COVERAGE, String.format(Locale.ROOT, "%.3f", coverage));
        if (note != null) {
            m.put(NOTE, note);
        }
        return withLabelAnnotations(a, m);
    }

    private static AlertInstance withLabelAnnotations(AlertInstance a, Map<String, String> label) {
        Map<String, String> m = new LinkedHashMap<>(a.annotations());
        m.keySet().removeAll(List.of(STATUS, COVERAGE, NOTE));
        m.putAll(label);
        return m.equals(a.annotations()) ? a : a.toBuilder().annotations(m).build();
    }

    /** Appends {@code suffix} to the notes of the alert's transitions of this step. */
    private static void replaceNote(List<AlertTransition> transitions, long fingerprint, String suffix) {
        transitions.replaceAll(t -> t.fingerprint() != fingerprint ? t
                : new AlertTransition(t.fingerprint(), t.labels(), t.from(), t.to(), t.atMs(), t.value(), t.effect(),
                        t.flapping(), t.note().isEmpty() ? suffix.substring(2) : t.note() + suffix));
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
