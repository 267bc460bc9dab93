package dev.modelwatch.server.alert.delivery;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.GroupKey;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.dispatch.StoredAlert;
import dev.modelwatch.server.alert.lifecycle.StoredValues;
import dev.modelwatch.server.json.Json;
import java.util.List;
import java.util.Map;

/**
 * A notification as the outbox stores it, for one integration (by its index in the receiver's
 * configuration).
 *
 * @param integration  the index of the receiver's integration that sends it
 * @param notification the notification
 */
public record OutboxPayload(int integration, Notification notification) {

    /**
     * The stored form (a Jackson record): {@code {"integration", "route", "group_labels", "receiver",
     * "firing": [alert, ..], "resolved": [alert, ..], "send_resolved", "reason", "at_ms"}}.
     */
    record Stored(Integer integration, String route, Map<String, String> groupLabels, String receiver,
            List<StoredAlert> firing, List<StoredAlert> resolved, Boolean sendResolved, String reason, Long atMs) {
        static Stored of(OutboxPayload p) {
            Notification n = p.notification();
            return new Stored(p.integration(), n.groupKey().routeId(), n.groupKey().groupLabels().asMap(), n.receiver(),
                    n.firing().stream().map(StoredAlert::of).toList(), n.resolved().stream().map(StoredAlert::of).toList(),
                    n.sendResolved(), n.reason().name(), n.atMs());
        }

        OutboxPayload toPayload() {
            GroupKey key = new GroupKey(StoredValues.require(route, "outbox_payload.route"),
                    SeriesLabels.of(StoredValues.require(groupLabels, "outbox_payload.group_labels")));
            Notification n = new Notification(key, StoredValues.require(receiver, "outbox_payload.receiver"),
                    StoredValues.require(firing, "outbox_payload.firing").stream().map(StoredAlert::toAlert).toList(),
                    StoredValues.require(resolved, "outbox_payload.resolved").stream().map(StoredAlert::toAlert).toList(),
                    StoredValues.require(sendResolved, "outbox_payload.send_resolved"),
                    NotifyReason.valueOf(StoredValues.require(reason, "outbox_payload.reason")),
                    StoredValues.require(atMs, "outbox_payload.at_ms"));
            return new OutboxPayload(StoredValues.require(integration, "outbox_payload.integration"), n);
        }
    }

    /** The stored form (JSON). */
    public byte[] encode() {
        return Json.bytes(Stored.of(this));
    }

    /** Reads the stored form; an {@link IllegalArgumentException} names what is wrong with it. */
    public static OutboxPayload decode(byte[] payload) {
        try {
            return Json.read(payload, Stored.class, "outbox payload").toPayload();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("corrupt outbox payload: " + e.getMessage(), e);
        }
    }
}
