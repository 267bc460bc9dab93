package dev.modelwatch.core.profile;

/**
 * Sizes of the sketches in a new profile.
 *
 * <p>Input features get their own, larger KLL size because drift decisions rest on them: the
 * Kolmogorov–Smirnov statistic from two sketches is off by up to the sum of their rank errors, about
 * 0.027 with k = 200 on both sides but under 0.01 with k = 800 against a reference of k = 2,000 (see
 * {@code KsDriftTest}). Latency, output and score quantiles are reported, not tested, and keep the
 * smaller size.
 *
 * @param kllK          KLL accuracy parameter for latency, output and score values; rank error about
 *                      1.33% at 200 (single quantile, 99% confidence, DataSketches' documentation)
 * @param featureKllK   KLL accuracy parameter for numerical input features; about 0.35% at 800
 * @param itemsMapSize  frequent-items map size for categorical values (a power of two); counts are
 *                      exact while a window has fewer than {@code 0.75 * itemsMapSize} distinct values
 * @param hllLgK        log2 of HLL buckets for distinct counts; relative error about 1.04/sqrt(2^lgK)
 * @param multivariateFeatures how many numerical features the co-moments for multivariate drift cover
 *                      (0 for none; at most 64, each event costs d(d+1)/2 multiply-adds)
 */
public record SketchSettings(int kllK, int featureKllK, int itemsMapSize, int hllLgK, int multivariateFeatures) {
    /** The most features co-moments cover. */
    public static final int MAX_MULTIVARIATE_FEATURES = 64;
    /** Window profiles: k = 200 for latency/output/score, 800 for features, co-moments of 64 features. */
    public static final SketchSettings DEFAULT = new SketchSettings(200, 800, 64, 12, MAX_MULTIVARIATE_FEATURES);
    /** References: one profile per model version, so it can afford an error well below a window's. */
    public static final SketchSettings REFERENCE = new SketchSettings(800, 2000, 1024, 14, MAX_MULTIVARIATE_FEATURES);

    public SketchSettings {
        if (kllK < 8 || kllK > 65535) {
            throw new IllegalArgumentException("kllK must be in [8, 65535], was " + kllK);
        }
        if (featureKllK < 8 || featureKllK > 65535) {
            throw new IllegalArgumentException("featureKllK must be in [8, 65535], was " + featureKllK);
        }
        if (itemsMapSize < 8 || Integer.bitCount(itemsMapSize) != 1) {
            throw new IllegalArgumentException("itemsMapSize must be a power of two >= 8, was " + itemsMapSize);
        }
        if (hllLgK < 4 || hllLgK > 21) {
            throw new IllegalArgumentException("hllLgK must be in [4, 21], was " + hllLgK);
        }
        if (multivariateFeatures < 0 || multivariateFeatures > MAX_MULTIVARIATE_FEATURES) {
            throw new IllegalArgumentException("multivariateFeatures must be in [0, " + MAX_MULTIVARIATE_FEATURES
                    + "], was " + multivariateFeatures);
        }
    }

    /** Separate sizes for features; co-moments of up to 64 features. */
    public SketchSettings(int kllK, int featureKllK, int itemsMapSize, int hllLgK) {
        this(kllK, featureKllK, itemsMapSize, hllLgK, MAX_MULTIVARIATE_FEATURES);
    }

    /** The same sizes for every sketch: {@code kllK} for features too. */
    public SketchSettings(int kllK, int itemsMapSize, int hllLgK) {
        this(kllK, kllK, itemsMapSize, hllLgK, MAX_MULTIVARIATE_FEATURES);
    }

    /**
     * The sizes of a segment's profiles: every event updates its model's profile and one per segment,
     * so segments keep the smaller KLL size for features too and no co-moments. Drift by segment then
     * carries the larger error bound of k = 200 (the decisions account for it), and multivariate drift
     * is answered for the model as a whole.
     */
    public SketchSettings forSegments() {
        return new SketchSettings(kllK, kllK, itemsMapSize, hllLgK, 0);
    }

    /** These settings with {@link #featureKllK} as the KLL size: what a feature's profile uses. */
    public SketchSettings forFeatures() {
        return featureKllK == kllK ? this
                : new SketchSettings(featureKllK, featureKllK, itemsMapSize, hllLgK, multivariateFeatures);
    }
}
