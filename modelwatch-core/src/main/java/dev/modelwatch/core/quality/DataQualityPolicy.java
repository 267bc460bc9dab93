package dev.modelwatch.core.quality;

/**
 * The thresholds of the data-quality rules ({@link DataQualityCheck} states each rule).
 *
 * <ul>
 *   <li>{@code falseAlarmRate} (0.01): the probability that a clean window raises an issue of a given
 *       kind, over all its features: each test is made at {@code falseAlarmRate / (features + 2)}
 *       (see {@link DataQualityCheck}).</li>
 *   <li>{@code missingRateIncrease} (0.05): a missing rate is an issue when it exceeds the reference's
 *       by at least 0.05 absolute and significantly (Fisher's exact test). Both are needed: the
 *       difference alone alarms on small windows by chance (2 of 20 events missing against 0 of 20 is an
 *       increase of 0.1 with p = 0.24), the test alone alarms on large windows for changes too small to
 *       matter (3% against 1% of 100,000 events has p below 1e-100).</li>
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
 * @param falseAlarmRate      probability of an issue of a kind on a clean window, over its features, in (0, 1)
 * @param missingRateIncrease least absolute increase of the missing rate, in (0, 1)
 * @param typeMismatchShare   share of values of the other type above which it is an issue, in (0, 1)
 * @param outOfRangeFraction  share of values out of the reference's range above which it is an issue, in (0, 1)
 * @param newCategoryShare    share above which a new category is reported, in (0, 1)
 * @param minimumCount        fewest present current values for the share rules, {@code >= 1}
 */
public record DataQualityPolicy(double falseAlarmRate, double missingRateIncrease, double typeMismatchShare,
        double outOfRangeFraction, double newCategoryShare, long minimumCount) {
    public static final DataQualityPolicy DEFAULT = builder().build();

    public DataQualityPolicy {
        share("falseAlarmRate", falseAlarmRate);
        share("missingRateIncrease", missingRateIncrease);
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
        private double falseAlarmRate = 0.01;
        private double missingRateIncrease = 0.05;
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

        public Builder falseAlarmRate(double v) {
            this.falseAlarmRate = v;
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
            return new DataQualityPolicy(falseAlarmRate, missingRateIncrease, typeMismatchShare, outOfRangeFraction,
                    newCategoryShare, minimumCount);
        }
    }
}
