package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.Flush;
import dev.modelwatch.store.ModelCheckpoint;
import dev.modelwatch.store.Store;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One commit on the store writer that keeps a model storage refuses from blocking the others.
 *
 * <p>All models' changes go in one transaction with the global checkpoint. Should it fail, each
 * model is committed alone (with a per-model checkpoint ahead of the global one). If none of them
 * succeeds and storage refuses even a checkpoint write, storage is down: nothing is held, the whole
 * commit is retried. Otherwise the models that failed are held: their changes stay in memory, a
 * per-model checkpoint records where their stored rows stop, and the global checkpoint moves on,
 * all in one last transaction. A model held for longer than {@code parkAfter} has its events
 * parked ({@link ModelParking}) and is released in that same transaction.
 */
final class IsolatingCommit {
    private static final Logger LOG = LoggerFactory.getLogger(IsolatingCommit.class);

    /**
     * What a commit did.
     *
     * @param globalCommitted whether the global checkpoint is now the commit's position
     * @param committed       models whose changes are in storage now
     * @param failed          models whose changes are not (they go back into memory), with why
     * @param parked          models whose events were parked and released
     * @param checkpoints     the per-model checkpoints storage holds now
     * @param failure         why the commit (or its last step) failed, or null
     */
    record Result(boolean globalCommitted, Set<String> committed, Map<String, String> failed,
                  Map<String, ModelParking.Parked> parked, Map<String, ModelCheckpoint> checkpoints,
                  RuntimeException failure) {
        boolean outage() {
            return !globalCommitted && committed.isEmpty();
        }
    }

    private IsolatingCommit() {
    }

    /**
     * @param lsn          the log position the commit reflects
     * @param globalBefore the global checkpoint before it
     * @param checkpoints  the per-model checkpoints storage holds before it
     * @param landing      tells whether the first transaction, should it fail, landed anyway
     */
    static Result run(Store store, ModelParts parts, long lsn, long globalBefore, Map<String, ModelCheckpoint> checkpoints,
                      long nowMs, Duration parkAfter, ModelParking parking, CommitLanding landing) {
        // a copy: the result outlives the commit (in the queued task that reports it), the parts must not
        Set<String> all = new TreeSet<>(parts.models());
        Set<String> released = new TreeSet<>();
        for (ModelCheckpoint c : checkpoints.values()) {
            if (all.contains(c.model()) || (!c.held() && c.lsn() <= lsn)) {
                released.add(c.model());
            }
        }
        RuntimeException first;
        try {
            store.commit(parts.flush(all, lsn, List.of(), released));
            return committedWhole(all, released, checkpoints, null);
        } catch (RuntimeException e) {
            first = e;
        }
        if (lsn > globalBefore) {
            // the connection may have died after the database took the COMMIT: committing these changes
            // again with the next ones would count them twice, so storage's checkpoint decides first
            switch (landing.of(lsn, globalBefore, first)) {
                case LANDED -> {
                    return committedWhole(all, released, checkpoints, null);
                }
                case UNKNOWN -> {
                    return outage(checkpoints, first);
                }
                case NOT_LANDED -> {
                    // storage answered: below, which of the models it refuses
                }
            }
        }
        if (!store.isReachable()) {
            return outage(checkpoints, first);
        }
        // one model at a time: which of them does storage refuse?
        Map<String, ModelCheckpoint> after = new HashMap<>(checkpoints);
        Set<String> committed = new TreeSet<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (String m : all) {
            ModelCheckpoint ahead = new ModelCheckpoint(m, lsn, 0, null);
            try {
                store.commit(parts.flush(List.of(m), -1, List.of(ahead), Set.of()));
                committed.add(m);
                after.put(m, ahead);
            } catch (RuntimeException e) {
                failed.put(m, e.getMessage());
            }
        }
        if (committed.isEmpty()) {
            try {
                store.commit(Flush.checkpointOnly(globalBefore));
            } catch (RuntimeException e) {
                return outage(checkpoints, first);
            }
        }
        // storage takes writes: hold the models it refuses, park those held too long, move the checkpoint on
        List<ModelCheckpoint> holds = new ArrayList<>();
        Set<String> release = new TreeSet<>(committed);
        for (ModelCheckpoint c : checkpoints.values()) {
            if (!c.held() && c.lsn() <= lsn && !failed.containsKey(c.model())) {
                release.add(c.model());
            }
        }
        Map<String, ModelParking.Parked> parked = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : failed.entrySet()) {
            String m = f.getKey();
            ModelCheckpoint existing = checkpoints.get(m);
            long heldSince = existing != null && existing.held() ? existing.heldSinceMs() : nowMs;
            long from = existing != null ? existing.lsn() : globalBefore;
            if (nowMs - heldSince >= parkAfter.toMillis()) {
                try {
                    ModelParking.Parked p = parking.park(m, from, lsn, f.getValue());
                    if (p != null) {
                        parked.put(m, p);
                        release.add(m);
                        continue;
                    }
                } catch (RuntimeException e) {
                    LOG.error("model {}: its events could not be parked ({}); they stay held", display(m), e.getMessage());
                }
            }
            holds.add(new ModelCheckpoint(m, from, heldSince, f.getValue()));
        }
        try {
            store.commit(new Flush(lsn, Map.of(), List.of(), List.of(), holds, release, List.of()));
        } catch (RuntimeException e) {
            parked.values().stream().filter(p -> p.id() != null).forEach(p -> parking.discard(p.id()));
            parked.keySet().forEach(m -> failed.putIfAbsent(m, e.getMessage()));
            return new Result(false, committed, failed, Map.of(), after, e);
        }
        after.keySet().removeAll(release);
        parked.keySet().forEach(failed::remove);
        for (ModelCheckpoint h : holds) {
            after.put(h.model(), h);
        }
        return new Result(true, committed, failed, parked, after, first);
    }

    /** Every model's changes and the global checkpoint are in storage; {@code released} models' checkpoints are gone. */
    private static Result committedWhole(Set<String> all, Set<String> released, Map<String, ModelCheckpoint> checkpoints,
                                         RuntimeException failure) {
        Map<String, ModelCheckpoint> after = new HashMap<>(checkpoints);
        after.keySet().removeAll(released);
        return new Result(true, all, Map.of(), Map.of(), after, failure);
    }

    private static Result outage(Map<String, ModelCheckpoint> checkpoints, RuntimeException failure) {
        return new Result(false, Set.of(), Map.of(), Map.of(), checkpoints, failure);
    }

    /** A model as named in messages: the metric events without one are {@code (metrics without a model)}. */
    static String display(String model) {
        return model.isEmpty() ? "(metrics without a model)" : model;
    }
}
