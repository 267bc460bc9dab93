package dev.modelwatch.store;

import static dev.modelwatch.store.JdbcDatabase.executeBatched;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The model tables: {@code models}, {@code model_versions} and {@code model_admissions}. */
final class ModelRepository {
    private static final List<String> MODEL_COLUMNS = List.of("name", "task", "positive_class", "window_ms", "declared",
            "first_event_ms", "last_event_ms", "prediction_count");
    private static final List<String> MODEL_VERSION_COLUMNS = List.of("model", "version");

    private final JdbcDatabase db;
    private final String upsertModel;
    private final String insertModelVersion;
    private final String upsertAdmissions;

    ModelRepository(JdbcDatabase db) {
        this.db = db;
        Dialect dialect = db.dialect();
        this.upsertModel = dialect.upsert("models", List.of("name"), MODEL_COLUMNS);
        this.insertModelVersion = dialect.insertIfAbsent("model_versions", MODEL_VERSION_COLUMNS, MODEL_VERSION_COLUMNS);
        this.upsertAdmissions = dialect.upsert("model_admissions", List.of("model"), List.of("model", "admitted"));
    }

    /** Writes a flush's models, their versions and admitted values in {@code c}'s transaction. */
    void write(Connection c, Flush flush) throws SQLException {
        executeBatched(c, upsertModel, flush.models(), ModelRepository::bindModel);
        List<ModelVersion> versions = new ArrayList<>();
        for (ModelRecord m : flush.models()) {
            m.versions().forEach(v -> versions.add(new ModelVersion(m.name(), v)));
        }
        executeBatched(c, insertModelVersion, versions, (s, mv) -> {
            s.setString(1, mv.model());
            s.setString(2, mv.version());
        });
        executeBatched(c, upsertAdmissions, flush.admitted(), (s, a) -> {
            s.setString(1, a.model());
            s.setBytes(2, a.toBytes());
        });
    }

    private record ModelVersion(String model, String version) {
    }

    List<ModelRecord> models() {
        return db.read("reading models", c -> {
            Map<String, Set<String>> versions = new HashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT model, version FROM model_versions")) {
                while (rs.next()) {
                    versions.computeIfAbsent(rs.getString(1), m -> new TreeSet<>()).add(rs.getString(2));
                }
            }
            List<ModelRecord> models = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT " + String.join(", ", MODEL_COLUMNS) + " FROM models ORDER BY name")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    ModelSpec spec = new ModelSpec(name, ModelTask.fromWireName(rs.getString(2)), rs.getString(3),
                            rs.getLong(4), rs.getBoolean(5));
                    models.add(new ModelRecord(spec, rs.getLong(6), rs.getLong(7), rs.getLong(8),
                            versions.getOrDefault(name, Set.of())));
                }
            }
            return models;
        });
    }

    Map<String, AdmittedValues> admittedValues() {
        return db.read("reading admitted values", c -> {
            Map<String, AdmittedValues> out = new HashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT model, admitted FROM model_admissions")) {
                while (rs.next()) {
                    String model = rs.getString(1);
                    out.put(model, AdmittedValues.fromBytes(model, rs.getBytes(2)));
                }
            }
            return out;
        });
    }

    private static void bindModel(PreparedStatement s, ModelRecord m) throws SQLException {
        ModelSpec spec = m.spec();
        s.setString(1, spec.name());
        s.setString(2, spec.task().wireName());
        s.setString(3, spec.positiveClass());
        s.setLong(4, spec.windowMs());
        s.setBoolean(5, spec.declared());
        s.setLong(6, m.firstEventMs());
        s.setLong(7, m.lastEventMs());
        s.setLong(8, m.predictionCount());
    }
}
