package dev.modelwatch.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The {@link TrainingRunStore} of a {@link JdbcStore}: the {@code training_runs} table (migration V11). */
final class JdbcTrainingRunStore implements TrainingRunStore {
    private static final List<String> COLUMNS = List.of("model", "run", "state", "log_lsn", "updated_ms");

    private final JdbcDatabase jdbc;
    private final String upsert;

    JdbcTrainingRunStore(JdbcDatabase jdbc) {
        this.jdbc = jdbc;
        this.upsert = jdbc.dialect().upsert("training_runs", List.of("model", "run"), COLUMNS);
    }

    @Override
    public void save(List<StoredRun> runs) {
        if (runs.isEmpty()) {
            return;
        }
        jdbc.inTransaction("saving " + runs.size() + " training runs", c -> {
            try (PreparedStatement s = c.prepareStatement(upsert)) {
                for (StoredRun r : runs) {
                    s.setString(1, r.model());
                    s.setString(2, r.run());
                    s.setBytes(3, r.state());
                    s.setLong(4, r.logLsn());
                    s.setLong(5, r.updatedMs());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<StoredRun> all() {
        return jdbc.read("reading training runs", c -> {
            List<StoredRun> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + String.join(", ", COLUMNS)
                    + " FROM training_runs ORDER BY model, run");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredRun(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getLong(4), rs.getLong(5)));
                }
            }
            return out;
        });
    }
}
