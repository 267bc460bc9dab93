package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.Durations;
import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alert state machine of one {@link AlertRule}: a pure function from the previous
 * {@link RuleState}, one evaluation's outcome and the time to the next state and the transitions it
 * produced. No clock, no threads, no I/O: the caller evaluates the expression, passes the time, and
 * stores the returned state.
 *
 * <p><b>Per instance</b> (Prometheus semantics for {@code for} and {@code keep_firing_for}), each
 * step gives every instance one input, <em>breach</em> (with its value), <em>clear</em> or <em>no
 * data</em> (see {@link AlertRule} and {@link NoDataState}), and:
 * <ul>
 *   <li>breach: inactive/resolved/no-data → {@link AlertState#PENDING} with {@code activeAt = now}
 *       (straight to {@link AlertState#FIRING} when {@code for} is 0); pending → firing once
 *       {@code now - activeAt >= for}; firing stays firing;</li>
 *   <li>clear: pending → inactive; firing → resolved once {@code now - keepFiringSince >=
 *       keep_firing_for}, {@code keepFiringSince} being the first clear step (a breach resets it);
 *       no-data/error → resolved;</li>
 *   <li>no data: → {@link AlertState#NO_DATA}.</li>
 * </ul>
 *
 * <p><b>Receivers' view and flap damping.</b> An instance is notified from the step it enters a
 * notified state (firing, no data, error: effect {@code FIRE}) to the step it leaves them (effect
 * {@code RESOLVE}). If it fires again less than the rule's {@code flap_window} after its last notified
 * resolution it is <em>flapping</em>; a flapping alert that stops is not notified resolved: its
 * resolution is <em>held</em> (effect {@code HELD}) until it has stayed out of breach for the whole
 * flap window (the first step at or after {@code resolveHeldUntil}); firing again meanwhile continues
 * the same episode without a new {@code FIRE}. A pending breach during the hold restarts the window
 * when it clears. Releasing the hold clears {@code flapping}. Default window: 10 minutes (0 disables).
 *
 * <p><b>Errors.</b> A failed evaluation is recorded on the state ({@code lastError}) and handled as
 * the rule's {@link ErrorState} says; a result with two series that give the same alert labels is a
 * failed evaluation ("vector contains metrics with the same labelset after applying alert labels",
 * as Prometheus).
 *
 * <p><b>Retention.</b> A resolved instance is kept {@value #RESOLVED_RETENTION_MS} ms (15 minutes, as
 * Prometheus), and at least a flap window after its last notified resolution (for flap detection),
 * then dropped, or made {@link AlertState#INACTIVE} when its series is known to exist (tracked for
 * no-data detection). Retention is silent: it produces no transition.
 *
 * <p><b>Acknowledgement</b> ({@link #ack}) is recorded on a pending or notified instance and cleared
 * when its resolution is notified (or its breach ends before firing).
 *
 * <p>Usage:
 * <pre>{@code
 * AlertLifecycle lifecycle = new AlertLifecycle(rule);
 * RuleState state = RuleState.initial(rule.name());
 * StepResult r = lifecycle.step(state, RuleEvaluation.of(rule.expr().evaluate(source, nowMs)), nowMs);
 * state = r.state();                       // store it
 * r.transitions().forEach(timeline::add);  // FIRE / RESOLVE effects go to the dispatcher
 * }</pre>
 */
public final class AlertLifecycle {
    /** How long a resolved instance stays visible: 15 minutes, as Prometheus's resolved retention. */
    public static final long RESOLVED_RETENTION_MS = 900_000L;

    private final AlertRule rule;

    public AlertLifecycle(AlertRule rule) {
        if (rule == null) {
            throw new IllegalArgumentException("rule must not be null");
        }
        this.rule = rule;
    }

    public AlertRule rule() {
        return rule;
    }

    /** {@link #step(RuleState, RuleEvaluation, long)} of a successful evaluation returning {@code result}. */
    public StepResult step(RuleState prev, List<InstantSample> result, long nowMs) {
        return step(prev, RuleEvaluation.of(result), nowMs);
    }

    /** The input of one instance at one step. */
    private enum Kind {
        BREACH, CLEAR, NO_DATA, ERROR
    }

    /**
     * @param alertLabels the labels of the instance (to create it when new)
     * @param series      the result series' labels
     * @param seen        whether the series is known to exist at this step
     * @param note        an error message for {@link Kind#ERROR}, else null
     */
    private record Input(Kind kind, double value, SeriesLabels alertLabels, SeriesLabels series, boolean seen,
            String note) {
    }

    /**
     * The next state after an evaluation at {@code nowMs}.
     *
     * @param prev the state after the previous step ({@link RuleState#initial} at first)
     * @param eval the evaluation's outcome
     * @throws IllegalArgumentException when {@code prev} belongs to another rule, or {@code nowMs} is
     *                                  before its last evaluation
     */
    public StepResult step(RuleState prev, RuleEvaluation eval, long nowMs) {
        if (prev == null || eval == null) {
            throw new IllegalArgumentException("prev and eval must not be null");
        }
        if (!prev.rule().equals(rule.name())) {
            throw new IllegalArgumentException("prev is the state of rule '" + prev.rule() + "', not of '" + rule.name() + "'");
        }
        if (prev.lastEvaluationMs() != null && nowMs < prev.lastEvaluationMs()) {
            throw new IllegalArgumentException("nowMs " + nowMs + " is before the last evaluation at "
                    + prev.lastEvaluationMs());
        }
        Map<Long, Input> inputs = new LinkedHashMap<>();
        String error = eval.error();
        if (error == null) {
            error = successInputs(prev, eval, inputs);
        }
        if (error != null) {
            inputs.clear();
            errorInputs(prev, error, inputs);
        }
        List<AlertTransition> transitions = new ArrayList<>();
        Map<Long, AlertInstance> next = new TreeMap<>(Long::compareUnsigned);
        next.putAll(prev.instances());
        for (Map.Entry<Long, Input> e : inputs.entrySet()) {
            next.put(e.getKey(), apply(prev.instances().get(e.getKey()), e.getValue(), nowMs, transitions));
        }
        List<AlertInstance> kept = new ArrayList<>();
        for (AlertInstance a : next.values()) {
            // a failed evaluation says nothing about which series exist: keep everything
            AlertInstance r = error != null ? a : retain(a, nowMs);
            if (r != null) {
                kept.add(r);
            }
        }
        transitions.sort((x, y) -> Long.compareUnsigned(x.fingerprint(), y.fingerprint()));
        RuleState state = new RuleState(rule.name(), null, nowMs, error, error == null ? prev.lastErrorMs() : Long.valueOf(nowMs))
                .withInstances(kept);
        return new StepResult(state, transitions, error);
    }

    /** Fills the inputs of a successful evaluation; returns an error when its result is unusable. */
    private String successInputs(RuleState prev, RuleEvaluation eval, Map<Long, Input> inputs) {
        boolean everySeries = rule.reportsEverySeries();
        for (InstantSample s : eval.samples()) {
            double v = s.value();
            Kind kind = !everySeries ? Kind.BREACH : Double.isNaN(v) ? Kind.NO_DATA : v != 0 ? Kind.BREACH : Kind.CLEAR;
            SeriesLabels alertLabels = rule.alertLabels(s.labels(), v);
            long fp = AlertFingerprint.of(alertLabels);
            if (inputs.containsKey(fp)) {
                return "vector contains metrics with the same labelset after applying alert labels: " + alertLabels;
            }
            inputs.put(fp, new Input(kind, v, alertLabels, s.labels(), kind != Kind.NO_DATA, null));
        }
        if (eval.present() != null) {
            Map<SeriesLabels, Boolean> known = new LinkedHashMap<>();
            for (AlertInstance a : prev.instances().values()) {
                SeriesLabels key = a.seriesLabels().withoutMetricName();
                known.put(key, Boolean.TRUE);
                if (!inputs.containsKey(a.fingerprint()) && eval.present().contains(key)) {
                    inputs.put(a.fingerprint(), new Input(Kind.CLEAR, a.value(), a.labels(), a.seriesLabels(), true, null));
                }
            }
            // a series that exists but never breached is tracked, so that its disappearance is "no data"
            for (SeriesLabels series : eval.present()) {
                if (known.containsKey(series)) {
                    continue;
                }
                SeriesLabels alertLabels = rule.alertLabels(series, Double.NaN);
                long fp = AlertFingerprint.of(alertLabels);
                if (!inputs.containsKey(fp)) {
                    inputs.put(fp, new Input(Kind.CLEAR, Double.NaN, alertLabels, series, true, null));
                }
            }
        }
        boolean presenceKnown = everySeries || eval.present() != null;
        long errorFp = AlertFingerprint.of(rule.errorLabels());
        for (AlertInstance a : prev.instances().values()) {
            if (inputs.containsKey(a.fingerprint())) {
                continue;
            }
            boolean errorInstance = a.fingerprint() == errorFp && a.seriesLabels().isEmpty();
            Kind kind = presenceKnown && !errorInstance ? Kind.NO_DATA : Kind.CLEAR;
            inputs.put(a.fingerprint(), new Input(kind, Double.NaN, a.labels(), a.seriesLabels(), false, null));
        }
        return null;
    }

    /** Fills the inputs of a failed evaluation, as {@link AlertRule#errorState()} says. */
    private void errorInputs(RuleState prev, String error, Map<Long, Input> inputs) {
        SeriesLabels errorLabels = rule.errorLabels();
        long errorFp = AlertFingerprint.of(errorLabels);
        switch (rule.errorState()) {
            case ERROR:
                inputs.put(errorFp, new Input(Kind.ERROR, Double.NaN, errorLabels, SeriesLabels.EMPTY, false, error));
                break;
            case ALERTING:
                inputs.put(errorFp, new Input(Kind.BREACH, Double.NaN, errorLabels, SeriesLabels.EMPTY, false, error));
                break;
            case OK:
                for (AlertInstance a : prev.instances().values()) {
                    inputs.put(a.fingerprint(), new Input(Kind.CLEAR, a.value(), a.labels(), a.seriesLabels(), false, error));
                }
                break;
            default:
                break;
        }
    }

    /** One instance's step: the rule's view first, then the receivers' view (flap damping). */
    private AlertInstance apply(AlertInstance before, Input in, long now, List<AlertTransition> out) {
        AlertState from = before == null ? AlertState.INACTIVE : before.state();
        boolean wasNotifying = before != null && before.notifying();
        AlertInstance.Builder b = before == null
                ? AlertInstance.builder(in.alertLabels, in.series, AlertState.INACTIVE, now)
                : before.toBuilder();
        Kind kind = in.kind;
        double value = in.value;
        if (kind == Kind.NO_DATA) {
            if (rule.noDataState() == NoDataState.OK) {
                kind = Kind.CLEAR;
            } else if (rule.noDataState() == NoDataState.ALERTING) {
                kind = Kind.BREACH;
                value = Double.NaN;
            }
        }
        if (in.seen) {
            b.lastSeenMs(now);
        }
        String note = "";
        switch (kind) {
            case BREACH:
                // the same series and value render the same annotations: no template run per firing alert per pass
                boolean unchanged = before != null && Double.compare(before.value(), value) == 0
                        && before.seriesLabels().equals(in.series);
                b.value(value).seriesLabels(in.series)
                        .annotations(unchanged ? before.annotations() : rule.expandAnnotations(in.series, value));
                if (from == AlertState.PENDING) {
                    if (now - b.activeAtMs() >= rule.forMs()) {
                        b.state(AlertState.FIRING, now).firedAtMs(now);
                        note = "breach held for " + Durations.format(rule.forMs());
                    }
                } else if (from == AlertState.FIRING) {
                    b.keepFiringSinceMs(null);
                } else {
                    b.activeAtMs(now).keepFiringSinceMs(null);
                    if (rule.forMs() == 0) {
                        b.state(AlertState.FIRING, now).firedAtMs(now);
                        note = "breach";
                    } else {
                        b.state(AlertState.PENDING, now);
                        note = "breach; waiting " + Durations.format(rule.forMs());
                    }
                }
                if (in.note != null) {
                    note = note + " (evaluation failed: " + in.note + ")";
                }
                break;
            case CLEAR:
                if (from == AlertState.PENDING) {
                    b.state(AlertState.INACTIVE, now).activeAtMs(null);
                    note = "cleared before " + Durations.format(rule.forMs());
                } else if (from == AlertState.FIRING) {
                    Long since = b.keepFiringSinceMs();
                    if (since == null) {
                        since = now;
                        b.keepFiringSinceMs(now);
                    }
                    if (now - since >= rule.keepFiringForMs()) {
                        b.state(AlertState.RESOLVED, now).resolvedAtMs(now).keepFiringSinceMs(null).activeAtMs(null);
                        note = rule.keepFiringForMs() > 0 ? "cleared for " + Durations.format(rule.keepFiringForMs()) : "cleared";
                    }
                } else if (from == AlertState.NO_DATA || from == AlertState.ERROR) {
                    b.state(AlertState.RESOLVED, now).resolvedAtMs(now).activeAtMs(null);
                    note = from == AlertState.NO_DATA ? "data again, no breach" : "evaluation succeeded";
                }
                if (in.note != null) {
                    note = note + " (evaluation failed: " + in.note + ")";
                }
                break;
            case NO_DATA:
                b.value(Double.NaN).annotations(rule.expandAnnotations(in.series, Double.NaN));
                if (from != AlertState.NO_DATA) {
                    b.state(AlertState.NO_DATA, now).activeAtMs(now).keepFiringSinceMs(null);
                    note = "no data";
                }
                break;
            default:
                b.value(Double.NaN).annotations(rule.expandAnnotations(SeriesLabels.EMPTY, Double.NaN));
                if (from != AlertState.ERROR) {
                    b.state(AlertState.ERROR, now).activeAtMs(now);
                }
                note = "evaluation failed: " + in.note;
                break;
        }
        AlertState to = b.state();
        AlertTransition.Effect effect = AlertTransition.Effect.NONE;
        long window = rule.flapWindowMs();
        if (AlertInstance.isNotifiedState(to)) {
            if (!wasNotifying) {
                Long lastResolve = b.lastResolveNotifiedMs();
                boolean flapping = window > 0 && lastResolve != null && now - lastResolve < window;
                b.flapping(flapping).episodeStartMs(now).resolveHeldUntilMs(null);
                effect = AlertTransition.Effect.FIRE;
                if (flapping) {
                    note = note + "; flapping: fired again " + Durations.format(now - lastResolve) + " after resolving";
                }
            } else if (b.resolveHeldUntilMs() != null) {
                b.resolveHeldUntilMs(null);
                note = note + "; fired again while its resolution was held";
            }
        } else if (wasNotifying) {
            Long held = b.resolveHeldUntilMs();
            if (held == null) {
                if (b.flapping() && window > 0) {
                    b.resolveHeldUntilMs(now + window);
                    effect = AlertTransition.Effect.HELD;
                    note = note + "; flapping: resolution held until it stays clear for " + Durations.format(window);
                } else {
                    resolveNotified(b, now);
                    effect = AlertTransition.Effect.RESOLVE;
                }
            } else if (from == AlertState.PENDING && to != AlertState.PENDING) {
                b.resolveHeldUntilMs(now + window);
                note = note + "; resolution held again for " + Durations.format(window);
            } else if (to != AlertState.PENDING && now >= held) {
                resolveNotified(b, now);
                effect = AlertTransition.Effect.RESOLVE;
                note = "stayed clear for " + Durations.format(window) + ": resolution released";
            }
        } else if (to == AlertState.INACTIVE || to == AlertState.RESOLVED) {
            b.acknowledgement(null);
        }
        AlertInstance after = b.build();
        if (from != to || effect != AlertTransition.Effect.NONE) {
            out.add(new AlertTransition(after.fingerprint(), after.labels(), from, to, now, after.value(), effect,
                    after.flapping(), note.startsWith("; ") ? note.substring(2) : note));
        }
        return after;
    }

    private static void resolveNotified(AlertInstance.Builder b, long now) {
        b.resolveHeldUntilMs(null).flapping(false).episodeStartMs(null).lastResolveNotifiedMs(now).acknowledgement(null);
    }

    /** Retention after a successful step (see the class comment); null drops the instance. */
    private AlertInstance retain(AlertInstance a, long now) {
        if (a.notifying() || a.state() == AlertState.PENDING || AlertInstance.isNotifiedState(a.state())) {
            return a;
        }
        boolean flapMemory = rule.flapWindowMs() > 0 && a.lastResolveNotifiedMs() != null
                && now - a.lastResolveNotifiedMs() < rule.flapWindowMs();
        boolean tracked = a.lastSeenMs() != null && a.lastSeenMs() == now;
        if (a.state() == AlertState.RESOLVED) {
            if (a.resolvedAtMs() != null && now - a.resolvedAtMs() < RESOLVED_RETENTION_MS) {
                return a;
            }
            return tracked || flapMemory ? a.toBuilder().state(AlertState.INACTIVE, now).build() : null;
        }
        return tracked || flapMemory ? a : null;
    }

    /**
     * Records an acknowledgement on the pending or notified instance with API id {@code alertId}.
     *
     * @return the new state, with one transition (effect {@code NONE}) noting who acknowledged
     * @throws IllegalArgumentException when no such instance exists or it is neither pending nor
     *                                  notified (nothing to acknowledge), or {@code by} is blank
     */
    public StepResult ack(RuleState prev, String alertId, String by, String comment, long nowMs) {
        AlertInstance a = prev.instance(alertId);
        if (a == null) {
            throw new IllegalArgumentException("no alert with id " + alertId + " in rule " + rule.name());
        }
        if (!a.notifying() && a.state() != AlertState.PENDING) {
            throw new IllegalArgumentException("alert " + alertId + " is " + a.state().wireName()
                    + ": there is nothing to acknowledge");
        }
        Acknowledgement ack = new Acknowledgement(by, comment, nowMs);
        AlertInstance acked = a.toBuilder().acknowledgement(ack).build();
        List<AlertInstance> list = new ArrayList<>(prev.instances().values());
        list.replaceAll(x -> x.fingerprint() == acked.fingerprint() ? acked : x);
        AlertTransition t = new AlertTransition(a.fingerprint(), a.labels(), a.state(), a.state(), nowMs, a.value(),
                AlertTransition.Effect.NONE, a.flapping(), "acknowledged by " + by
                        + (ack.comment().isEmpty() ? "" : ": " + ack.comment()));
        return new StepResult(prev.withInstances(list), List.of(t), null);
    }
}
