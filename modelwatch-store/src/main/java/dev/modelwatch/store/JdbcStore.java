package dev.modelwatch.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on a JDBC database (SQLite, PostgreSQL, MySQL/MariaDB) through a connection
 * pool; what differs between the databases is in its {@link Dialect}. Thread-safe: every call
 * borrows its own connection.
 */
final class JdbcStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);
    /** Rows per executed batch, so that a huge flush does not hold every row in the driver at once. */
    private static final int BATCH_SIZE = 1_000;
    private static final int REACHABLE_TIMEOUT_S = 2;
    /** Longest database message kept in an exception message (PostgreSQL's can quote whole rows). */
    private static final int MAX_MESSAGE_CHARS = 600;

    private static final List<String> PROFILE_KEY = List.of("model", "version", "segment", "resolution_ms", "window_start_ms");
    private static final List<String> MODEL_COLUMNS = List.of("name", "task", "positive_class", "window_ms", "declared",
            "first_event_ms", "last_event_ms", "prediction_count");
    private static final List<String> MODEL_VERSION_COLUMNS = List.of("model", "version");
    private static final List<String> CHECKPOINT_COLUMNS = List.of("id", "lsn");
    private static final int CHECKPOINT_ID = 1;

    private static final String PROFILE_KEY_MATCHES = PROFILE_KEY.stream().map(c -> c + " = ?")
            .collect(Collectors.joining(" AND "));
    private static final String INSERT_PROFILE = Dialect.insert("window_profiles",
            Stream.concat(PROFILE_KEY.stream(), Stream.of("profile", "updated_at_ms")).toList());
    private static final String UPDATE_PROFILE = "UPDATE window_profiles SET profile = ?, updated_at_ms = ? WHERE "
            + PROFILE_KEY_MATCHES;
    private static final String INSERT_TRAINING = Dialect.insert("training_events",
            List.of("model", "run", "step", "epoch", "ts_ms", "metrics"));
    private static final String INSERT_METRIC = Dialect.insert("metric_events",
            List.of("name", "model", "labels", "ts_ms", "value"));
    /** The order in which a commit locks profile rows: the same for every writer, so none deadlock. */
    private static final Comparator<ProfileKey> LOCK_ORDER = Comparator.comparing(ProfileKey::model)
            .thenComparing(ProfileKey::version)
            .thenComparing(k -> k.segment())
            .thenComparingLong(ProfileKey::resolutionMs)
            .thenComparingLong(ProfileKey::windowStartMs);

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final SketchSettings settings;
    private final Clock clock;
    private final String selectProfileForUpdate;
    private final String upsertModel;
    private final String insertModelVersion;
    private final String upsertCheckpoint;
    private final String upsertModelCheckpoint;
    private final String upsertReference;
    private final String upsertAlertingState;
    private final JdbcTokenStore tokens;
    private final JdbcTrainingRunStore trainingRuns;
    private final String upsertAdmissions;

    JdbcStore(HikariDataSource dataSource, Dialect dialect, SketchSettings settings, Clock clock) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.settings = settings;
        this.clock = clock;
        this.selectProfileForUpdate = "SELECT profile FROM window_profiles WHERE " + PROFILE_KEY_MATCHES
                + dialect.lockForUpdate();
        this.upsertModel = dialect.upsert("models", List.of("name"), MODEL_COLUMNS);
        this.insertModelVersion = dialect.insertIfAbsent("model_versions", MODEL_VERSION_COLUMNS, MODEL_VERSION_COLUMNS);
        this.upsertCheckpoint = dialect.upsert("checkpoint", List.of("id"), CHECKPOINT_COLUMNS);
        this.upsertModelCheckpoint = dialect.upsert("model_checkpoints", List.of("model"),
                List.of("model", "lsn", "held_since_ms", "last_error"));
        this.upsertReference = dialect.upsert("model_references", List.of("model", "version"),
                List.of("model", "version", "source", "row_count", "created_at_ms", "data"));
        this.upsertAlertingState = dialect.upsert("alerting_state", List.of("name"), List.of("name", "data", "updated_at_ms"));
        this.tokens = new JdbcTokenStore(this);
        this.trainingRuns = new JdbcTrainingRunStore(this, dialect);
        this.upsertAdmissions = dialect.upsert("model_admissions", List.of("model"), List.of("model", "admitted"));
    }

    @Override
    public long checkpointLsn() {
        return read("reading the checkpoint", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT lsn FROM checkpoint WHERE id = ?")) {
                s.setInt(1, CHECKPOINT_ID);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public void commit(Flush flush) {
        long now = clock.millis();
        inTransaction("commit of the flush up to log position " + flush.lsn(), c -> {
            mergeProfiles(c, flush.deltas(), now);
            executeBatched(c, upsertModel, flush.models(), JdbcStore::bindModel);
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
            executeBatched(c, INSERT_TRAINING, flush.training(), JdbcStore::bindTraining);
            executeBatched(c, INSERT_METRIC, flush.metrics(), JdbcStore::bindMetric);
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
            return null;
        });
    }

    @Override
    public Map<String, ModelCheckpoint> modelCheckpoints() {
        return read("reading the per-model checkpoints", c -> {
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

    /**
     * Reads each key's stored profile under a row lock, merges the delta into it, and writes the
     * result back. A key with no row is inserted; should another writer insert it first, the
     * insert fails on the primary key and the whole flush rolls back, never losing either merge.
     */
    private void mergeProfiles(Connection c, Map<ProfileKey, WindowProfile> deltas, long now) throws SQLException {
        if (deltas.isEmpty()) {
            return;
        }
        List<ProfileKey> keys = new ArrayList<>(deltas.keySet());
        keys.sort(LOCK_ORDER);
        List<ProfileRow> inserts = new ArrayList<>();
        List<ProfileRow> updates = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(selectProfileForUpdate)) {
            for (ProfileKey key : keys) {
                bindKey(select, 1, key);
                byte[] stored = null;
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        stored = rs.getBytes(1);
                    }
                }
                WindowProfile delta = deltas.get(key);
                if (stored == null) {
                    inserts.add(new ProfileRow(key, delta.toBytes()));
                } else {
                    WindowProfile merged = WindowProfile.fromBytes(stored, settings);
                    merged.merge(delta);
                    updates.add(new ProfileRow(key, merged.toBytes()));
                }
            }
        }
        executeBatched(c, INSERT_PROFILE, inserts, (s, row) -> {
            bindKey(s, 1, row.key());
            s.setBytes(6, row.profile());
            s.setLong(7, now);
        });
        executeBatched(c, UPDATE_PROFILE, updates, (s, row) -> {
            s.setBytes(1, row.profile());
            s.setLong(2, now);
            bindKey(s, 3, row.key());
        });
    }

    private record ProfileRow(ProfileKey key, byte[] profile) {
    }

    private record ModelVersion(String model, String version) {
    }

    @Override
    public List<StoredProfile> profiles(String model, String version, String segment, long resolutionMs,
                                        long fromMs, long toMs) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(segment, "segment");
        String sql = "SELECT version, window_start_ms, profile FROM window_profiles"
                + " WHERE model = ? AND segment = ? AND resolution_ms = ? AND window_start_ms >= ? AND window_start_ms < ?"
                + (version == null ? "" : " AND version = ?")
                + " ORDER BY window_start_ms, version";
        return read("reading profiles of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, model);
                s.setString(2, segment);
                s.setLong(3, resolutionMs);
                s.setLong(4, fromMs);
                s.setLong(5, toMs);
                if (version != null) {
                    s.setString(6, version);
                }
                List<StoredProfile> found = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ProfileKey key = new ProfileKey(model, rs.getString(1), segment, resolutionMs, rs.getLong(2));
                        found.add(new StoredProfile(key, WindowProfile.fromBytes(rs.getBytes(3), settings)));
                    }
                }
                return found;
            }
        });
    }

    @Override
    public ProfileRead profiles(String model, String version, String segment, List<ProfileRead.Range> ranges) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(segment, "segment");
        if (ranges.isEmpty()) {
            return new ProfileRead(List.of(), ProfileRead.UNKNOWN);
        }
        StringBuilder sql = new StringBuilder("SELECT resolution_ms, version, window_start_ms, profile,"
                + " (SELECT lsn FROM checkpoint WHERE id = ?) FROM window_profiles WHERE model = ? AND segment = ?");
        if (version != null) {
            sql.append(" AND version = ?");
        }
        sql.append(" AND (");
        for (int i = 0; i < ranges.size(); i++) {
            sql.append(i == 0 ? "" : " OR ").append("(resolution_ms = ? AND window_start_ms >= ? AND window_start_ms < ?)");
        }
        sql.append(") ORDER BY resolution_ms, window_start_ms, version");
        return read("reading profiles of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int i = 1;
                s.setInt(i++, CHECKPOINT_ID);
                s.setString(i++, model);
                s.setString(i++, segment);
                if (version != null) {
                    s.setString(i++, version);
                }
                for (ProfileRead.Range r : ranges) {
                    s.setLong(i++, r.resolutionMs());
                    s.setLong(i++, r.fromMs());
                    s.setLong(i++, r.toMs());
                }
                List<StoredProfile> found = new ArrayList<>();
                long checkpoint = ProfileRead.UNKNOWN;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ProfileKey key = new ProfileKey(model, rs.getString(2), segment, rs.getLong(1), rs.getLong(3));
                        found.add(new StoredProfile(key, WindowProfile.fromBytes(rs.getBytes(4), settings)));
                        checkpoint = rs.getLong(5);
                    }
                }
                return new ProfileRead(found, checkpoint);
            }
        });
    }

    @Override
    public void putReference(StoredReference r) {
        inTransaction("storing the reference of " + r.model(), c -> {
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

    @Override
    public Optional<StoredReference> findReference(String model, String version) {
        Objects.requireNonNull(model, "model");
        return read("reading the reference of " + model, c -> {
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

    @Override
    public List<StoredReference> references(String model) {
        Objects.requireNonNull(model, "model");
        return read("listing the references of " + model, c -> {
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

    @Override
    public boolean deleteReference(String model, String version) {
        return inTransaction("deleting the reference of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM model_references WHERE model = ? AND version = ?")) {
                s.setString(1, model);
                s.setString(2, version);
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<byte[]> alertingState(String name) {
        return read("reading alerting state " + name, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT data FROM alerting_state WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
    }

    @Override
    public List<OutboxEntry> saveAlerting(Map<String, byte[]> states, List<OutboxEntry> notifications,
                                          List<AlertHistoryEntry> history, long nowMs) {
        return inTransaction("saving alerting state", c -> {
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
        setNullableLong(s, 10, n.deliveredAtMs());
    }

    private static final String SELECT_OUTBOX = "SELECT id, receiver, group_key, alert_ids, payload, created_at_ms,"
            + " due_at_ms, attempts, status, last_error, delivered_at_ms FROM notification_outbox";

    private static OutboxEntry readOutbox(ResultSet rs) throws SQLException {
        long delivered = rs.getLong(11);
        Long deliveredAt = rs.wasNull() ? null : delivered;
        return new OutboxEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                rs.getLong(6), rs.getLong(7), rs.getInt(8), rs.getString(9), rs.getString(10), deliveredAt);
    }

    private static final String INSERT_HISTORY = Dialect.insert("alert_history",
            List.of("alert_id", "rule", "labels", "from_state", "to_state", "value", "at_ms"));

    @Override
    public List<AlertHistoryEntry> alertHistory(String alertId, long sinceMs, int limit) {
        return read("reading alert history", c -> {
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

    @Override
    public long expireAlertHistory(long beforeMs) {
        return inTransaction("expiring alert history", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM alert_history WHERE at_ms < ?")) {
                s.setLong(1, beforeMs);
                return (long) s.executeUpdate();
            }
        });
    }

    @Override
    public List<OutboxEntry> dueNotifications(long nowMs, int limit) {
        return readOutboxes("reading due notifications", " WHERE status = ? AND due_at_ms <= ? ORDER BY due_at_ms, id",
                limit, s -> {
                    s.setString(1, OutboxEntry.PENDING);
                    s.setLong(2, nowMs);
                });
    }

    @Override
    public List<OutboxEntry> pendingNotifications(String receiver, int limit) {
        return readOutboxes("reading pending notifications", " WHERE status = ? AND receiver = ? ORDER BY id", limit,
                s -> {
                    s.setString(1, OutboxEntry.PENDING);
                    s.setString(2, receiver);
                });
    }

    /** Outbox rows of {@code SELECT_OUTBOX + clause}, at most {@code limit}. */
    private List<OutboxEntry> readOutboxes(String what, String clause, int limit, StatementBinder binder) {
        return read(what, c -> {
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

    private interface StatementBinder {
        void bind(PreparedStatement s) throws SQLException;
    }

    static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    @Override
    public void updateNotification(OutboxEntry e) {
        inTransaction("recording a delivery attempt", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE notification_outbox SET due_at_ms = ?, attempts = ?,"
                    + " status = ?, last_error = ?, delivered_at_ms = ? WHERE id = ?")) {
                s.setLong(1, e.dueAtMs());
                s.setInt(2, e.attempts());
                s.setString(3, e.status());
                s.setString(4, e.lastError());
                setNullableLong(s, 5, e.deliveredAtMs());
                s.setLong(6, e.id());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<OutboxEntry> recentNotifications(int limit) {
        return readOutboxes("reading notifications", " ORDER BY id DESC", limit, s -> { });
    }

    @Override
    public long expireNotifications(long beforeMs) {
        return inTransaction("expiring notifications", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM notification_outbox WHERE status <> ?"
                    + " AND created_at_ms < ?")) {
                s.setString(1, OutboxEntry.PENDING);
                s.setLong(2, beforeMs);
                return (long) s.executeUpdate();
            }
        });
    }

    @Override
    public List<ModelRecord> models() {
        return read("reading models", c -> {
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

    @Override
    public Map<String, AdmittedValues> admittedValues() {
        return read("reading admitted values", c -> {
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

    @Override
    public List<TrainingEvent> trainingEvents(String model, String run) {
        Objects.requireNonNull(model, "model");
        String sql = "SELECT model, run, step, epoch, ts_ms, metrics FROM training_events WHERE model = ?"
                + (run == null ? "" : " AND run = ?") + " ORDER BY run, step, id";
        return read("reading training events of " + model, c -> {
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

    @Override
    public List<MetricEvent> metricEvents(String name, long fromMs, long toMs) {
        Objects.requireNonNull(name, "name");
        String sql = "SELECT name, value, model, labels, ts_ms FROM metric_events WHERE name = ? AND ts_ms >= ? AND ts_ms < ?"
                + " ORDER BY ts_ms, id";
        return read("reading metric events " + name, c -> {
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

    @Override
    public long expire(Map<Long, Long> profileCutoffByResolutionMs) {
        Map<Long, Long> cutoffs = Map.copyOf(profileCutoffByResolutionMs);
        return inTransaction("expiry", c -> {
            long deleted = 0;
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM window_profiles WHERE resolution_ms = ? AND window_start_ms < ?")) {
                for (Map.Entry<Long, Long> cutoff : cutoffs.entrySet()) {
                    s.setLong(1, cutoff.getKey());
                    s.setLong(2, cutoff.getValue());
                    deleted += s.executeUpdate();
                }
            }
            return deleted;
        });
    }

    @Override
    public TokenStore tokens() {
        return tokens;
    }

    @Override
    public TrainingRunStore trainingRuns() {
        return trainingRuns;
    }

    @Override
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(REACHABLE_TIMEOUT_S);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        } catch (SQLException e) {
            log.debug("{} store not reachable: {}", dialect.kind(), e.getMessage());
            return false;
        }
    }

    @Override
    public String kind() {
        return dialect.kind();
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** The pool, for tests that inspect connection settings. */
    DataSource dataSource() {
        return dataSource;
    }

    // ---- rows ----

    private static void bindKey(PreparedStatement s, int first, ProfileKey key) throws SQLException {
        s.setString(first, key.model());
        s.setString(first + 1, key.version());
        s.setString(first + 2, key.segment());
        s.setLong(first + 3, key.resolutionMs());
        s.setLong(first + 4, key.windowStartMs());
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

    // ---- transactions ----

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface RowBinder<T> {
        void bind(PreparedStatement s, T row) throws SQLException;
    }

    private static <T> void executeBatched(Connection c, String sql, Collection<T> rows, RowBinder<T> binder)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int pending = 0;
            for (T row : rows) {
                binder.bind(s, row);
                s.addBatch();
                if (++pending == BATCH_SIZE) {
                    s.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                s.executeBatch();
            }
        }
    }

    /** Runs {@code work} in one transaction: all of it commits, or it is rolled back and a StoreException thrown. */
    <T> T inTransaction(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                endTransaction(c);
            }
        } catch (SQLException | RuntimeException e) {
            throw new StoreException(what + " failed and was rolled back: " + describe(e), e);
        }
    }

    /**
     * Returns the connection to autocommit. sqlite-jdbc begins the next transaction right after a
     * commit or rollback, and with BEGIN IMMEDIATE that would hold the database's write lock while
     * the connection idles in the pool. The outcome is already decided here; should this fail the
     * connection is broken, and the pool discards it.
     */
    private static void endTransaction(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("could not return a connection to autocommit: {}", e.getMessage());
        }
    }

    <T> T read(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException | RuntimeException e) {
            throw new StoreException(what + " failed: " + describe(e), e);
        }
    }

    /**
     * The message that says what went wrong: for a failed batch, the database's own error (the
     * "next exception"), cut short; the drivers' batch messages can quote every bound value.
     */
    static String describe(Throwable e) {
        Throwable cause = e instanceof SQLException s && s.getNextException() != null ? s.getNextException() : e;
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
