/**
 * Performance estimation without labels (confidence-based performance estimation, CBPE, as in
 * NannyML) for classifiers that emit probability scores, from mergeable per-window statistics.
 *
 * <p>Per window a {@link dev.modelwatch.core.estimate.ConfidenceProfile} counts the scores in fixed
 * {@link dev.modelwatch.core.estimate.ScoreBins} (mergeable exactly, so hourly profiles add up to a
 * day's). A {@link dev.modelwatch.core.estimate.Calibrator}, fitted once on labelled reference data
 * (isotonic regression, or the identity for a calibrated model), turns each bin's score into the
 * probability that its events are positive. {@link dev.modelwatch.core.estimate.PerformanceEstimator}
 * then gives the expected confusion counts and the estimated accuracy, precision, recall, F1 and
 * ROC AUC with a band ({@link dev.modelwatch.core.estimate.EstimatedPerformance}): the spread the
 * realized metric will have once labels arrive, plus the calibrator's own sampling error.
 *
 * <p>The method assumes that {@code P(y | score)} is the same in production as in the reference:
 * it follows covariate shift (the estimate moves with the score distribution) but is blind to
 * concept drift. Comparing the estimate with the realized metric once labels arrive is how to
 * see the latter.
 */
package dev.modelwatch.core.estimate;
