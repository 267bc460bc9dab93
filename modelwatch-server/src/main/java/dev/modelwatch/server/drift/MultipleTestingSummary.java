package dev.modelwatch.server.drift;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.FeatureDrift;
import java.util.Collection;

/**
 * How a drift report's features were tested together: the adjustment, the tests in the family (the
 * features with a test p-value) and how many of them are significant after it. The {@code multiple_testing}
 * object of the drift answer.
 *
 * @param method      {@code benjamini_hochberg}, {@code bonferroni} or {@code none} (the model's
 *                    {@code drift.multiple_testing})
 * @param tests       features whose p-value was adjusted
 * @param significant of them, those whose adjusted p-value is at most their test's alpha
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MultipleTestingSummary(String method, int tests, int significant) {
    static MultipleTestingSummary of(Collection<FeatureDrift> features, DriftPolicy policy) {
        int tests = 0;
        int significant = 0;
        for (FeatureDrift f : features) {
            if (f.pValue() != null) {
                tests++;
                significant += f.pValue() <= f.significanceLevel() ? 1 : 0;
            }
        }
        return new MultipleTestingSummary(policy.multipleTesting().wireName(), tests, significant);
    }
}
