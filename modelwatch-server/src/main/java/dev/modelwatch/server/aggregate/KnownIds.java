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

    /**
     * A 64-bit hash of the pair, computed over the characters without building a joined string
     * or its bytes (this runs for every prediction and label). Two independent 32-bit lanes, each
     * finished with a MurmurHash3 mixer; the filter hashes the long again.
     */
    static long key(String model, String id) {
        int a = 0x9747b28c;
        int b = 0x5bd1e995;
        for (int i = 0; i < model.length(); i++) {
            char c = model.charAt(i);
            a = 31 * a + c;
            b = 0x01000193 * (b ^ c);
        }
        a = 31 * a; // the separator: ("ab", "c") and ("a", "bc") differ
        b = 0x01000193 * (b ^ 0xffff);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            a = 31 * a + c;
            b = 0x01000193 * (b ^ c);
        }
        return ((long) mix(a) << 32) | (mix(b) & 0xffffffffL);
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    void add(String model, String id) {
        filter.update(key(model, id));
        added++;
    }

    /**
     * Adds the pair and answers whether it might have been known before: {@link #mightContain} and
     * {@link #add} in one pass over the filter's bits (one hash, one set of memory reads).
     */
    boolean addAndCheck(String model, String id) {
        boolean before = filter.queryAndUpdate(key(model, id));
        if (!before) {
            added++;
        }
        return before;
    }

    /**
     * Sets the pair's bits and answers whether it might have been known before, without counting
     * it in {@link #added()}: for a label id, which is counted by {@link #add} when it is kept as
     * an early label (and is in the filter already otherwise).
     */
    boolean markAndCheck(String model, String id) {
        return filter.queryAndUpdate(key(model, id));
    }

    boolean mightContain(String model, String id) {
        return filter.query(key(model, id));
    }

    long added() {
        return added;
    }
}
