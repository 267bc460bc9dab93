/**
 * Drift statistics between a reference {@link dev.modelwatch.core.profile.FeatureProfile} and a
 * current one, computed from their sketches alone: for numerical features PSI and Jensen–Shannon
 * over the reference's deciles ({@link dev.modelwatch.core.drift.PsiDriftTest}), the two-sample
 * Kolmogorov–Smirnov test ({@link dev.modelwatch.core.drift.KsDriftTest}) and the Wasserstein-1
 * distance ({@link dev.modelwatch.core.drift.WassersteinDrift}), together in
 * {@link dev.modelwatch.core.drift.NumericalDrift}; for categorical features PSI, Jensen–Shannon and
 * the chi-square test of homogeneity ({@link dev.modelwatch.core.drift.CategoricalDrift}).
 *
 * <p>Every statistic computed from a KLL sketch carries, or is documented with, the error the
 * sketch adds; a drift decision must not rest on a statistic whose error is coarser than the drift
 * it has to see (see {@code PERFORMANCE.md}: KS from KLL k=200 is off by about 0.01).
 */
package dev.modelwatch.core.drift;
