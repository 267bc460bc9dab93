package dev.modelwatch.core.drift;

/**
 * Wasserstein-1 (earth mover's) distance between the reference and current distributions.
 *
 * @param distance     {@code W1 = integral |F_ref(x) - F_cur(x)| dx}, in the feature's units
 * @param normalized   {@code distance / referenceStd}: the drift in reference standard deviations
 *                     (NaN when the reference has fewer than two values or no spread)
 * @param referenceStd the reference's sample standard deviation (n - 1), exact from the profile
 * @param errorBound   how far {@code distance} may be from the exact samples' W1:
 *                     {@code eps_ref (max_ref - min_ref) + eps_cur (max_cur - min_cur)}
 */
public record WassersteinResult(double distance, double normalized, double referenceStd, double errorBound) {
    public WassersteinResult {
        if (!(distance >= 0)) {
            throw new IllegalArgumentException("distance must be >= 0, was " + distance);
        }
    }
}
