package dev.modelwatch.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The {@code model_references} table: the reference data sets that drift is measured against. */
final class ReferenceRepository {
    private final JdbcDatabase db;
    private final String upsertReference;

    ReferenceRepository(JdbcDatabase db) {
        this.db = db;
        this.upsertReference = db.dialect().upsert("model_references", List.of("model", "version"),
                List.of("model", "version", "source", "row_count", "created_at_ms", "data"));
    }

    void putReference(StoredReference r) {
        db.inTransaction("storing the reference of " + r.model(), c -> {
            try (PreparedStatement s = c.prepareStatement(upsertReference)) {
                s.setString(1, r.model());
                s.setString(2, r.version());
                s.setString(3, r.source());
                s.setLong(4, r.rows());
                s.setLong(5, r.createdAtMs());
                s.setBytes(6, r.data());
                s.executeUpdate();
            }
            return null;
        });
    }

    Optional<StoredReference> findReference(String model, String version) {
        Objects.requireNonNull(model, "model");
        return db.read("reading the reference of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT model, version, source, row_count, created_at_ms, data"
                    + " FROM model_references WHERE model = ? AND version IN (?, ?)")) {
                s.setString(1, model);
                s.setString(2, version == null ? StoredReference.ANY_VERSION : version);
                s.setString(3, StoredReference.ANY_VERSION);
                StoredReference any = null;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        StoredReference r = new StoredReference(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getLong(4), rs.getLong(5), rs.getBytes(6));
                        if (!r.version().equals(StoredReference.ANY_VERSION)) {
                            return Optional.of(r);
                        }
                        any = r;
                    }
                }
                return Optional.ofNullable(any);
            }
        });
    }

    List<StoredReference> references(String model) {
        Objects.requireNonNull(model, "model");
        return db.read("listing the references of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT model, version, source, row_count, created_at_ms"
                    + " FROM model_references WHERE model = ? ORDER BY version")) {
                s.setString(1, model);
                List<StoredReference> found = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        found.add(new StoredReference(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getLong(5), new byte[0]));
                    }
                }
                return found;
            }
        });
    }

    boolean deleteReference(String model, String version) {
        return db.inTransaction("deleting the reference of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM model_references WHERE model = ? AND version = ?")) {
                s.setString(1, model);
                s.setString(2, version);
                return s.executeUpdate() > 0;
            }
        });
    }
}
