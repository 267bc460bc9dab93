package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An alert as the dispatcher sees it (Alertmanager's {@code types.Alert}): labels, annotations, when
 * its current episode started, whether (and when) it resolved, and whether someone acknowledged it.
 * Immutable; identified by {@link #fingerprint()} ({@link AlertFingerprint} of the labels).
 *
 * <p>Made from the lifecycle's instance by {@link #of(AlertInstance, long)}. Stored as
 * {@link StoredAlert}.
 *
 * @param fingerprint    {@link AlertFingerprint#of} the labels
 * @param labels         the alert labels
 * @param annotations    the expanded annotations
 * @param startsAtMs     when the current episode started (receivers were first told it fires)
 * @param resolvedAtMs   when it resolved, null while it fires
 * @param acknowledgedBy who acknowledged the current episode, null when nobody
 */
public record Alert(long fingerprint, SeriesLabels labels, Map<String, String> annotations, long startsAtMs,
        Long resolvedAtMs, String acknowledgedBy) {
    public Alert {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        if (fingerprint != AlertFingerprint.of(labels)) {
            throw new IllegalArgumentException("fingerprint " + AlertFingerprint.format(fingerprint)
                    + " is not the fingerprint of labels " + labels);
        }
        if (resolvedAtMs != null && resolvedAtMs < startsAtMs) {
            throw new IllegalArgumentException("resolvedAtMs " + resolvedAtMs + " must not be before startsAtMs " + startsAtMs);
        }
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** A firing alert. */
    public static Alert firing(SeriesLabels labels, Map<String, String> annotations, long startsAtMs) {
        return new Alert(AlertFingerprint.of(labels), labels, annotations, startsAtMs, null, null);
    }

    /**
     * The dispatcher's view of a lifecycle instance at {@code nowMs}: firing from its episode start
     * while it is notified ({@link AlertInstance#notifying()}), else resolved at its last notified
     * resolution (or {@code nowMs}).
     */
    public static Alert of(AlertInstance a, long nowMs) {
        String ackBy = a.acknowledgement() == null ? null : a.acknowledgement().by();
        if (a.notifying()) {
            long start = a.episodeStartMs() != null ? a.episodeStartMs() : nowMs;
            return new Alert(a.fingerprint(), a.labels(), a.annotations(), start, null, ackBy);
        }
        long resolved = a.lastResolveNotifiedMs() != null ? a.lastResolveNotifiedMs() : nowMs;
        long start = a.firedAtMs() != null && a.firedAtMs() <= resolved ? a.firedAtMs() : resolved;
        return new Alert(a.fingerprint(), a.labels(), a.annotations(), start, resolved, ackBy);
    }

    /**
     * What one lifecycle step hands the dispatcher: every instance receivers consider firing, as a
     * firing alert, and every instance whose resolution the step notified, as a resolved alert (in
     * fingerprint order). Sending the firing ones at every step keeps annotations and
     * acknowledgements current in the groups.
     */
    public static List<Alert> ofStep(StepResult step, long nowMs) {
        List<Alert> out = new ArrayList<>();
        for (AlertInstance a : step.state().instances().values()) {
            if (a.notifying()) {
                out.add(of(a, nowMs));
            }
        }
        for (AlertTransition t : step.transitions()) {
            AlertInstance a = step.state().instances().get(t.fingerprint());
            if (t.effect() == AlertTransition.Effect.RESOLVE && a != null) {
                out.add(of(a, nowMs));
            }
        }
        return out;
    }

    /** Whether it is resolved at {@code nowMs}. */
    public boolean resolvedAt(long nowMs) {
        return resolvedAtMs != null && resolvedAtMs <= nowMs;
    }

    public boolean acknowledged() {
        return acknowledgedBy != null;
    }

    /** This alert resolved at {@code atMs}. */
    public Alert resolve(long atMs) {
        return new Alert(fingerprint, labels, annotations, startsAtMs, atMs, acknowledgedBy);
    }

    /** This alert acknowledged by {@code by} (null: not acknowledged). */
    public Alert acknowledgedBy(String by) {
        return new Alert(fingerprint, labels, annotations, startsAtMs, resolvedAtMs, by);
    }

    public String id() {
        return AlertFingerprint.format(fingerprint);
    }

    @Override
    public String toString() {
        return labels + (resolvedAtMs == null ? " firing since " : " resolved at " + resolvedAtMs + ", since ") + startsAtMs;
    }
}
