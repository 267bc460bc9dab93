package dev.modelwatch.server.alert.notify;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.GroupKey;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A made-up notification that exercises a receiver end to end, for {@code modelwatch alert test
 * --receiver NAME}: by default one firing alert {@code {alertname="ModelWatchTest", model="test",
 * severity="info"}} with a summary saying it is a test, grouped by {@code alertname} on the route
 * {@value #ROUTE_ID}, shown with its resolution ({@code sendResolved} true).
 *
 * <p>Usage:
 * <pre>{@code
 * Notification n = TestNotification.builder("oncall", clock.millis()).alerts(2).acknowledgedBy("alice").build();
 * for (Notifier notifier : Notifiers.forReceiver(receiver, http, clock)) print(notifier.name(), notifier.send(n));
 * }</pre>
 */
public final class TestNotification {
    /** The route id of the test group. */
    public static final String ROUTE_ID = "test";
    public static final String ALERT_NAME = "ModelWatchTest";

    private TestNotification() {
    }

    /** A builder of a test notification to {@code receiver} at {@code atMs}. */
    public static Builder builder(String receiver, long atMs) {
        return new Builder(receiver, atMs);
    }

    /** Builds a test {@link Notification}; every setting is optional. */
    public static final class Builder {
        private final String receiver;
        private final long atMs;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private int alerts = 1;
        private boolean resolved;
        private String acknowledgedBy;
        private boolean escalation;
        private Long startsAtMs;

        private Builder(String receiver, long atMs) {
            if (receiver == null || receiver.isBlank()) {
                throw new IllegalArgumentException("receiver must not be empty");
            }
            this.receiver = receiver;
            this.atMs = atMs;
            labels.put("alertname", ALERT_NAME);
            labels.put("model", "test");
            labels.put("severity", "info");
            annotations.put("summary", "Test notification from ModelWatch to receiver " + receiver);
            annotations.put("description", "Sent by 'modelwatch alert test'. Nothing is wrong.");
        }

        /** Adds (or replaces) a label of every alert; {@code alertname} names the group. */
        public Builder label(String name, String value) {
            labels.put(name, value);
            return this;
        }

        /** Adds (or replaces) an annotation of every alert. */
        public Builder annotation(String name, String value) {
            annotations.put(name, value);
            return this;
        }

        /** How many alerts (default 1); they differ by the label {@code instance} ({@code test-1}, ...) when more than one. */
        public Builder alerts(int count) {
            if (count < 1 || count > 1000) {
                throw new IllegalArgumentException("count must be in 1..1000, was " + count);
            }
            this.alerts = count;
            return this;
        }

        /** Whether the alerts are resolved at {@code atMs} (default firing). */
        public Builder resolved(boolean resolved) {
            this.resolved = resolved;
            return this;
        }

        /** Who acknowledged the alerts (default nobody). */
        public Builder acknowledgedBy(String by) {
            this.acknowledgedBy = by;
            return this;
        }

        /** Whether the notification is an escalation (default a first notification). */
        public Builder escalation(boolean escalation) {
            this.escalation = escalation;
            return this;
        }

        /** When the alerts started (default {@code atMs}). */
        public Builder startsAtMs(long ms) {
            if (ms > atMs) {
                throw new IllegalArgumentException("startsAtMs " + ms + " must not be after atMs " + atMs);
            }
            this.startsAtMs = ms;
            return this;
        }

        public Notification build() {
            long start = startsAtMs == null ? atMs : startsAtMs;
            List<Alert> list = new ArrayList<>();
            for (int i = 1; i <= alerts; i++) {
                Map<String, String> l = new LinkedHashMap<>(labels);
                if (alerts > 1) {
                    l.put("instance", "test-" + i);
                }
                Alert a = Alert.firing(SeriesLabels.of(l), annotations, start).acknowledgedBy(acknowledgedBy);
                list.add(resolved ? a.resolve(atMs) : a);
            }
            list.sort((x, y) -> Long.compareUnsigned(x.fingerprint(), y.fingerprint()));
            String alertname = labels.get("alertname");
            SeriesLabels group = alertname == null || alertname.isEmpty() ? SeriesLabels.EMPTY
                    : SeriesLabels.of("alertname", alertname);
            return new Notification(new GroupKey(ROUTE_ID, group), receiver, resolved ? List.of() : list,
                    resolved ? list : List.of(), true,
                    escalation ? NotifyReason.ESCALATION : resolved ? NotifyReason.ALL_ALERTS_RESOLVED
                            : NotifyReason.FIRST_NOTIFICATION, atMs);
        }
    }
}
