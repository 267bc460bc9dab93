package dev.modelwatch.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@link TokenStore} of a {@link JdbcStore}: the {@code api_tokens} table (migration V6). */
final class JdbcTokenStore implements TokenStore {
    private static final String COLUMNS = "id, name, scopes, token_hash, created_at_ms, last_used_at_ms, revoked_at_ms";

    private final JdbcDatabase jdbc;

    JdbcTokenStore(JdbcDatabase jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void create(StoredToken t) {
        jdbc.inTransaction("creating API token " + t.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, t.id());
                s.setString(2, t.name());
                s.setString(3, String.join(",", t.scopes()));
                s.setString(4, t.tokenHash());
                s.setLong(5, t.createdAtMs());
                JdbcDatabase.setNullableLong(s, 6, t.lastUsedAtMs());
                JdbcDatabase.setNullableLong(s, 7, t.revokedAtMs());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<StoredToken> all() {
        return jdbc.read("reading API tokens", c -> {
            List<StoredToken> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens"
                    + " ORDER BY created_at_ms, id");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredToken(rs.getString(1), rs.getString(2), Arrays.asList(rs.getString(3).split(",")),
                            rs.getString(4), rs.getLong(5), nullableLong(rs, 6), nullableLong(rs, 7)));
                }
            }
            return out;
        });
    }

    @Override
    public boolean revoke(String id, long atMs) {
        return jdbc.inTransaction("revoking API token " + id, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL")) {
                s.setLong(1, atMs);
                s.setString(2, id);
                if (s.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM api_tokens WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void recordUse(Map<String, Long> lastUsedAtMs) {
        if (lastUsedAtMs.isEmpty()) {
            return;
        }
        jdbc.inTransaction("recording the use of API tokens", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE api_tokens SET last_used_at_ms = ?"
                    + " WHERE id = ? AND (last_used_at_ms IS NULL OR last_used_at_ms < ?)")) {
                for (Map.Entry<String, Long> e : lastUsedAtMs.entrySet()) {
                    s.setLong(1, e.getValue());
                    s.setString(2, e.getKey());
                    s.setLong(3, e.getValue());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long v = rs.getLong(index);
        return rs.wasNull() ? null : v;
    }
}
