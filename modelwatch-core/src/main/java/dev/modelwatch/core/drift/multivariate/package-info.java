/**
 * Multivariate drift of numerical features: a change in their joint distribution that every
 * marginal, and so every univariate test of {@link dev.modelwatch.core.drift}, can miss.
 *
 * <p>{@link dev.modelwatch.core.drift.multivariate.CoMoments} accumulates, per window, the exact and
 * mergeable means and pairwise-complete co-moments of a fixed list of features;
 * {@link dev.modelwatch.core.drift.multivariate.PcaReconstructionModel} is fitted on the reference's
 * co-moments (as NannyML's data reconstruction with PCA) and gives any window, or any union of
 * windows, its mean squared reconstruction error exactly from those moments, against a band
 * estimated from the reference's own chunks
 * ({@link dev.modelwatch.core.drift.multivariate.MultivariateDriftResult}).
 */
package dev.modelwatch.core.drift.multivariate;
