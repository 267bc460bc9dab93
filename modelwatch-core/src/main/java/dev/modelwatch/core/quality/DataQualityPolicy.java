package dev.modelwatch.core.quality;

/**
 * The thresholds of the data-quality rules ({@link DataQualityCheck} states each rule).
 *
 * <ul>
 *   <li>{@code missingRateIncrease} (0.05) and {@code missingRateZ} (3): a missing rate is an issue
 *       when it exceeds the reference's by at least 0.05 absolute and the two-proportion z statistic
 *       is at least 3. Both are needed: the difference alone alarms on small windows by chance (2 of
 *       20 events missing against 0 of 20 is an increase of 0.1 with z = 1.45), the z alone alarms on
 *       large windows for changes too small to matter (3% against 1% of 100,000 events has z = 32).
 *       z = 3 is a one-sided false-alarm rate of 0.13% per feature and window.</li>
 *   <li>{@code typeMismatchShare} (0.01): the share of present values of the other type (strings
 *       for a numerical feature, numbers for a categorical one).</li>
 *   <li>{@code outOfRangeFraction} (0.01): the share of finite current values outside the reference's
 *       [min, max], beyond the share an unchanged distribution may put there.</li>
 *   <li>{@code newCategoryShare} (0.005): the least share of the current window's string values a
 *       category unknown to the reference must have to be reported.</li>
 *   <li>{@code minimumCount} (30): the fewest present values in the current window for the share
 *       rules (type mismatch, out of range, new category, constant); with fewer, one odd value is
 *       3% or more of the window.</li>
 * </ul>
 *
 * <p>Usage:
 * <pre>{@code
 * DataQualityPolicy p = DataQualityPolicy.builder().missingRateIncrease(0.1).build();
 * }</pre>
 *
 * @param missingRateIncrease least absolute increase of the missing rate, in (0, 1)
 * @param missingRateZ        least two-proportion z statistic of that increase, finite and {@code > 0}
 * @param typeMismatchShare   share of values of the other type above which it is an issue, in (0, 1)
 * @param outOfRangeFraction  share of values out of the reference's range above which it is an issue, in (0, 1)
 * @param newCategoryShare    share above which a new category is reported, in (0, 1)
 * @param minimumCount        fewest present current values for the share rules, {@code >= 1}
 */
public record DataQualityPolicy(double missingRateIncrease, double missingRateZ, double typeMismatchShare,
        double outOfRangeFraction, double newCategoryShare, long minimumCount) {
    public static final DataQualityPolicy DEFAULT = builder().build();

    public DataQualityPolicy {
        share("missingRateIncrease", missingRateIncrease);
        if (!(missingRateZ > 0 && Double.isFinite(missingRateZ))) {
            throw new IllegalArgumentException("missingRateZ must be a finite number > 0, was " + missingRateZ);
        }
        share("typeMismatchShare", typeMismatchShare);
        share("outOfRangeFraction", outOfRangeFraction);
        share("newCategoryShare", newCategoryShare);
        if (minimumCount < 1) {
            throw new IllegalArgumentException("minimumCount must be >= 1, was " + minimumCount);
        }
    }

    private static void share(String field, double v) {
        if (!(v > 0 && v < 1)) {
            throw new IllegalArgumentException(field + " must be in (0, 1), was " + v);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link DataQualityPolicy}; every field starts at its default. */
    public static final class Builder {
        private double missingRateIncrease = 0.05;
        private double missingRateZ = 3;
        private double typeMismatchShare = 0.01;
        private double outOfRangeFraction = 0.01;
        private double newCategoryShare = 0.005;
        private long minimumCount = 30;

        private Builder() {
        }

        public Builder missingRateIncrease(double v) {
            this.missingRateIncrease = v;
            return this;
        }

        public Builder missingRateZ(double v) {
            this.missingRateZ = v;
            return this;
        }

        public Builder typeMismatchShare(double v) {
            this.typeMismatchShare = v;
            return this;
        }

        public Builder outOfRangeFraction(double v) {
            this.outOfRangeFraction = v;
            return this;
        }

        public Builder newCategoryShare(double v) {
            this.newCategoryShare = v;
            return this;
        }

        public Builder minimumCount(long v) {
            this.minimumCount = v;
            return this;
        }

        public DataQualityPolicy build() {
            return new DataQualityPolicy(missingRateIncrease, missingRateZ, typeMismatchShare, outOfRangeFraction,
                    newCategoryShare, minimumCount);
        }
    }
}
