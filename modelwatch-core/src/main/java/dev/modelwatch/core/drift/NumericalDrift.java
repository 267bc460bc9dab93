package dev.modelwatch.core.drift;

import dev.modelwatch.core.profile.FeatureProfile;

/**
 * All drift statistics of a numerical feature, current against reference.
 *
 * <p>Usage:
 * <pre>{@code
 * NumericalDrift drift = NumericalDrift.of(referenceProfile, currentProfile);
 * double psi = drift.psi().psi();
 * double d = drift.ks().statistic();
 * }</pre>
 *
 * @param psi         PSI and Jensen–Shannon distance over the reference's decile bins
 * @param ks          two-sample Kolmogorov–Smirnov test
 * @param wasserstein Wasserstein-1 distance, also in reference standard deviations
 */
public record NumericalDrift(PsiResult psi, KsResult ks, WassersteinResult wasserstein) {
    public static NumericalDrift of(FeatureProfile reference, FeatureProfile current) {
        return new NumericalDrift(PsiDriftTest.numerical(reference, current), KsDriftTest.of(reference, current),
                WassersteinDrift.of(reference, current));
    }
}
