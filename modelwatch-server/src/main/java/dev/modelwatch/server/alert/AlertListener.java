package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import java.util.List;

/**
 * Who is told of the alerts' changes as the {@link AlertRuntime} makes them: each evaluation's state
 * changes and each acknowledgement, after they are stored and before their notifications are
 * delivered. Called on the evaluation thread (or the acknowledging request's) while the runtime holds
 * its lock, so it must be quick: hand slow work to an executor.
 */
public interface AlertListener {
    AlertListener NONE = new AlertListener() {
    };

    /**
     * The changes of one evaluation at {@code nowMs}, in rule order: those whose state changed
     * ({@link AlertTransition#from()} differs from {@link AlertTransition#to()}) and those that tell
     * receivers something ({@link AlertTransition#effect()} not {@code NONE}: a held resolution released).
     */
    default void onTransitions(List<AlertTransition> transitions, long nowMs) {
    }

    /**
     * The alerts notified as firing when the runtime starts, before its first evaluation: a listener
     * that missed changes (it stored less than the runtime did before a crash) catches up here.
     */
    default void onRestored(List<AlertInstance> notifying, long nowMs) {
    }

    /** Someone acknowledged an alert ({@code t} carries its labels and state). */
    default void onAcknowledged(AlertTransition t, Acknowledgement acknowledgement) {
    }
}
