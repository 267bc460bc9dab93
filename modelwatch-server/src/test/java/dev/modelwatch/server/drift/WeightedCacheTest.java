package dev.modelwatch.server.drift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The drift reference cache's bound (limits.max_cached_reference_bytes): least recently used out first. */
class WeightedCacheTest {
    @Test
    void theLeastRecentlyUsedValuesAreDroppedUntilTheWeightFits() {
        WeightedCache<String, String> cache = new WeightedCache<>(100);
        cache.put("a", "A", 40);
        cache.put("b", "B", 40);
        assertThat(cache.get("a")).isEqualTo("A"); // a is now the most recently used
        cache.put("c", "C", 40);
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isEqualTo("A");
        assertThat(cache.get("c")).isEqualTo("C");
        assertThat(cache.weight()).isEqualTo(80);
        cache.put("a", "A2", 10);
        assertThat(cache.weight()).isEqualTo(50);
    }

    @Test
    void aValueHeavierThanTheBoundIsKeptAloneAndRemovalKeepsTheWeight() {
        WeightedCache<String, String> cache = new WeightedCache<>(100);
        cache.put("m\u0000", "x", 30);
        cache.put("m\u0000v1", "y", 30);
        cache.put("big", "z", 500);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get("big")).isEqualTo("z");
        cache.put("m\u0000", "x", 30);
        cache.removeIf(k -> k.startsWith("m\u0000"));
        assertThat(cache.size()).isEqualTo(0);
        assertThat(cache.weight()).isZero();
    }
}
