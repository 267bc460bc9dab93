package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import dev.modelwatch.server.alert.silence.Silence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The changes people make between evaluations — acknowledging an alert, adding or expiring a silence —
 * each checked and returned as the new state, for {@link AlertRuntime} to store and publish under its
 * lock.
 */
final class AlertChanges {
    private AlertChanges() {
    }

    /**
     * An acknowledgement's outcome.
     *
     * @param states the rules' states with the alert acknowledged
     * @param step   the acknowledged rule's step (its transitions and new state)
     */
    record Acknowledged(Map<String, RuleState> states, StepResult step) {
    }

    /**
     * {@code states} with alert {@code id} acknowledged by {@code by} at {@code nowMs} (escalation
     * stops); null when no alert has this id.
     */
    static Acknowledged acknowledge(Map<String, RuleState> states, Map<String, AlertLifecycle> lifecycles,
                                              String id, String by, String comment, long nowMs) {
        for (Map.Entry<String, RuleState> r : states.entrySet()) {
            if (r.getValue().instance(id) != null) {
                StepResult step = lifecycles.get(r.getKey()).ack(r.getValue(), id, by, comment, nowMs);
                Map<String, RuleState> next = new LinkedHashMap<>(states);
                next.put(r.getKey(), step.state());
                return new Acknowledged(next, step);
            }
        }
        return null;
    }

    /**
     * {@code silences} with a new silence.
     *
     * @return the new list, whose last entry is the silence added
     * @throws IllegalArgumentException with every problem that rejects it, joined by "; "
     */
    static List<Silence> add(List<Silence> silences, List<LabelMatcher> matchers, long startsAtMs, long endsAtMs,
                             String createdBy, String comment) {
        String id = UUID.randomUUID().toString();
        List<String> problems = Silence.problems(id, matchers, startsAtMs, endsAtMs, createdBy);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        List<Silence> next = new ArrayList<>(silences);
        next.add(new Silence(id, matchers, startsAtMs, endsAtMs, createdBy, comment));
        return next;
    }

    /**
     * {@code silences} with silence {@code id} expired at {@code nowMs} (it stays listed, as expired);
     * null when there is no silence with this id. One already expired is left as it is.
     */
    static List<Silence> expire(List<Silence> silences, String id, long nowMs) {
        List<Silence> next = new ArrayList<>();
        boolean found = false;
        for (Silence s : silences) {
            if (s.id().equals(id) && s.endsAtMs() > nowMs) {
                found = true;
                // it ends now; one that starts now (or later) is taken to have started a millisecond
                // before, so that it stays a valid silence, listed as expired
                next.add(new Silence(s.id(), s.matchers(), Math.min(s.startsAtMs(), nowMs - 1), nowMs, s.createdBy(),
                        s.comment()));
            } else {
                found |= s.id().equals(id);
                next.add(s);
            }
        }
        return found ? next : null;
    }
}
