package dev.modelwatch.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.profile.SketchSettings;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@link Store} on a JDBC database (SQLite, PostgreSQL, MySQL/MariaDB) through a connection
 * pool; what differs between the databases is in its {@link Dialect}. Each group of tables has its
 * repository ({@link ProfileRepository}, {@link ModelRepository}, {@link EventRepository},
 * {@link CheckpointRepository}, {@link ReferenceRepository}, {@link AlertRepository},
 * {@link OutboxRepository}, {@link JdbcTokenStore}); this class delegates to them and writes a
 * {@link Flush} across them in one transaction. Thread-safe: every call borrows its own connection.
 */
final class JdbcStore implements Store {
    private final JdbcDatabase db;
    private final Clock clock;
    private final ProfileRepository profiles;
    private final ModelRepository models;
    private final EventRepository events;
    private final CheckpointRepository checkpoints;
    private final ReferenceRepository references;
    private final OutboxRepository outbox;
    private final AlertRepository alerts;
    private final JdbcTokenStore tokens;
    private final JdbcTrainingRunStore trainingRuns;
    private final JdbcIncidentStore incidents;

    JdbcStore(HikariDataSource dataSource, Dialect dialect, SketchSettings settings, Clock clock) {
        this.db = new JdbcDatabase(dataSource, dialect);
        this.clock = clock;
        this.profiles = new ProfileRepository(db, settings);
        this.models = new ModelRepository(db);
        this.events = new EventRepository(db);
        this.checkpoints = new CheckpointRepository(db);
        this.references = new ReferenceRepository(db);
        this.outbox = new OutboxRepository(db);
        this.alerts = new AlertRepository(db, outbox);
        this.tokens = new JdbcTokenStore(db);
        this.trainingRuns = new JdbcTrainingRunStore(db);
        this.incidents = new JdbcIncidentStore(db);
    }

    /** Merges the flush's profiles and writes its models, events and checkpoints in one transaction. */
    @Override
    public void commit(Flush flush) {
        long now = clock.millis();
        db.inTransaction("commit of the flush up to log position " + flush.lsn(), c -> {
            profiles.mergeProfiles(c, flush.deltas(), now);
            models.write(c, flush);
            events.write(c, flush);
            checkpoints.write(c, flush);
            return null;
        });
    }

    @Override
    public long checkpointLsn() {
        return checkpoints.checkpointLsn();
    }

    @Override
    public Map<String, ModelCheckpoint> modelCheckpoints() {
        return checkpoints.modelCheckpoints();
    }

    @Override
    public List<StoredProfile> profiles(String model, String version, String segment, long resolutionMs,
                                        long fromMs, long toMs) {
        return profiles.profiles(model, version, segment, resolutionMs, fromMs, toMs);
    }

    @Override
    public ProfileRead profiles(String model, String version, String segment, List<ProfileRead.Range> ranges) {
        return profiles.profiles(model, version, segment, ranges);
    }

    @Override
    public List<ProfileRead> profiles(String segment, List<ProfileRead.ModelRanges> requests) {
        return profiles.profiles(segment, requests);
    }

    @Override
    public long expire(Map<Long, Long> profileCutoffByResolutionMs) {
        return profiles.expire(profileCutoffByResolutionMs);
    }

    @Override
    public List<ModelRecord> models() {
        return models.models();
    }

    @Override
    public Map<String, AdmittedValues> admittedValues() {
        return models.admittedValues();
    }

    @Override
    public List<MetricEvent> metricEvents(String name, long fromMs, long toMs) {
        return events.metricEvents(name, fromMs, toMs);
    }

    @Override
    public long scanMetricEvents(String model, long fromMs, long toMs, long maxEvents,
                                 java.util.function.Consumer<MetricEvent> each) {
        return events.scanMetricEvents(model, fromMs, toMs, maxEvents, each);
    }

    @Override
    public void putReference(StoredReference r) {
        references.putReference(r);
    }

    @Override
    public Optional<StoredReference> findReference(String model, String version) {
        return references.findReference(model, version);
    }

    @Override
    public List<StoredReference> references(String model) {
        return references.references(model);
    }

    @Override
    public boolean deleteReference(String model, String version) {
        return references.deleteReference(model, version);
    }

    @Override
    public Optional<byte[]> alertingState(String name) {
        return alerts.alertingState(name);
    }

    @Override
    public List<OutboxEntry> saveAlerting(Map<String, byte[]> states, List<OutboxEntry> notifications,
                                          List<AlertHistoryEntry> history, long nowMs) {
        return alerts.saveAlerting(states, notifications, history, nowMs);
    }

    @Override
    public List<AlertHistoryEntry> alertHistory(String alertId, long sinceMs, int limit) {
        return alerts.alertHistory(alertId, sinceMs, limit);
    }

    @Override
    public long expireAlertHistory(long beforeMs) {
        return alerts.expireAlertHistory(beforeMs);
    }

    @Override
    public List<OutboxEntry> dueNotifications(long nowMs, int limit) {
        return outbox.dueNotifications(nowMs, limit);
    }

    @Override
    public List<OutboxEntry> pendingNotifications(String receiver, int limit) {
        return outbox.pendingNotifications(receiver, limit);
    }

    @Override
    public void updateNotification(OutboxEntry e) {
        outbox.updateNotification(e);
    }

    @Override
    public List<OutboxEntry> recentNotifications(int limit) {
        return outbox.recentNotifications(limit);
    }

    @Override
    public long expireNotifications(long beforeMs) {
        return outbox.expireNotifications(beforeMs);
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
    public IncidentStore incidents() {
        return incidents;
    }

    @Override
    public boolean isReachable() {
        return db.isReachable();
    }

    @Override
    public String kind() {
        return db.dialect().kind();
    }

    @Override
    public void close() {
        db.close();
    }

    /** The pool, for tests that inspect connection settings. */
    DataSource dataSource() {
        return db.dataSource();
    }
}
