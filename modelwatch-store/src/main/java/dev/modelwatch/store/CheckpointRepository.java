package dev.modelwatch.store;

import static dev.modelwatch.store.JdbcDatabase.executeBatched;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint tables: {@code checkpoint} (the ingest log position up to which everything is
 * committed) and {@code model_checkpoints} (the models held behind it).
 */
final class CheckpointRepository {
    /** The one row of {@code checkpoint}. */
    static final int CHECKPOINT_ID = 1;
    private static final List<String> CHECKPOINT_COLUMNS = List.of("id", "lsn");

    private final JdbcDatabase db;
    private final String upsertCheckpoint;
    private final String upsertModelCheckpoint;

    CheckpointRepository(JdbcDatabase db) {
        this.db = db;
        this.upsertCheckpoint = db.dialect().upsert("checkpoint", List.of("id"), CHECKPOINT_COLUMNS);
        this.upsertModelCheckpoint = db.dialect().upsert("model_checkpoints", List.of("model"),
                List.of("model", "lsn", "held_since_ms", "last_error"));
    }

    /** Writes a flush's log position and model checkpoints in {@code c}'s transaction. */
    void write(Connection c, Flush flush) throws SQLException {
        if (flush.lsn() >= 0) {
            try (PreparedStatement s = c.prepareStatement(upsertCheckpoint)) {
                s.setInt(1, CHECKPOINT_ID);
                s.setLong(2, flush.lsn());
                s.executeUpdate();
            }
        }
        executeBatched(c, upsertModelCheckpoint, flush.modelCheckpoints(), (s, m) -> {
            s.setString(1, m.model());
            s.setLong(2, m.lsn());
            s.setLong(3, m.heldSinceMs());
            s.setString(4, m.lastError());
        });
        executeBatched(c, "DELETE FROM model_checkpoints WHERE model = ?", List.copyOf(flush.releasedModels()),
                (s, m) -> s.setString(1, m));
    }

    long checkpointLsn() {
        return db.read("reading the checkpoint", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT lsn FROM checkpoint WHERE id = ?")) {
                s.setInt(1, CHECKPOINT_ID);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    Map<String, ModelCheckpoint> modelCheckpoints() {
        return db.read("reading the per-model checkpoints", c -> {
            Map<String, ModelCheckpoint> out = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT model, lsn, held_since_ms, last_error FROM model_checkpoints");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new ModelCheckpoint(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            rs.getString(4)));
                }
            }
            return out;
        });
    }
}
