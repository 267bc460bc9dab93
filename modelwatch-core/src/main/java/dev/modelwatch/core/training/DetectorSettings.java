package dev.modelwatch.core.training;

/**
 * The thresholds of a run's detectors (docs/training.md, "Detectors and their default rules"); the
 * confirmation counts and averaging rates stay as tuned.
 *
 * @param divergenceFactor       {@code divergence}: the loss's recent average over its best level (3)
 * @param plateauPatience        {@code plateau}: logged steps without improvement (300)
 * @param plateauMinDelta        {@code plateau}: the improvement that counts, a fraction of the level (0.02)
 * @param overfittingRise        {@code overfitting}: validation loss rise over its best, a fraction (0.10)
 * @param explodingDecades       {@code exploding_gradients}: decades above the usual norm (2, i.e. 100x)
 * @param vanishingSpreadDecades {@code vanishing_gradients}: decades between the largest and smallest layer norm (4)
 * @param vanishingMinNorm       {@code vanishing_gradients}: a norm below this vanished (1e-7)
 * @param updateRatioHigh        {@code update_ratio}: above this the weights are rewritten (0.1)
 * @param updateRatioLow         {@code update_ratio}: below this the layer does not learn (1e-7)
 * @param deadReluFraction       {@code dead_relu}: share of a layer's units dead (0.5)
 * @param saturationFraction     {@code saturated_activations}: share of a layer's outputs saturated (0.5)
 * @param slowStepFactor         {@code slow_steps}: step time over the usual one (2)
 * @param memoryHorizonSteps     {@code memory_growth}: the limit must not be reached within this many steps (2,000)
 */
public record DetectorSettings(double divergenceFactor, int plateauPatience, double plateauMinDelta,
                               double overfittingRise, double explodingDecades, double vanishingSpreadDecades,
                               double vanishingMinNorm, double updateRatioHigh, double updateRatioLow,
                               double deadReluFraction, double saturationFraction, double slowStepFactor,
                               long memoryHorizonSteps) {
    /** The defaults, tuned on the curves of the detectors' tests (BENCHMARKS.md). */
    public static final DetectorSettings DEFAULT = new DetectorSettings(3, 300, 0.02, 0.10, 2, 4, 1e-7, 1e-1, 1e-7,
            0.5, 0.5, 2, 2_000);

    public DetectorSettings {
        positive("divergence_factor", divergenceFactor);
        if (divergenceFactor <= 1) {
            throw new IllegalArgumentException("divergence_factor: must be above 1, got " + divergenceFactor);
        }
        if (plateauPatience < 1) {
            throw new IllegalArgumentException("plateau_patience: must be at least 1, got " + plateauPatience);
        }
        fraction("plateau_min_delta", plateauMinDelta);
        positive("overfitting_rise", overfittingRise);
        positive("exploding_decades", explodingDecades);
        positive("vanishing_spread_decades", vanishingSpreadDecades);
        positive("vanishing_min_norm", vanishingMinNorm);
        positive("update_ratio_high", updateRatioHigh);
        positive("update_ratio_low", updateRatioLow);
        if (updateRatioLow >= updateRatioHigh) {
            throw new IllegalArgumentException("update_ratio_low: must be below update_ratio_high (" + updateRatioHigh
                    + "), got " + updateRatioLow);
        }
        fraction("dead_relu_fraction", deadReluFraction);
        fraction("saturation_fraction", saturationFraction);
        if (!(slowStepFactor > 1) || !Double.isFinite(slowStepFactor)) {
            throw new IllegalArgumentException("slow_step_factor: must be above 1, got " + slowStepFactor);
        }
        if (memoryHorizonSteps < 1) {
            throw new IllegalArgumentException("memory_horizon_steps: must be at least 1, got " + memoryHorizonSteps);
        }
    }

    private static void positive(String key, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(key + ": must be a positive number, got " + v);
        }
    }

    private static void fraction(String key, double v) {
        if (!(v > 0 && v < 1)) {
            throw new IllegalArgumentException(key + ": must be between 0 and 1 (exclusive), got " + v);
        }
    }
}
