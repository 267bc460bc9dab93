package dev.modelwatch.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The {@code notification_outbox} table: notifications waiting for delivery, and what became of them. */
final class OutboxRepository {
    private static final String SELECT_OUTBOX = "SELECT id, receiver, group_key, alert_ids, payload, created_at_ms,"
            + " due_at_ms, attempts, status, last_error, delivered_at_ms FROM notification_outbox";

    private final JdbcDatabase db;

    OutboxRepository(JdbcDatabase db) {
        this.db = db;
    }

    /** Inserts the rows in {@code c}'s transaction; returns them with the ids the database gave them. */
    List<OutboxEntry> insert(Connection c, List<OutboxEntry> notifications) throws SQLException {
        List<OutboxEntry> queued = new ArrayList<>();
        if (!notifications.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO notification_outbox (receiver, group_key,"
                    + " alert_ids, payload, created_at_ms, due_at_ms, attempts, status, last_error, delivered_at_ms)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                for (OutboxEntry n : notifications) {
                    bindOutbox(s, n);
                    s.executeUpdate();
                    try (ResultSet keys = s.getGeneratedKeys()) {
                        if (!keys.next()) {
                            throw new SQLException("no id generated for an outbox row");
                        }
                        long id = keys.getLong(1);
                        queued.add(new OutboxEntry(id, n.receiver(), n.groupKey(), n.alertIds(), n.payload(),
                                n.createdAtMs(), n.dueAtMs(), n.attempts(), n.status(), n.lastError(), n.deliveredAtMs()));
                    }
                }
            }
        }
        return queued;
    }

    List<OutboxEntry> dueNotifications(long nowMs, int limit) {
        return readOutboxes("reading due notifications", " WHERE status = ? AND due_at_ms <= ? ORDER BY due_at_ms, id",
                limit, s -> {
                    s.setString(1, OutboxEntry.PENDING);
                    s.setLong(2, nowMs);
                });
    }

    List<OutboxEntry> pendingNotifications(String receiver, int limit) {
        return readOutboxes("reading pending notifications", " WHERE status = ? AND receiver = ? ORDER BY id", limit,
                s -> {
                    s.setString(1, OutboxEntry.PENDING);
                    s.setString(2, receiver);
                });
    }

    /** Outbox rows of {@code SELECT_OUTBOX + clause}, at most {@code limit}. */
    private List<OutboxEntry> readOutboxes(String what, String clause, int limit, JdbcDatabase.StatementBinder binder) {
        return db.read(what, c -> {
            try (PreparedStatement s = c.prepareStatement(SELECT_OUTBOX + clause)) {
                binder.bind(s);
                s.setMaxRows(limit);
                List<OutboxEntry> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next() && out.size() < limit) {
                        out.add(readOutbox(rs));
                    }
                }
                return out;
            }
        });
    }

    void updateNotification(OutboxEntry e) {
        db.inTransaction("recording a delivery attempt", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE notification_outbox SET due_at_ms = ?, attempts = ?,"
                    + " status = ?, last_error = ?, delivered_at_ms = ? WHERE id = ?")) {
                s.setLong(1, e.dueAtMs());
                s.setInt(2, e.attempts());
                s.setString(3, e.status());
                s.setString(4, e.lastError());
                JdbcDatabase.setNullableLong(s, 5, e.deliveredAtMs());
                s.setLong(6, e.id());
                s.executeUpdate();
            }
            return null;
        });
    }

    List<OutboxEntry> recentNotifications(int limit) {
        return readOutboxes("reading notifications", " ORDER BY id DESC", limit, s -> { });
    }

    long expireNotifications(long beforeMs) {
        return db.inTransaction("expiring notifications", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM notification_outbox WHERE status <> ?"
                    + " AND created_at_ms < ?")) {
                s.setString(1, OutboxEntry.PENDING);
                s.setLong(2, beforeMs);
                return (long) s.executeUpdate();
            }
        });
    }

    private static void bindOutbox(PreparedStatement s, OutboxEntry n) throws SQLException {
        s.setString(1, n.receiver());
        s.setString(2, n.groupKey().length() > 1024 ? n.groupKey().substring(0, 1024) : n.groupKey());
        s.setString(3, n.alertIds());
        s.setBytes(4, n.payload());
        s.setLong(5, n.createdAtMs());
        s.setLong(6, n.dueAtMs());
        s.setInt(7, n.attempts());
        s.setString(8, n.status());
        s.setString(9, n.lastError());
        JdbcDatabase.setNullableLong(s, 10, n.deliveredAtMs());
    }

    private static OutboxEntry readOutbox(ResultSet rs) throws SQLException {
        long delivered = rs.getLong(11);
        Long deliveredAt = rs.wasNull() ? null : delivered;
        return new OutboxEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                rs.getLong(6), rs.getLong(7), rs.getInt(8), rs.getString(9), rs.getString(10), deliveredAt);
    }
}
