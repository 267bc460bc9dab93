package dev.modelwatch.core.drift;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a model's features are judged drifted: the method and threshold for each feature, chosen by
 * sample size unless the model or the feature overrides them, and the fewest values a decision needs.
 *
 * <p><b>Default choice.</b> With {@code n} reference and {@code m} current values (finite numbers
 * for a numerical feature, strings for a categorical one) and the effective sample size
 * {@code n_eff = n m / (n + m)}:
 * <table>
 *   <caption>defaults</caption>
 *   <tr><th></th><th>{@code n_eff <= 1,000}</th><th>{@code n_eff > 1,000}</th></tr>
 *   <tr><td>numerical</td><td>KS, alpha 0.01, on the sketch's lower bound of D</td>
 *       <td>Wasserstein-1 / reference sd {@code >= 0.1}</td></tr>
 *   <tr><td>categorical</td><td>chi-square, {@code p < 0.01}</td><td>Jensen–Shannon distance {@code >= 0.1}</td></tr>
 * </table>
 * PSI is computed and reported for every feature and can be chosen by an override; it is not a
 * default (see below).
 *
 * <p><b>Why tests on small windows.</b> With few values, a distance between two samples of one
 * distribution is mostly sampling noise: two samples of 200 normal values have a mean W1 of 0.13 sd
 * and a 99th percentile of 0.26 sd, above any useful threshold; PSI over 10 bins averages about
 * {@code 9 (1/n + 1/m)}, 0.18 for two samples of 100. A test instead holds its false-alarm rate at
 * alpha whatever the sample size. Alpha is 0.01 rather than the textbook 0.05 because a model has
 * many features and many windows: at 0.05, a model with 20 unchanged features would show a drifted
 * feature in most windows.
 *
 * <p><b>Why distances on large windows.</b> A test's power grows with {@code n}: p-values over-alarm
 * on large windows. At {@code n_eff = 50,000} (two windows of 100,000), KS at alpha 0.01 rejects any
 * {@code D > 1.628 sqrt(2 / 100,000) = 0.0073}, a mean shift of 0.018 sd of a normal feature, and
 * chi-square any change of a 50% share by 0.6 percentage points. Real traffic is never exactly
 * stationary (time-of-day mix, a client rounding differently), so tests on large windows alarm on
 * nearly every window about changes too small to matter. A distance with a fixed threshold states the
 * size of change worth an alarm: 0.1 reference sd of W1 (a pure mean shift of 0.1 sd has W1 of exactly
 * 0.1 sd), and a JS distance of 0.1 (shares 0.5/0.5 becoming 0.64/0.36). Above {@code n_eff = 1,000}
 * the distances' own noise is below their thresholds: W1 of two samples of 2,000 values of one normal
 * distribution has mean 0.041 sd and 99th percentile 0.085 sd (2,000 simulated pairs, scipy), and
 * shrinks as {@code 1 / sqrt(n_eff)}. These are the defaults of Evidently's data-drift preset (KS and
 * chi-square up to 1,000 reference values, normed Wasserstein and JS at 0.1 above), with two changes:
 * the switch is on {@code n_eff}, not on the reference size alone, because the noise of a
 * two-sample statistic scales as {@code 1/n + 1/m} (a window of 50 values against a reference of
 * 100,000 is as noisy as a sample of 50), and alpha is 0.01 instead of 0.05.
 *
 * <p><b>PSI.</b> Credit-scoring folklore reads PSI below 0.1 as no change, 0.1 to 0.25 as a moderate
 * change and above 0.25 as a significant one (Siddiqi, 2006; Yurdakul, 2018); 0.2 is the threshold
 * used when PSI is chosen without one. PSI is not a default because its sampling noise depends on
 * {@code n} and the bin count (above) and its decile bins ignore changes within a bin.
 *
 * <p><b>Overrides.</b> The model override applies to every feature, a feature's override on top of
 * it: a feature's method replaces the model's, a feature's threshold for a method replaces the
 * model's for the same method, and a method with no threshold set anywhere uses its default
 * ({@link DriftMethod}). A method that does not apply to the feature's type (KS or Wasserstein for a
 * categorical feature, chi-square for a numerical one) is ignored for that feature, with a note, and
 * the choice falls back to the next level.
 *
 * <p><b>Minimum count.</b> A feature with fewer than {@link #minimumCount()} values (default 30) on
 * either side is not tested: its statistics would be noise (two samples of 30 normal values have a
 * mean W1 of 0.31 sd and Smirnov's asymptotic KS p-value needs tens of values), so the decision
 * is {@link DriftDecision#NOT_TESTED} with a reason.
 *
 * <p><b>Many features at once.</b> A report tests every feature of a window together, so the features'
 * test p-values (KS for numerical features, chi-square for categorical ones, whatever method decides)
 * are adjusted for their number by {@link #multipleTesting()} (Benjamini–Hochberg by default, see
 * {@link MultipleTesting}) and a feature is significant when its adjusted p-value is at most its test's
 * alpha. A test-decided feature (KS, chi-square) is drifted when it is significant; a distance-decided
 * one (Wasserstein, Jensen–Shannon, PSI) when its distance is past the threshold <em>and</em> it is
 * significant: the distance says the change is large enough to matter, the test that it is not the
 * noise of the samples, and the report's family-wise false-alarm rate is bounded by the adjusted tests
 * whatever the distances' own noise ({@link FeatureDriftAnalysis}).
 *
 * <p>Usage:
 * <pre>{@code
 * DriftPolicy policy = DriftPolicy.builder()
 *         .model(DriftOverride.threshold(DriftMethod.WASSERSTEIN, 0.15))
 *         .feature("amount", DriftOverride.of(DriftMethod.PSI, 0.25))
 *         .build();
 * DriftCriterion c = policy.criterion("amount", FeatureType.NUMERICAL, 50_000, 20_000);
 * }</pre>
 *
 * @param model            applies to every feature
 * @param features         per feature, on top of {@code model}
 * @param smallSampleLimit the largest {@code n_eff} decided by a test (KS, chi-square) by default
 * @param minimumCount     the fewest values on each side for a decision
 * @param multipleTesting  how a report's features' p-values are adjusted for their number
 */
public record DriftPolicy(DriftOverride model, Map<String, DriftOverride> features, double smallSampleLimit,
        long minimumCount, MultipleTesting multipleTesting) {
    public static final double DEFAULT_SMALL_SAMPLE_LIMIT = 1_000;
    public static final long DEFAULT_MINIMUM_COUNT = 30;
    public static final DriftPolicy DEFAULT = builder().build();

    public DriftPolicy {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null (use DriftOverride.NONE)");
        }
        if (features == null) {
            throw new IllegalArgumentException("features must not be null (use an empty map)");
        }
        for (Map.Entry<String, DriftOverride> e : features.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("features must not hold a null name or override, had " + features);
            }
        }
        features = Map.copyOf(features);
        if (!(smallSampleLimit >= 0 && Double.isFinite(smallSampleLimit))) {
            throw new IllegalArgumentException("smallSampleLimit must be a finite number >= 0, was "
                    + smallSampleLimit);
        }
        if (minimumCount < 2) {
            throw new IllegalArgumentException("minimumCount must be >= 2, was " + minimumCount);
        }
        if (multipleTesting == null) {
            throw new IllegalArgumentException("multipleTesting must not be null");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code n m / (n + m)}, 0 when either side is empty. */
    public static double effectiveN(long n, long m) {
        return n <= 0 || m <= 0 ? 0 : (double) n * m / ((double) n + m);
    }

    /** The default method for a feature of this type and effective sample size (see the class comment). */
    public DriftMethod defaultMethod(FeatureType type, double effectiveN) {
        boolean small = effectiveN <= smallSampleLimit;
        if (type == FeatureType.NUMERICAL) {
            return small ? DriftMethod.KS : DriftMethod.WASSERSTEIN;
        }
        return small ? DriftMethod.CHI_SQUARE : DriftMethod.JENSEN_SHANNON;
    }

    /**
     * The method and threshold for a feature.
     *
     * @param n the reference's count of values of the feature's type
     * @param m the current window's count
     */
    public DriftCriterion criterion(String feature, FeatureType type, long n, long m) {
        DriftMethod method = defaultMethod(type, effectiveN(n, m));
        String note = null;
        DriftOverride own = features.getOrDefault(feature, DriftOverride.NONE);
        for (DriftOverride o : new DriftOverride[] {model, own}) {
            if (o.method() == null) {
                continue;
            }
            if (o.method().appliesTo(type)) {
                method = o.method();
                note = null;
            } else {
                note = "method " + o.method().wireName() + " does not apply to " + type.wireName()
                        + " features; used " + method.wireName();
            }
        }
        Double threshold = own.thresholds().get(method);
        if (threshold == null) {
            threshold = model.thresholds().get(method);
        }
        return new DriftCriterion(method, threshold == null ? method.defaultThreshold() : threshold, note);
    }

    /**
     * The significance level of the feature's test (KS for a numerical feature, chi-square for a
     * categorical one), whichever method decides it: the feature's threshold for that test, else the
     * model's, else its default (0.01).
     */
    public double testLevel(String feature, FeatureType type) {
        DriftMethod test = type == FeatureType.NUMERICAL ? DriftMethod.KS : DriftMethod.CHI_SQUARE;
        Double level = features.getOrDefault(feature, DriftOverride.NONE).thresholds().get(test);
        if (level == null) {
            level = model.thresholds().get(test);
        }
        return level == null ? test.defaultThreshold() : level;
    }

    /** Builds a {@link DriftPolicy}; every field starts at its default. */
    public static final class Builder {
        private DriftOverride model = DriftOverride.NONE;
        private final Map<String, DriftOverride> features = new LinkedHashMap<>();
        private double smallSampleLimit = DEFAULT_SMALL_SAMPLE_LIMIT;
        private long minimumCount = DEFAULT_MINIMUM_COUNT;
        private MultipleTesting multipleTesting = MultipleTesting.BENJAMINI_HOCHBERG;

        private Builder() {
        }

        public Builder multipleTesting(MultipleTesting m) {
            this.multipleTesting = m;
            return this;
        }

        public Builder model(DriftOverride override) {
            this.model = override;
            return this;
        }

        public Builder feature(String name, DriftOverride override) {
            features.put(name, override);
            return this;
        }

        public Builder smallSampleLimit(double limit) {
            this.smallSampleLimit = limit;
            return this;
        }

        public Builder minimumCount(long count) {
            this.minimumCount = count;
            return this;
        }

        public DriftPolicy build() {
            return new DriftPolicy(model, features, smallSampleLimit, minimumCount, multipleTesting);
        }
    }
}
