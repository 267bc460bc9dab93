package dev.modelwatch.core.profile;

/**
 * Sizes of the sketches in a new profile.
 *
 * @param kllK          KLL accuracy parameter for numerical values; rank error about 1.33% at 200
 *                      (single quantile, 99% confidence, DataSketches' documentation)
 * @param itemsMapSize  frequent-items map size for categorical values (a power of two); counts are
 *                      exact while a window has fewer than {@code 0.75 * itemsMapSize} distinct values
 * @param hllLgK        log2 of HLL buckets for distinct counts; relative error about 1.04/sqrt(2^lgK)
 */
public record SketchSettings(int kllK, int itemsMapSize, int hllLgK) {
    public static final SketchSettings DEFAULT = new SketchSettings(200, 64, 12);

    public SketchSettings {
        if (kllK < 8 || kllK > 65535) {
            throw new IllegalArgumentException("kllK must be in [8, 65535], was " + kllK);
        }
        if (itemsMapSize < 8 || Integer.bitCount(itemsMapSize) != 1) {
            throw new IllegalArgumentException("itemsMapSize must be a power of two >= 8, was " + itemsMapSize);
        }
        if (hllLgK < 4 || hllLgK > 21) {
            throw new IllegalArgumentException("hllLgK must be in [4, 21], was " + hllLgK);
        }
    }
}
