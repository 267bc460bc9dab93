package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.SeriesLabels;

/**
 * One change of one alert instance during a step: its state before and after, and what it means to
 * receivers ({@link Effect}). The list a step returns is the alert's history (the API's timeline) and
 * tells a notifier which alerts started and ended.
 *
 * <p>Per alert, the non-{@link Effect#NONE} effects alternate {@code FIRE, RESOLVE, FIRE, ...}, with
 * {@link Effect#HELD} only between a {@code FIRE} and its {@code RESOLVE}: receivers are never told
 * twice that an alert fires without being told in between that it resolved.
 *
 * @param fingerprint the instance
 * @param labels      its alert labels
 * @param from        the state before the step ({@link AlertState#INACTIVE} for a new instance)
 * @param to          the state after
 * @param atMs        the step's time
 * @param value       the value at the step (NaN when none)
 * @param effect      what receivers are told
 * @param flapping    whether the instance is flapping after the step
 * @param note        why, in words (for the timeline), never null
 */
public record AlertTransition(long fingerprint, SeriesLabels labels, AlertState from, AlertState to, long atMs,
        double value, Effect effect, boolean flapping, String note) {
    /** What a transition means to receivers. */
    public enum Effect {
        /** Nothing to notify (pending, pending cancelled, acknowledged, a change inside an episode). */
        NONE,
        /** Receivers are told the alert fires: a new episode starts. */
        FIRE,
        /** The alert stopped, but it is flapping: its resolution is held for the flap window. */
        HELD,
        /** Receivers are told the alert resolved: the episode ends. */
        RESOLVE
    }

    public AlertTransition {
        if (labels == null || from == null || to == null || effect == null) {
            throw new IllegalArgumentException("labels, from, to and effect must not be null");
        }
        note = note == null ? "" : note;
    }

    /** The API id of the instance. */
    public String id() {
        return AlertFingerprint.format(fingerprint);
    }
}
