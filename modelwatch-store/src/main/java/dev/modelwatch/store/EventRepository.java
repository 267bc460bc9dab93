package dev.modelwatch.store;

import static dev.modelwatch.store.JdbcDatabase.executeBatched;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.TrainingEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The event tables kept as rows: {@code training_events} and {@code metric_events}. */
final class EventRepository {
    private static final String INSERT_TRAINING = Dialect.insert("training_events",
            List.of("model", "run", "step", "epoch", "ts_ms", "metrics"));
    private static final String INSERT_METRIC = Dialect.insert("metric_events",
            List.of("name", "model", "labels", "ts_ms", "value"));

    private final JdbcDatabase db;

    EventRepository(JdbcDatabase db) {
        this.db = db;
    }

    /** Writes a flush's training and metric events in {@code c}'s transaction. */
    void write(Connection c, Flush flush) throws SQLException {
        executeBatched(c, INSERT_TRAINING, flush.training(), EventRepository::bindTraining);
        executeBatched(c, INSERT_METRIC, flush.metrics(), EventRepository::bindMetric);
    }

    List<TrainingEvent> trainingEvents(String model, String run) {
        Objects.requireNonNull(model, "model");
        String sql = "SELECT model, run, step, epoch, ts_ms, metrics FROM training_events WHERE model = ?"
                + (run == null ? "" : " AND run = ?") + " ORDER BY run, step, id";
        return db.read("reading training events of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, model);
                if (run != null) {
                    s.setString(2, run);
                }
                List<TrainingEvent> events = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long epoch = rs.getLong(4);
                        Long epochOrNull = rs.wasNull() ? null : epoch;
                        events.add(new TrainingEvent(rs.getString(1), rs.getString(2), rs.getLong(3), epochOrNull,
                                rs.getLong(5), ColumnCodec.decodeDoubles(rs.getBytes(6))));
                    }
                }
                return events;
            }
        });
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

    private static void bindTraining(PreparedStatement s, TrainingEvent t) throws SQLException {
        s.setString(1, t.model());
        s.setString(2, t.run());
        s.setLong(3, t.step());
        if (t.epoch() == null) {
            s.setNull(4, Types.BIGINT);
        } else {
            s.setLong(4, t.epoch());
        }
        s.setLong(5, t.timestampMs());
        s.setBytes(6, ColumnCodec.encodeDoubles(t.metrics()));
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
