package dev.modelwatch.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The {@link IncidentStore} of a {@link JdbcStore}: the {@code incidents} table (migration V13). */
final class JdbcIncidentStore implements IncidentStore {
    private static final List<String> COLUMNS = List.of("id", "model", "state", "opened_ms", "updated_ms", "document");

    private final JdbcDatabase jdbc;
    private final String upsert;

    JdbcIncidentStore(JdbcDatabase jdbc) {
        this.jdbc = jdbc;
        this.upsert = jdbc.dialect().upsert("incidents", List.of("id"), COLUMNS);
    }

    @Override
    public void save(StoredIncident i) {
        jdbc.inTransaction("saving incident " + i.id(), c -> {
            try (PreparedStatement s = c.prepareStatement(upsert)) {
                s.setString(1, i.id());
                s.setString(2, i.model());
                s.setString(3, i.state());
                s.setLong(4, i.openedMs());
                s.setLong(5, i.updatedMs());
                s.setBytes(6, i.document());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<StoredIncident> all() {
        return jdbc.read("reading incidents", c -> {
            List<StoredIncident> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + String.join(", ", COLUMNS)
                    + " FROM incidents ORDER BY opened_ms, id");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredIncident(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getLong(5), rs.getBytes(6)));
                }
            }
            return out;
        });
    }

    @Override
    public int deleteResolvedBefore(long beforeMs) {
        return jdbc.inTransaction("deleting incidents resolved before " + beforeMs, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM incidents WHERE state = 'resolved' AND updated_ms < ?")) {
                s.setLong(1, beforeMs);
                return s.executeUpdate();
            }
        });
    }
}
