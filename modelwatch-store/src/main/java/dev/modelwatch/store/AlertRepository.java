package dev.modelwatch.store;

import static dev.modelwatch.store.JdbcDatabase.executeBatched;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The alerting tables: {@code alerting_state} (the alert runtime's saved state) and
 * {@code alert_history} (state changes); a save queues its notifications in the outbox in the same
 * transaction.
 */
final class AlertRepository {
    private static final String INSERT_HISTORY = Dialect.insert("alert_history",
            List.of("alert_id", "rule", "labels", "from_state", "to_state", "value", "at_ms"));

    private final JdbcDatabase db;
    private final OutboxRepository outbox;
    private final String upsertAlertingState;

    AlertRepository(JdbcDatabase db, OutboxRepository outbox) {
        this.db = db;
        this.outbox = outbox;
        this.upsertAlertingState = db.dialect().upsert("alerting_state", List.of("name"),
                List.of("name", "data", "updated_at_ms"));
    }

    Optional<byte[]> alertingState(String name) {
        return db.read("reading alerting state " + name, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT data FROM alerting_state WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
    }

    List<OutboxEntry> saveAlerting(Map<String, byte[]> states, List<OutboxEntry> notifications,
                                   List<AlertHistoryEntry> history, long nowMs) {
        return db.inTransaction("saving alerting state", c -> {
            try (PreparedStatement s = c.prepareStatement(upsertAlertingState)) {
                for (Map.Entry<String, byte[]> e : states.entrySet()) {
                    s.setString(1, e.getKey());
                    s.setBytes(2, e.getValue());
                    s.setLong(3, nowMs);
                    s.addBatch();
                }
                if (!states.isEmpty()) {
                    s.executeBatch();
                }
            }
            executeBatched(c, INSERT_HISTORY, history, (s, h) -> {
                s.setString(1, h.alertId());
                s.setString(2, h.rule());
                s.setString(3, h.labels());
                s.setString(4, h.fromState());
                s.setString(5, h.toState());
                s.setLong(6, Double.doubleToRawLongBits(h.value()));
                s.setLong(7, h.atMs());
            });
            return outbox.insert(c, notifications);
        });
    }

    List<AlertHistoryEntry> alertHistory(String alertId, long sinceMs, int limit) {
        return db.read("reading alert history", c -> {
            String sql = "SELECT alert_id, rule, labels, from_state, to_state, value, at_ms FROM alert_history WHERE at_ms >= ?"
                    + (alertId == null ? "" : " AND alert_id = ?") + " ORDER BY at_ms DESC, id DESC";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setLong(1, sinceMs);
                if (alertId != null) {
                    s.setString(2, alertId);
                }
                s.setMaxRows(limit);
                List<AlertHistoryEntry> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next() && out.size() < limit) {
                        out.add(new AlertHistoryEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), Double.longBitsToDouble(rs.getLong(6)), rs.getLong(7)));
                    }
                }
                return out;
            }
        });
    }

    long expireAlertHistory(long beforeMs) {
        return db.inTransaction("expiring alert history", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM alert_history WHERE at_ms < ?")) {
                s.setLong(1, beforeMs);
                return (long) s.executeUpdate();
            }
        });
    }
}
