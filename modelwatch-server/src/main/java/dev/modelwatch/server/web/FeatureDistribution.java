package dev.modelwatch.server.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code GET /api/v1/dashboard/models/{model}/distribution}: one feature's current distribution over
 * its reference's, read from the stored sketches (KLL quantiles for numbers, frequent items for
 * categories).
 *
 * @param type           {@code numerical} or {@code categorical}
 * @param currentCount   values of the feature in the range (missing ones left out)
 * @param referenceCount values of the feature in the reference; 0 without a reference
 * @param points         numerical: the cumulative distribution of both at common values, ascending
 * @param categories     categorical: the share of each of the most frequent values in both
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FeatureDistribution(String model, String feature, String type, long currentCount, long referenceCount,
                                  List<CdfPoint> points, List<CategoryShare> categories) {
    /** Both cumulative distributions at {@code value}; null where that side has no values. */
    public record CdfPoint(double value, Double current, Double reference) {
    }

    /** The share of one category in both; null where that side has no values. */
    public record CategoryShare(String value, Double current, Double reference) {
    }
}
