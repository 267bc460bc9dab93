package dev.modelwatch.server.alert.notify;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.GroupKey;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures: one group ({@code alertname="AccuracyDrop", model="fraud"}) with two firing alerts
 * (versions v3, acknowledged by alice, and v4) and one resolved alert (v2).
 */
public final class Samples {
    /** 2026-11-22T10:00:00Z. */
    public static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    public static final Alert FIRING_V3 = Alert.firing(labels("v3"), Map.of("summary", "accuracy of fraud is 0.712"), T0)
            .acknowledgedBy("alice");
    public static final Alert FIRING_V4 = Alert.firing(labels("v4"), Map.of("summary", "accuracy of fraud is 0.655"),
            T0 + 90_500);
    public static final Alert RESOLVED_V2 = Alert.firing(labels("v2"), Map.of("summary", "accuracy of fraud is 0.790"),
            T0 - 3_600_000).resolve(T0 + 120_000);
    public static final GroupKey GROUP = new GroupKey("root", SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud"));

    private Samples() {
    }

    public static SeriesLabels labels(String version) {
        return SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud", "severity", "critical", "version", version);
    }

    /** Two firing, one resolved, the receiver wants resolutions, at T0 + 3 min. */
    public static Notification notification(String receiver) {
        return notification(receiver, NotifyReason.FIRST_NOTIFICATION);
    }

    public static Notification notification(String receiver, NotifyReason reason) {
        return new Notification(GROUP, receiver, List.of(FIRING_V3, FIRING_V4), List.of(RESOLVED_V2), true, reason,
                T0 + 180_000);
    }

    /** Only the resolved alert. */
    public static Notification resolvedOnly(String receiver) {
        return new Notification(GROUP, receiver, List.of(), List.of(RESOLVED_V2), true, NotifyReason.ALL_ALERTS_RESOLVED,
                T0 + 180_000);
    }
}
