package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.server.alert.delivery.OutboxPayload;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.Muter;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.StoredDispatcher;
import dev.modelwatch.server.alert.inhibit.Inhibitor;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.lifecycle.RuleEvaluation;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.Silencer;
import dev.modelwatch.store.AlertHistoryEntry;
import dev.modelwatch.store.OutboxEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One evaluation of every rule at a given time: steps each rule's lifecycle, mutes by silences and
 * inhibition, lets the dispatcher group and flush, and says what the pass changed — the next state,
 * the documents to store, the outbox rows and the history rows — without storing anything itself.
 */
final class EvaluationPass {
    private final AlertingConfig config;
    private final Map<String, AlertLifecycle> lifecycles;
    private final IncrementalRuleEvaluator ruleEvaluator;
    private final Clock clock;
    private final ProvisionalAlerts provisional;

    /**
     * What a pass decided.
     *
     * @param next      the pipeline's state after the pass
     * @param documents the stored documents that changed ({@link AlertStateCodec}'s names), only those
     * @param outbox    the notifications to queue, one row per receiver integration
     * @param history   the alerts' state changes
     * @param changes   the changes as the lifecycle made them, and the effects to receivers without a change of
     *                  state (a held resolution released), for the {@link AlertListener}
     */
    record Outcome(PipelineState next, Map<String, byte[]> documents, List<OutboxEntry> outbox,
                   List<AlertHistoryEntry> history, List<AlertTransition> changes) {
        /** Whether the pass has anything to store (an evaluation that changed nothing but its own time writes nothing). */
        boolean writes() {
            return !documents.isEmpty() || !outbox.isEmpty() || !history.isEmpty();
        }
    }

    EvaluationPass(AlertingConfig config, Map<String, AlertLifecycle> lifecycles, IncrementalRuleEvaluator ruleEvaluator,
                   Clock clock) {
        this.config = config;
        this.lifecycles = lifecycles;
        this.ruleEvaluator = ruleEvaluator;
        this.clock = clock;
        this.provisional = new ProvisionalAlerts(config.labels(), ruleEvaluator.source(), ruleEvaluator.lookbackDeltaMs());
    }

    /** Evaluates every rule of {@code state} at {@code nowMs}. */
    Outcome run(PipelineState state, long nowMs) {
        Map<String, RuleState> next = new LinkedHashMap<>();
        List<Alert> alerts = new ArrayList<>();
        List<AlertHistoryEntry> history = new ArrayList<>();
        List<AlertTransition> changes = new ArrayList<>();
        IncrementalRuleEvaluator.Pass pass = ruleEvaluator.pass(nowMs, clock.millis());
        for (AlertRule r : config.rules()) {
            RuleEvaluation eval;
            try {
                List<InstantSample> samples = pass.evaluate(r);
                eval = RuleEvaluation.of(samples);
            } catch (RuntimeException e) {
                eval = RuleEvaluation.failed(e);
            }
            RuleState before = state.rules().get(r.name());
            StepResult step = provisional.review(r, before, lifecycles.get(r.name()).step(before, eval, nowMs), nowMs);
            next.put(r.name(), step.state());
            alerts.addAll(Alert.ofStep(step, nowMs));
            for (AlertTransition t : step.transitions()) {
                if (t.from() != t.to() || t.effect() != AlertTransition.Effect.NONE) {
                    // a held resolution released is a change to receivers, not to the state
                    changes.add(t);
                }
                if (t.from() != t.to()) {
                    history.add(new AlertHistoryEntry(AlertFingerprint.format(t.fingerprint()), r.name(),
                            AlertStateCodec.labels(t.labels()), t.from().name().toLowerCase(Locale.ROOT),
                            t.to().name().toLowerCase(Locale.ROOT), t.value(), t.atMs()));
                }
            }
        }
        Silencer silencer = Silencer.of(active(state.silences(), nowMs), state.silenceCounts());
        Map<String, Muter> muters = new LinkedHashMap<>();
        muters.put("silenced", silencer);
        muters.put("inhibited", Inhibitor.of(config.inhibitRules(), alerts));
        Dispatcher routed = state.dispatcher().ingest(alerts, muters, nowMs);
        Dispatcher.Tick tick = routed.tick(nowMs, this::sendsResolved);
        List<OutboxEntry> outbox = new ArrayList<>();
        for (Notification n : tick.notifications()) {
            // queued for every integration, also when it has nothing to show (resolved, send_resolved off):
            // its delivery queue then drops the group's older firing notifications instead of sending them late
            List<dev.modelwatch.server.alert.notify.Notifier> integrations = config.receivers().getOrDefault(n.receiver(), List.of());
            String ids = n.alerts().stream().map(Alert::id).collect(Collectors.joining(","));
            for (int i = 0; i < integrations.size(); i++) {
                outbox.add(OutboxEntry.pending(n.receiver(), n.groupKey().toString(), ids,
                        new OutboxPayload(i, n).encode(), nowMs));
            }
        }
        // store what changed: alerts, groups or silence counts (so that idle rules cost the database no commits)
        Map<String, byte[]> docs = new LinkedHashMap<>();
        if (!sameInstances(state.rules(), next)) {
            docs.put(AlertStateCodec.RULES, AlertStateCodec.rules(next));
        }
        StoredDispatcher groups = StoredDispatcher.of(tick.dispatcher());
        if (!groups.equals(state.savedDispatcher())) {
            docs.put(AlertStateCodec.DISPATCHER, AlertStateCodec.dispatcher(groups));
        }
        if (!silencer.counts().equals(state.silenceCounts())) {
            docs.put(AlertStateCodec.SILENCES, AlertStateCodec.silences(state.silences(), silencer.counts()));
        }
        PipelineState after = new PipelineState(next, tick.dispatcher(), groups, state.silences(), silencer.counts());
        return new Outcome(after, docs, outbox, history, changes);
    }

    /** The silences not yet ended at {@code nowMs}. */
    static List<Silence> active(List<Silence> silences, long nowMs) {
        return silences.stream().filter(s -> s.endsAtMs() > nowMs).toList();
    }

    private boolean sendsResolved(String receiver) {
        return config.receivers().getOrDefault(receiver, List.of()).stream()
                .anyMatch(dev.modelwatch.server.alert.notify.Notifier::sendResolved);
    }

    private static boolean sameInstances(Map<String, RuleState> a, Map<String, RuleState> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, RuleState> e : a.entrySet()) {
            RuleState other = b.get(e.getKey());
            if (!sameIgnoringLastSeen(e.getValue().instances(), other.instances())
                    || !Objects.equals(e.getValue().lastError(), other.lastError())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether two rules' instances differ in no more than when each series was last seen: that only
     * matters within the step that sets it, so a pass that changed nothing else stores nothing (with
     * thousands of firing alerts, rewriting them all each pass was most of an idle pass's cost).
     */
    private static boolean sameIgnoringLastSeen(Map<Long, AlertInstance> a, Map<Long, AlertInstance> b) {
        if (a.equals(b)) {
            return true;
        }
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<Long, AlertInstance> e : a.entrySet()) {
            AlertInstance x = e.getValue();
            AlertInstance y = b.get(e.getKey());
            if (!x.equals(y) && !x.toBuilder().lastSeenMs(null).build().equals(y.toBuilder().lastSeenMs(null).build())) {
                return false;
            }
        }
        return true;
    }
}
