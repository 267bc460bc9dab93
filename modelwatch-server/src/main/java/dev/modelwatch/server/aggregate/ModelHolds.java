package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.ModelCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models whose writes storage refuses: when each is tried again (see {@link Retries}), when it
 * is parked, and what readiness sees.
 */
final class ModelHolds {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    /** A model whose writes storage refuses, owned by the aggregation thread. */
    private static final class Hold {
        final long sinceMs;
        String lastError;
        int attempts;
        long nextAttemptMs;

        Hold(long sinceMs, String lastError) {
            this.sinceMs = sinceMs;
            this.lastError = lastError;
        }
    }

    private final Map<String, Hold> holds = new HashMap<>();
    /** {@link #holds} as readiness reads it, from any thread. */
    private volatile List<Aggregator.HoldView> views = List.of();
    private final Retries retries;
    private Duration parkAfter = Duration.ofDays(36_500);
    private ModelParking parking = ModelParking.NONE;
    private RandomGenerator random = new java.util.SplittableRandom(1);

    /** Holds the models whose checkpoints at start say storage refused them. */
    ModelHolds(Retries retries, Map<String, ModelCheckpoint> checkpointsAtStart) {
        this.retries = retries;
        for (ModelCheckpoint c : checkpointsAtStart.values()) {
            if (c.held()) {
                holds.put(c.model(), new Hold(c.heldSinceMs(), c.lastError()));
                LOG.warn("model {}: storage refused its writes before this start ({}); its events after log position {} "
                        + "are replayed and retried", IsolatingCommit.display(c.model()), c.lastError(), c.lsn());
            }
        }
        publish();
    }

    /** Parks a model's events through {@code parking} once its writes have failed for {@code parkAfter}. */
    void configure(Duration parkAfter, ModelParking parking, RandomGenerator random) {
        this.parkAfter = parkAfter;
        this.parking = parking;
        this.random = random;
    }

    Duration parkAfter() {
        return parkAfter;
    }

    ModelParking parking() {
        return parking;
    }

    /** The held models not yet due for their next try at {@code now}: they stay out of a commit. */
    Set<String> notDue(long now) {
        Set<String> deferred = new HashSet<>();
        holds.forEach((m, h) -> {
            if (h.nextAttemptMs > now) {
                deferred.add(m);
            }
        });
        return deferred;
    }

    /** Storage refused {@code model}'s writes at {@code now}: holds it (again), until its next try. */
    void refused(String model, String why, long now) {
        Hold h = holds.get(model);
        if (h == null) {
            h = new Hold(now, why);
            holds.put(model, h);
            LOG.error("model {}: storage refuses its writes ({}); the other models go on, its changes are kept in "
                    + "memory and the ingest log, retried with backoff, and parked in the dead-letter directory "
                    + "after {} s", IsolatingCommit.display(model), why, parkAfter.toSeconds());
        }
        h.attempts++;
        h.lastError = why;
        h.nextAttemptMs = retries.nextHoldAttemptMs(h.attempts, now, random);
    }

    /** Storage took {@code model}'s writes: it is no longer held. */
    void committed(String model) {
        if (holds.remove(model) != null) {
            LOG.info("model {}: storage takes its writes again", IsolatingCommit.display(model));
        }
    }

    /** {@code model}'s events were parked: it is no longer held. */
    void parked(String model) {
        holds.remove(model);
    }

    boolean isHeld(String model) {
        return holds.containsKey(model);
    }

    /** Makes the holds as they are now what {@link #views()} returns. */
    void publish() {
        List<Aggregator.HoldView> out = new ArrayList<>();
        holds.forEach((m, h) -> out.add(new Aggregator.HoldView(m, h.sinceMs, h.lastError)));
        views = List.copyOf(out);
    }

    /** The models whose writes storage refuses now, from any thread. */
    List<Aggregator.HoldView> views() {
        return views;
    }
}
