package dev.modelwatch.server.alert.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.GroupKey;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stored form (JSON). */
    public byte[] encode() {
        Notification n = notification;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("integration", integration);
        m.put("route", n.groupKey().routeId());
        m.put("group_labels", n.groupKey().groupLabels().asMap());
        m.put("receiver", n.receiver());
        m.put("firing", n.firing().stream().map(Alert::toMap).toList());
        m.put("resolved", n.resolved().stream().map(Alert::toMap).toList());
        m.put("send_resolved", n.sendResolved());
        m.put("reason", n.reason().name());
        m.put("at_ms", n.atMs());
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the stored form; an {@link IllegalArgumentException} names what is wrong with it. */
    @SuppressWarnings("unchecked")
    public static OutboxPayload decode(byte[] payload) {
        try {
            Map<String, Object> m = JSON.readValue(payload, Map.class);
            List<Alert> firing = ((List<Map<?, ?>>) m.get("firing")).stream().map(Alert::fromMap).toList();
            List<Alert> resolved = ((List<Map<?, ?>>) m.get("resolved")).stream().map(Alert::fromMap).toList();
            GroupKey key = new GroupKey((String) m.get("route"),
                    SeriesLabels.of((Map<String, String>) m.get("group_labels")));
            Notification n = new Notification(key, (String) m.get("receiver"), firing, resolved,
                    (Boolean) m.get("send_resolved"), NotifyReason.valueOf((String) m.get("reason")),
                    ((Number) m.get("at_ms")).longValue());
            return new OutboxPayload(((Number) m.get("integration")).intValue(), n);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("corrupt outbox payload: " + e, e);
        }
    }
}
