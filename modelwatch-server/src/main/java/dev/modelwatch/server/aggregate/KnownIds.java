package dev.modelwatch.server.aggregate;

import org.apache.datasketches.filters.bloomfilter.BloomFilter;
import org.apache.datasketches.filters.bloomfilter.BloomFilterBuilder;

/**
 * A Bloom filter of the {@code (model, id)} of every prediction and early label that storage may
 * hold, so that a new prediction id — almost every one — needs no storage lookup to be known as
 * new. It never answers "absent" for an id it was given (no false negatives); a false "maybe"
 * only costs a lookup. Memory is fixed by the capacity (about 1.2 bytes per id at 1%); past the
 * capacity the false-positive rate grows and lookups become more frequent, never wrong. The filter
 * is rebuilt from storage at every start, when expired ids drop out.
 */
final class KnownIds {
    private static final double FALSE_POSITIVE_RATE = 0.01;
    private final BloomFilter filter;
    private long added;

    KnownIds(long capacity) {
        this.filter = BloomFilterBuilder.createByAccuracy(Math.max(1_000, capacity), FALSE_POSITIVE_RATE);
    }

    private static String key(String model, String id) {
        return model + '\u0000' + id;
    }

    void add(String model, String id) {
        filter.update(key(model, id));
        added++;
    }

    boolean mightContain(String model, String id) {
        return filter.query(key(model, id));
    }

    long added() {
        return added;
    }
}
