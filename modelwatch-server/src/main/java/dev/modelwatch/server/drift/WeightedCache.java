package dev.modelwatch.server.drift;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A least-recently-used cache bounded by the total weight (estimated bytes) of its values: putting a
 * value evicts the least recently used ones until the total fits, though never the value just put.
 * Thread-safe (every call holds the cache's lock; calls are short).
 */
final class WeightedCache<K, V> {
    private record Weighted<V>(V value, long weight) {
    }

    private final long maxWeight;
    private final LinkedHashMap<K, Weighted<V>> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long weight;

    WeightedCache(long maxWeight) {
        this.maxWeight = maxWeight;
    }

    synchronized V get(K key) {
        Weighted<V> w = entries.get(key);
        return w == null ? null : w.value();
    }

    synchronized void put(K key, V value, long valueWeight) {
        Weighted<V> old = entries.put(key, new Weighted<>(value, valueWeight));
        weight += valueWeight - (old == null ? 0 : old.weight());
        Iterator<Map.Entry<K, Weighted<V>>> eldest = entries.entrySet().iterator();
        while (weight > maxWeight && entries.size() > 1) {
            Map.Entry<K, Weighted<V>> e = eldest.next();
            if (e.getKey().equals(key)) {
                continue;
            }
            weight -= e.getValue().weight();
            eldest.remove();
        }
    }

    synchronized void removeIf(Predicate<K> keys) {
        entries.entrySet().removeIf(e -> {
            if (keys.test(e.getKey())) {
                weight -= e.getValue().weight();
                return true;
            }
            return false;
        });
    }

    synchronized long weight() {
        return weight;
    }

    synchronized int size() {
        return entries.size();
    }
}
