package dev.modelwatch.store;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.profile.PendingPrediction;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Durable state of ModelWatch: window profiles at every resolution, pending predictions waiting
 * for labels, early labels, models, metric events, and the ingest-log checkpoint.
 * One writer (the aggregation runtime) calls {@link #commit(Flush)}; readers may call the rest
 * concurrently.
 *
 * <p>Usage:
 * <pre>{@code
 * try (Store store = Stores.open("jdbc:sqlite:data/modelwatch.db", SketchSettings.DEFAULT)) {
 *     long replayFrom = store.checkpointLsn();
 *     store.commit(flush);
 *     List<StoredProfile> day = store.profiles("fraud", null, ProfileKey.ALL, 60_000, from, to);
 * }
 * }</pre>
 */
public interface Store extends AutoCloseable {

    /** The log position of the last committed flush; 0 when nothing was ever committed. */
    long checkpointLsn();

    /** Commits a flush atomically: all of it, with its checkpoint, or none of it. */
    void commit(Flush flush);

    /**
     * The per-model checkpoints (holds and models committed ahead of the global checkpoint), by
     * model; empty in the normal case. See {@link Flush#modelCheckpoints()}.
     */
    default java.util.Map<String, ModelCheckpoint> modelCheckpoints() {
        return java.util.Map.of();
    }

    /**
     * Stored profiles of one model and segment at one resolution whose window starts in
     * {@code [fromMs, toMs)}, ordered by window start.
     *
     * @param version one version, or {@code null} for every version (one entry per version and window)
     */
    List<StoredProfile> profiles(String model, String version, String segment, long resolutionMs, long fromMs, long toMs);

    /**
     * Stored profiles of one model and segment over several ranges and the checkpoint they
     * include, read as one statement (one snapshot) so that a commit landing meanwhile is either
     * wholly in the answer or wholly out of it. See {@link ProfileRead}.
     *
     * @param version one version, or {@code null} for every version
     */
    ProfileRead profiles(String model, String version, String segment, List<ProfileRead.Range> ranges);

    /**
     * {@link #profiles(String, String, String, List)} of several models (every version), each over its
     * own ranges, in a few statements instead of one a model: the dashboard's overview of every model.
     * Each model's answer comes from one statement, so it is one snapshot with the checkpoint it includes.
     *
     * @param requests at most one a model
     * @return one read a request, in the order of the requests
     * @throws IllegalArgumentException when a model is asked for twice
     */
    List<ProfileRead> profiles(String segment, List<ProfileRead.ModelRanges> requests);

    /** Every stored model. */
    List<ModelRecord> models();

    /** What each model has been admitted under the limits, by model (as of the checkpoint). */
    Map<String, AdmittedValues> admittedValues();

    /** Metric events with this name in {@code [fromMs, toMs)}, ordered by time. */
    List<MetricEvent> metricEvents(String name, long fromMs, long toMs);

    /**
     * Hands {@code each} the metric events of every name in {@code [fromMs, toMs)} (of {@code model}
     * only when it is not null), ordered by time, at most {@code maxEvents} of them; returns how many it
     * handed (at most {@code maxEvents}: the range held more when it is reached).
     */
    long scanMetricEvents(String model, long fromMs, long toMs, long maxEvents,
                          java.util.function.Consumer<MetricEvent> each);

    /**
     * Deletes the profiles past their retention: those of each resolution whose window starts
     * before the cut-off given for it.
     *
     * @return the number of rows deleted
     */
    long expire(Map<Long, Long> profileCutoffByResolutionMs);

    /**
     * Stores a reference, replacing the one of the same model and version in one transaction: a
     * reader sees the old one or the new one, never neither.
     */
    void putReference(StoredReference reference);

    /**
     * The reference for a model's version: its own, else the model's {@link StoredReference#ANY_VERSION}
     * one, else empty. With {@code version} null, the {@code ANY_VERSION} one.
     */
    java.util.Optional<StoredReference> findReference(String model, String version);

    /** Every reference of a model, without their data (an empty array), by version. */
    List<StoredReference> references(String model);

    /** Deletes a model's reference for exactly this version; whether there was one. */
    boolean deleteReference(String model, String version);

    /** A named alerting state document, or empty before the first save. */
    java.util.Optional<byte[]> alertingState(String name);

    /**
     * Saves alerting state documents, queues the notifications they decided on and appends the alert
     * state changes to the history, in one
     * transaction: either all of it is stored or none.
     *
     * @return the queued entries with their ids
     */
    List<OutboxEntry> saveAlerting(Map<String, byte[]> states, List<OutboxEntry> notifications,
                                   List<AlertHistoryEntry> history, long nowMs);

    /** State changes of one alert (or of all, with {@code alertId} null) since {@code sinceMs}, newest first. */
    List<AlertHistoryEntry> alertHistory(String alertId, long sinceMs, int limit);

    /** Deletes alert history older than {@code beforeMs}; the number deleted. */
    long expireAlertHistory(long beforeMs);

    /** Pending notifications due at {@code nowMs}, oldest first, at most {@code limit}. */
    List<OutboxEntry> dueNotifications(long nowMs, int limit);

    /**
     * Every pending notification of {@code receiver} (due or waiting for a retry), oldest first
     * ({@code id} order), at most {@code limit}: a receiver's delivery queue reads them to drop the
     * ones a newer notification of the same group supersedes.
     */
    default List<OutboxEntry> pendingNotifications(String receiver, int limit) {
        return dueNotifications(Long.MAX_VALUE, Integer.MAX_VALUE).stream().filter(e -> e.receiver().equals(receiver))
                .sorted(java.util.Comparator.comparingLong(OutboxEntry::id)).limit(limit).toList();
    }

    /** Records the outcome of a delivery attempt (attempts, status, next due time, error, delivery time). */
    void updateNotification(OutboxEntry entry);

    /** The most recent notifications (any status), newest first, at most {@code limit}. */
    List<OutboxEntry> recentNotifications(int limit);

    /** Deletes delivered and failed notifications created before {@code beforeMs}; the number deleted. */
    long expireNotifications(long beforeMs);

    /** The API tokens (their hashes). */
    TokenStore tokens();

    /** The training runs. */
    TrainingRunStore trainingRuns();

    /** The incidents. */
    IncidentStore incidents();

    /** Whether the database answers a trivial query now. */
    boolean isReachable();

    /** A short name of the database kind: {@code sqlite}, {@code postgresql} or {@code mysql}. */
    String kind();

    @Override
    void close();
}
