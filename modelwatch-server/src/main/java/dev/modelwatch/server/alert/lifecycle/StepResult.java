package dev.modelwatch.server.alert.lifecycle;

import java.util.List;

/**
 * What one {@link AlertLifecycle} step produced: the rule's new state and the transitions (in
 * fingerprint order), plus the evaluation error when the evaluation failed.
 *
 * @param state       the state to keep (and store) for the next step
 * @param transitions what changed, in fingerprint order
 * @param error       the evaluation error of this step, or null
 */
public record StepResult(RuleState state, List<AlertTransition> transitions, String error) {
    public StepResult {
        if (state == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        transitions = transitions == null ? List.of() : List.copyOf(transitions);
    }
}
