package org.apache.datasketches.kll;

/**
 * Fixes the seed of the one random source KLL compaction draws from ({@code KllSketch.random}, a
 * package-private {@code java.util.Random} that DataSketches creates unseeded), so that tests over
 * sketches are reproducible. Test code only: it lives in DataSketches' package to reach the field.
 */
public final class KllSeed {
    private KllSeed() {
    }

    public static void set(long seed) {
        KllSketch.random.setSeed(seed);
    }
}
