package dev.modelwatch.core.metrics;

import dev.modelwatch.core.profile.WindowProfile;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Regression errors from joined labels, exact (sums kept in the profile): MAE, RMSE, MAPE as
 * scikit-learn's {@code mean_absolute_percentage_error} (|e| / max(|y|, machine epsilon), a
 * fraction, not a percent), and R² = 1 - SSE / SST, null when the targets are constant.
 */
public record RegressionMetrics(long n, Double mae, Double rmse, Double mape, Double r2, Map<String, String> reasons) {

    public static RegressionMetrics of(WindowProfile p) {
        Map<String, String> reasons = new LinkedHashMap<>();
        long n = p.regressionCount();
        if (n == 0) {
            reasons.put("mae", p.labeled() == 0 ? "no labels yet" : "no labeled predictions with a numeric value");
            return new RegressionMetrics(0, null, null, null, null, reasons);
        }
        Double r2 = null;
        if (p.targetSumOfSquares() > 0) {
            r2 = 1 - p.squaredErrorSum() / p.targetSumOfSquares();
        } else {
            reasons.put("r2", "labels are constant; R² is undefined");
        }
        return new RegressionMetrics(n, p.absErrorSum() / n, Math.sqrt(p.squaredErrorSum() / n),
                p.absPercentErrorSum() / n, r2, reasons);
    }
}
