package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.store.EarlyLabel;
import dev.modelwatch.store.PendingStore;
import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;

/** A pending store that hands every call to a real one; tests override the calls they disturb. */
abstract class ForwardingPendingStore implements PendingStore {
    final PendingStore real;

    ForwardingPendingStore(PendingStore real) {
        this.real = real;
    }

    @Override
    public long checkpointLsn() {
        return real.checkpointLsn();
    }

    @Override
    public void write(PendingWrite write) {
        real.write(write);
    }

    @Override
    public Map<String, PendingPrediction> findPredictions(String model, Collection<String> ids) {
        return real.findPredictions(model, ids);
    }

    @Override
    public Map<String, EarlyLabel> findEarlyLabels(String model, Collection<String> ids) {
        return real.findEarlyLabels(model, ids);
    }

    @Override
    public void scanIds(BiConsumer<String, String> consumer) {
        real.scanIds(consumer);
    }

    @Override
    public long expire(long horizonStartMs) {
        return real.expire(horizonStartMs);
    }

    @Override
    public void close() {
        real.close();
    }
}
