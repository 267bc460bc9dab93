package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.SeriesLabels;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of one alert instance (one rule, one result series) at the end of an evaluation step.
 * Immutable; {@link AlertLifecycle} makes new ones.
 *
 * <p><b>Two views.</b> {@link #state()} is the rule's view (pending, firing, resolved, ...).
 * {@link #notifying()} is the receivers' view: true from the step that notified it firing until the
 * step that notified it resolved. The two differ while a flapping alert's resolution is held
 * ({@link #resolveHeldUntilMs()} set): it is {@link AlertState#RESOLVED} (or pending again) but still
 * notified as firing, so that receivers see one episode instead of a resolve/fire pair per flap.
 *
 * <p><b>Storage.</b> {@link StoredRuleState.Instance}.
 *
 * @param fingerprint           {@link AlertFingerprint} of {@link #labels()}
 * @param labels                the alert labels (series labels less {@code __name__}, rule labels, {@code alertname})
 * @param seriesLabels          the result series' labels as evaluated (for templates and presence)
 * @param annotations           the expanded annotations of the last breach (or no-data) step
 * @param state                 the rule's view
 * @param value                 the last value seen (NaN when none: no data, evaluation error)
 * @param stateSinceMs          when {@link #state()} was entered
 * @param activeAtMs            when the current breach began (pending or firing), null when none
 * @param firedAtMs             when it last became {@link AlertState#FIRING}, null if never
 * @param resolvedAtMs          when it last became {@link AlertState#RESOLVED}, null if never
 * @param keepFiringSinceMs     first clear evaluation while firing ({@code keep_firing_for} runs from it)
 * @param episodeStartMs        when receivers were told it fires (the current episode), null when not notifying
 * @param lastResolveNotifiedMs when receivers were last told it resolved, null if never
 * @param flapping              fired again within the flap window of its last notified resolution
 * @param resolveHeldUntilMs    a held resolution is notified at the first step at or after this time
 * @param acknowledgement       who acknowledged the current episode, null when nobody
 * @param lastSeenMs            last step at which its series was known to exist, null if never
 */
public record AlertInstance(long fingerprint, SeriesLabels labels, SeriesLabels seriesLabels,
        Map<String, String> annotations, AlertState state, double value, long stateSinceMs, Long activeAtMs,
        Long firedAtMs, Long resolvedAtMs, Long keepFiringSinceMs, Long episodeStartMs, Long lastResolveNotifiedMs,
        boolean flapping, Long resolveHeldUntilMs, Acknowledgement acknowledgement, Long lastSeenMs) {
    public AlertInstance {
        if (labels == null || seriesLabels == null) {
            throw new IllegalArgumentException("labels and seriesLabels must not be null");
        }
        if (fingerprint != AlertFingerprint.of(labels)) {
            throw new IllegalArgumentException("fingerprint " + AlertFingerprint.format(fingerprint)
                    + " is not the fingerprint of labels " + labels);
        }
        if (state == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** The API's alert id: the fingerprint as 16 hex digits. */
    public String id() {
        return AlertFingerprint.format(fingerprint);
    }

    /** The {@code severity} label, or null. */
    public String severity() {
        return labels.get("severity");
    }

    /** Whether receivers consider this alert firing (see the class comment). */
    public boolean notifying() {
        return isNotifiedState(state) || resolveHeldUntilMs != null;
    }

    /** The states that are notified: {@link AlertState#FIRING}, {@link AlertState#NO_DATA}, {@link AlertState#ERROR}. */
    public static boolean isNotifiedState(AlertState s) {
        return s == AlertState.FIRING || s == AlertState.NO_DATA || s == AlertState.ERROR;
    }

    /** A builder holding this instance's fields. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A new instance of {@code labels} (fingerprint computed), in {@code state} since {@code nowMs}. */
    public static Builder builder(SeriesLabels labels, SeriesLabels seriesLabels, AlertState state, long nowMs) {
        return new Builder(labels, seriesLabels, state, nowMs);
    }

    /** A mutable copy of an instance's fields. */
    public static final class Builder {
        private final SeriesLabels labels;
        private SeriesLabels seriesLabels;
        private Map<String, String> annotations = Map.of();
        private AlertState state;
        private double value = Double.NaN;
        private long stateSinceMs;
        private Long activeAtMs;
        private Long firedAtMs;
        private Long resolvedAtMs;
        private Long keepFiringSinceMs;
        private Long episodeStartMs;
        private Long lastResolveNotifiedMs;
        private boolean flapping;
        private Long resolveHeldUntilMs;
        private Acknowledgement acknowledgement;
        private Long lastSeenMs;

        private Builder(SeriesLabels labels, SeriesLabels seriesLabels, AlertState state, long nowMs) {
            this.labels = labels;
            this.seriesLabels = seriesLabels;
            this.state = state;
            this.stateSinceMs = nowMs;
        }

        private Builder(AlertInstance a) {
            labels = a.labels;
            seriesLabels = a.seriesLabels;
            annotations = a.annotations;
            state = a.state;
            value = a.value;
            stateSinceMs = a.stateSinceMs;
            activeAtMs = a.activeAtMs;
            firedAtMs = a.firedAtMs;
            resolvedAtMs = a.resolvedAtMs;
            keepFiringSinceMs = a.keepFiringSinceMs;
            episodeStartMs = a.episodeStartMs;
            lastResolveNotifiedMs = a.lastResolveNotifiedMs;
            flapping = a.flapping;
            resolveHeldUntilMs = a.resolveHeldUntilMs;
            acknowledgement = a.acknowledgement;
            lastSeenMs = a.lastSeenMs;
        }

        public AlertState state() {
            return state;
        }

        /** Sets the state; {@code stateSinceMs} becomes {@code nowMs} when it changes. */
        public Builder state(AlertState s, long nowMs) {
            if (s != state) {
                state = s;
                stateSinceMs = nowMs;
            }
            return this;
        }

        public Builder seriesLabels(SeriesLabels l) {
            seriesLabels = l;
            return this;
        }

        public Builder annotations(Map<String, String> a) {
            annotations = a;
            return this;
        }

        public Builder value(double v) {
            value = v;
            return this;
        }

        public Builder activeAtMs(Long t) {
            activeAtMs = t;
            return this;
        }

        public Long activeAtMs() {
            return activeAtMs;
        }

        public Builder firedAtMs(Long t) {
            firedAtMs = t;
            return this;
        }

        public Builder resolvedAtMs(Long t) {
            resolvedAtMs = t;
            return this;
        }

        public Long resolvedAtMs() {
            return resolvedAtMs;
        }

        public Builder keepFiringSinceMs(Long t) {
            keepFiringSinceMs = t;
            return this;
        }

        public Long keepFiringSinceMs() {
            return keepFiringSinceMs;
        }

        public Builder episodeStartMs(Long t) {
            episodeStartMs = t;
            return this;
        }

        public Builder lastResolveNotifiedMs(Long t) {
            lastResolveNotifiedMs = t;
            return this;
        }

        public Long lastResolveNotifiedMs() {
            return lastResolveNotifiedMs;
        }

        public Builder flapping(boolean f) {
            flapping = f;
            return this;
        }

        public boolean flapping() {
            return flapping;
        }

        public Builder resolveHeldUntilMs(Long t) {
            resolveHeldUntilMs = t;
            return this;
        }

        public Long resolveHeldUntilMs() {
            return resolveHeldUntilMs;
        }

        public Builder acknowledgement(Acknowledgement a) {
            acknowledgement = a;
            return this;
        }

        public Builder lastSeenMs(Long t) {
            lastSeenMs = t;
            return this;
        }

        public Long lastSeenMs() {
            return lastSeenMs;
        }

        public AlertInstance build() {
            return new AlertInstance(AlertFingerprint.of(labels), labels, seriesLabels, annotations, state, value,
                    stateSinceMs, activeAtMs, firedAtMs, resolvedAtMs, keepFiringSinceMs, episodeStartMs,
                    lastResolveNotifiedMs, flapping, resolveHeldUntilMs, acknowledgement, lastSeenMs);
        }
    }
}
