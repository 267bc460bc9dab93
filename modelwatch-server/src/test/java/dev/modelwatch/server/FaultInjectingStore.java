package dev.modelwatch.server;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.store.AlertHistoryEntry;
import dev.modelwatch.store.Flush;
import dev.modelwatch.store.ModelCheckpoint;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.OutboxEntry;
import dev.modelwatch.store.ProfileRead;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoreException;
import dev.modelwatch.store.StoredProfile;
import dev.modelwatch.store.StoredReference;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store that fails on purpose: commits that write a refused model's rows, every commit
 * while the database is "down", commits that hang until released, and an {@code Error} thrown once
 * from a chosen operation. Everything else goes to the real store.
 */
public final class FaultInjectingStore implements Store {
    public final Store real;
    /** Commits writing rows of this model are refused (as PostgreSQL refuses a NUL), or null. */
    public volatile String refusedModel;
    /** While true, every commit fails and the database does not answer. */
    public volatile boolean down;
    /** While set, commits wait for it (a database that hangs). */
    public volatile CountDownLatch hang;
    /** The next commit lands in the real store but fails as if the connection died before the answer came. */
    public volatile boolean loseNextAnswer;
    /** While true, reading the checkpoint fails (the database does not answer). */
    public volatile boolean checkpointUnreadable;
    public final AtomicInteger lostAnswers = new AtomicInteger();
    /** Each commit takes this long (half before the real commit, half after). */
    public volatile long commitDelayMs;
    /** Thrown once by the next commit, then cleared. */
    public volatile Error commitError;
    /** Thrown once by the next read of the outbox by a deliverer ({@link #pendingNotifications}), then cleared. */
    public volatile Error deliveryError;
    /** Thrown once by the next read of the outbox by a deliverer, then cleared (a transient failure). */
    public volatile RuntimeException deliveryFailure;
    public final AtomicInteger refusedCommits = new AtomicInteger();
    public final AtomicInteger commits = new AtomicInteger();
    public final AtomicInteger dueCalls = new AtomicInteger();
    /** The models asked for by reads of several models' profiles ({@link #profiles(String, List)}), one entry a read. */
    public final java.util.concurrent.ConcurrentLinkedQueue<List<String>> modelReads =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    public FaultInjectingStore(Store real) {
        this.real = real;
    }

    @Override
    public void commit(Flush flush) {
        Error e = commitError;
        if (e != null) {
            commitError = null;
            throw e;
        }
        if (down) {
            throw new StoreException("connection refused (the database is down)");
        }
        CountDownLatch h = hang;
        if (h != null) {
            try {
                h.await();
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while the database hung");
            }
        }
        String refused = refusedModel;
        if (refused != null && writes(flush, refused)) {
            refusedCommits.incrementAndGet();
            throw new StoreException("ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (model " + refused + ")");
        }
        long delay = commitDelayMs;
        if (delay > 0) {
            pause(delay / 2);
            real.commit(flush);
            pause(delay - delay / 2);
        } else {
            real.commit(flush);
        }
        commits.incrementAndGet();
        if (loseNextAnswer) {
            loseNextAnswer = false;
            lostAnswers.incrementAndGet();
            throw new StoreException("(conn=31) Socket error: the connection closed before the answer to COMMIT");
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted");
        }
    }

    private static boolean writes(Flush f, String model) {
        return f.deltas().keySet().stream().map(ProfileKey::model).anyMatch(model::equals)
                || f.models().stream().anyMatch(m -> m.name().equals(model));
    }

    @Override
    public Map<String, ModelCheckpoint> modelCheckpoints() {
        return real.modelCheckpoints();
    }

    @Override
    public long checkpointLsn() {
        if (checkpointUnreadable) {
            throw new StoreException("connection refused (the database does not answer)");
        }
        return real.checkpointLsn();
    }

    @Override
    public List<StoredProfile> profiles(String model, String version, String segment, long res, long from, long to) {
        return real.profiles(model, version, segment, res, from, to);
    }

    @Override
    public ProfileRead profiles(String model, String version, String segment, List<ProfileRead.Range> ranges) {
        return real.profiles(model, version, segment, ranges);
    }

    @Override
    public List<ProfileRead> profiles(String segment, List<ProfileRead.ModelRanges> requests) {
        modelReads.add(requests.stream().map(ProfileRead.ModelRanges::model).toList());
        return real.profiles(segment, requests);
    }

    @Override
    public List<ModelRecord> models() {
        return real.models();
    }

    @Override
    public Map<String, dev.modelwatch.store.AdmittedValues> admittedValues() {
        return real.admittedValues();
    }

    @Override
    public dev.modelwatch.store.TokenStore tokens() {
        return real.tokens();
    }

    @Override
    public dev.modelwatch.store.TrainingRunStore trainingRuns() {
        return real.trainingRuns();
    }

    @Override
    public dev.modelwatch.store.IncidentStore incidents() {
        return real.incidents();
    }

    @Override
    public List<MetricEvent> metricEvents(String name, long from, long to) {
        return real.metricEvents(name, from, to);
    }

    @Override
    public long scanMetricEvents(String model, long from, long to, long maxEvents,
                                 java.util.function.Consumer<MetricEvent> each) {
        return real.scanMetricEvents(model, from, to, maxEvents, each);
    }

    @Override
    public long expire(Map<Long, Long> cutoffs) {
        return real.expire(cutoffs);
    }

    @Override
    public void putReference(StoredReference reference) {
        real.putReference(reference);
    }

    @Override
    public Optional<StoredReference> findReference(String model, String version) {
        return real.findReference(model, version);
    }

    @Override
    public List<StoredReference> references(String model) {
        return real.references(model);
    }

    @Override
    public boolean deleteReference(String model, String version) {
        return real.deleteReference(model, version);
    }

    @Override
    public Optional<byte[]> alertingState(String name) {
        return real.alertingState(name);
    }

    @Override
    public List<OutboxEntry> saveAlerting(Map<String, byte[]> states, List<OutboxEntry> notifications,
                                          List<AlertHistoryEntry> history, long nowMs) {
        return real.saveAlerting(states, notifications, history, nowMs);
    }

    @Override
    public List<AlertHistoryEntry> alertHistory(String alertId, long sinceMs, int limit) {
        return real.alertHistory(alertId, sinceMs, limit);
    }

    @Override
    public long expireAlertHistory(long beforeMs) {
        return real.expireAlertHistory(beforeMs);
    }

    @Override
    public List<OutboxEntry> dueNotifications(long nowMs, int limit) {
        return real.dueNotifications(nowMs, limit);
    }

    @Override
    public List<OutboxEntry> pendingNotifications(String receiver, int limit) {
        dueCalls.incrementAndGet();
        Error e = deliveryError;
        if (e != null) {
            deliveryError = null;
            throw e;
        }
        RuntimeException f = deliveryFailure;
        if (f != null) {
            deliveryFailure = null;
            throw f;
        }
        return real.pendingNotifications(receiver, limit);
    }

    @Override
    public void updateNotification(OutboxEntry entry) {
        real.updateNotification(entry);
    }

    @Override
    public List<OutboxEntry> recentNotifications(int limit) {
        return real.recentNotifications(limit);
    }

    @Override
    public long expireNotifications(long beforeMs) {
        return real.expireNotifications(beforeMs);
    }

    @Override
    public boolean isReachable() {
        return !down && real.isReachable();
    }

    @Override
    public String kind() {
        return real.kind();
    }

    @Override
    public void close() {
        real.close();
    }
}
