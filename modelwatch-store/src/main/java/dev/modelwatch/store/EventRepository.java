package dev.modelwatch.store;

import static dev.modelwatch.store.JdbcDatabase.executeBatched;

import dev.modelwatch.core.event.MetricEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The event table kept as rows: {@code metric_events} (resource readings). Training events are not kept
 * as rows: a run's down-sampled curves are its stored document ({@link TrainingRunStore}).
 */
final class EventRepository {
    private static final String INSERT_METRIC = Dialect.insert("metric_events",
            List.of("name", "model", "labels", "ts_ms", "value"));

    private final JdbcDatabase db;

    EventRepository(JdbcDatabase db) {
        this.db = db;
    }

    /** Writes a flush's metric events in {@code c}'s transaction. */
    void write(Connection c, Flush flush) throws SQLException {
        executeBatched(c, INSERT_METRIC, flush.metrics(), EventRepository::bindMetric);
    }

    List<MetricEvent> metricEvents(String name, long fromMs, long toMs) {
        Objects.requireNonNull(name, "name");
        String sql = "SELECT name, value, model, labels, ts_ms FROM metric_events WHERE name = ? AND ts_ms >= ? AND ts_ms < ?"
                + " ORDER BY ts_ms, id";
        return db.read("reading metric events " + name, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, name);
                s.setLong(2, fromMs);
                s.setLong(3, toMs);
                List<MetricEvent> events = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        events.add(new MetricEvent(rs.getString(1), ColumnCodec.decodeDouble(rs.getLong(2)), rs.getString(3),
                                ColumnCodec.decodeStrings(rs.getBytes(4)), rs.getLong(5)));
                    }
                }
                return events;
            }
        });
    }

    long scanMetricEvents(String model, long fromMs, long toMs, long maxEvents,
                          java.util.function.Consumer<MetricEvent> each) {
        String sql = "SELECT name, value, model, labels, ts_ms FROM metric_events WHERE ts_ms >= ? AND ts_ms < ?"
                + (model == null ? "" : " AND model = ?") + " ORDER BY ts_ms, id LIMIT ?";
        return db.read("reading metric events", c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setLong(1, fromMs);
                s.setLong(2, toMs);
                if (model != null) {
                    s.setString(3, model);
                }
                s.setLong(model == null ? 3 : 4, maxEvents);
                long n = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (n < maxEvents && rs.next()) {
                        each.accept(new MetricEvent(rs.getString(1), ColumnCodec.decodeDouble(rs.getLong(2)),
                                rs.getString(3), ColumnCodec.decodeStrings(rs.getBytes(4)), rs.getLong(5)));
                        n++;
                    }
                }
                return n;
            }
        });
    }

    private static void bindMetric(PreparedStatement s, MetricEvent m) throws SQLException {
        s.setString(1, m.name());
        if (m.model() == null) {
            s.setNull(2, Types.VARCHAR);
        } else {
            s.setString(2, m.model());
        }
        s.setBytes(3, ColumnCodec.encodeStrings(m.labels()));
        s.setLong(4, m.timestampMs());
        s.setLong(5, ColumnCodec.encodeDouble(m.value()));
    }
}
