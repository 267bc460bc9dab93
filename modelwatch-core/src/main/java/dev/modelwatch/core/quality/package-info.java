/**
 * Data-quality checks of a window against its reference, from profiles alone: missing-rate jumps,
 * values of the wrong type, values outside the reference's range, new categories, features gone
 * constant, schema changes (features absent or new), NaN and infinite values, and scores outside
 * [0, 1] ({@link dev.modelwatch.core.quality.DataQualityCheck}, thresholds in
 * {@link dev.modelwatch.core.quality.DataQualityPolicy}). Each finding is a
 * {@link dev.modelwatch.core.quality.DataQualityIssue}; the same measures are also available as
 * per-feature metric values, for series and alert rules.
 */
package dev.modelwatch.core.quality;
