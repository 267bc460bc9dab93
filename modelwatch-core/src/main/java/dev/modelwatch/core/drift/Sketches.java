package dev.modelwatch.core.drift;

import dev.modelwatch.core.profile.FeatureProfile;
import org.apache.datasketches.kll.KllDoublesSketch;

/** The sketches drift statistics read from a profile, checked to be there. */
final class Sketches {
    private Sketches() {
    }

    static KllDoublesSketch numerical(FeatureProfile profile, String side) {
        KllDoublesSketch sketch = profile.quantileSketch();
        if (sketch == null || sketch.isEmpty()) {
            throw new IllegalArgumentException("the " + side + " profile has no finite numerical values");
        }
        return sketch;
    }

    /**
     * The sketch's normalized rank error for a single rank (99% confidence), or 0 while the sketch
     * still holds every value (then its ranks are exact).
     */
    static double rankError(KllDoublesSketch sketch) {
        return sketch.isEstimationMode() ? sketch.getNormalizedRankError(false) : 0;
    }
}
