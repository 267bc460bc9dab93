package dev.modelwatch.server.aggregate;

import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.Store;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires, every ten minutes on the store writer, the pending rows past the join horizon and the
 * stored profiles past the retention of their resolution.
 */
final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
    static final long EXPIRE_EVERY_MS = 600_000L;

    private final Store store;
    private final PendingStore pending;
    private final Duration joinHorizon;
    /** How long the windows of each resolution are kept ({@code 0}: each model's own window). */
    private final Map<Long, Duration> retention;
    private long lastExpireMs;

    Retention(Store store, PendingStore pending, Duration joinHorizon, Map<Long, Duration> retention) {
        this.store = store;
        this.pending = pending;
        this.joinHorizon = joinHorizon;
        this.retention = Map.copyOf(retention);
    }

    /** The start of the join horizon at {@code now}: pending rows older than it are dropped. */
    long horizonStart(long now) {
        return now - joinHorizon.toMillis();
    }

    /** Counts the next expiry from {@code now}. */
    void started(long now) {
        lastExpireMs = now;
    }

    /** When an expiry is due at {@code now}, hands it to the store writer through {@code writer}. */
    void expireIfDue(long now, Collection<ModelState> models, CommitPipeline writer) {
        if (now - lastExpireMs >= EXPIRE_EVERY_MS) {
            long horizonStart = horizonStart(now);
            Map<Long, Long> cutoffs = cutoffs(now, models);
            writer.onWriter(() -> expire(horizonStart, cutoffs));
            lastExpireMs = now;
        }
    }

    private Map<Long, Long> cutoffs(long now, Collection<ModelState> models) {
        Map<Long, Long> cutoffs = new HashMap<>();
        Duration base = retention.get(0L);
        if (base != null) {
            for (ModelState s : models) {
                cutoffs.put(s.spec.windowMs(), now - base.toMillis());
            }
        }
        retention.forEach((res, d) -> {
            if (res > 0) {
                cutoffs.put(res, now - d.toMillis());
            }
        });
        return cutoffs;
    }

    /** Runs on the store writer, serialized with commits. */
    private void expire(long joinHorizonStartMs, Map<Long, Long> cutoffs) {
        try {
            pending.expire(joinHorizonStartMs);
            long n = store.expire(cutoffs);
            if (n > 0) {
                LOG.info("expired {} rows past their retention", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry failed: {}", e.getMessage());
        }
    }
}
