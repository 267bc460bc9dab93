package dev.modelwatch.core.drift;

/**
 * The statistic a drift decision rests on, with the range its threshold may take and its default.
 *
 * <table>
 *   <caption>methods</caption>
 *   <tr><th>method</th><th>features</th><th>threshold</th><th>range</th><th>default</th></tr>
 *   <tr><td>{@link #KS}</td><td>numerical</td><td>significance level alpha</td>
 *       <td>(0, 0.5]</td><td>0.01</td></tr>
 *   <tr><td>{@link #CHI_SQUARE}</td><td>categorical</td><td>significance level alpha</td>
 *       <td>(0, 0.5]</td><td>0.01</td></tr>
 *   <tr><td>{@link #WASSERSTEIN}</td><td>numerical</td><td>W1 in reference standard deviations</td>
 *       <td>(0, inf)</td><td>0.1</td></tr>
 *   <tr><td>{@link #JENSEN_SHANNON}</td><td>both</td><td>JS distance (natural log)</td>
 *       <td>(0, sqrt(ln 2)]</td><td>0.1</td></tr>
 *   <tr><td>{@link #PSI}</td><td>both</td><td>PSI</td><td>(0, inf)</td><td>0.2</td></tr>
 * </table>
 *
 * <p>The test methods (KS, chi-square) alarm when the statistic exceeds the critical value of level
 * alpha; the distance methods alarm when the distance reaches the threshold. Why the defaults are
 * what they are, and which method a feature gets, is in {@link DriftPolicy}.
 *
 * <p>Usage: {@code DriftMethod m = DriftMethod.fromWireName("psi"); m.checkThreshold(0.25);}
 */
public enum DriftMethod {
    /** Two-sample Kolmogorov–Smirnov test ({@link KsDriftTest}). */
    KS("ks", 0.01, 0.5, true, true, false),
    /** Wasserstein-1 distance over the reference standard deviation ({@link WassersteinDrift}). */
    WASSERSTEIN("wasserstein", 0.1, Double.POSITIVE_INFINITY, false, true, false),
    /** Population stability index over reference deciles or categories ({@link PsiDriftTest}). */
    PSI("psi", 0.2, Double.POSITIVE_INFINITY, false, true, true),
    /** Jensen–Shannon distance over the same bins as PSI ({@link JensenShannon}). */
    JENSEN_SHANNON("jensen_shannon", 0.1, Math.sqrt(Math.log(2)), false, true, true),
    /** Pearson's chi-square test of homogeneity of the category counts ({@link CategoricalDrift}). */
    CHI_SQUARE("chi_square", 0.01, 0.5, true, false, true);

    private final String wireName;
    private final double defaultThreshold;
    private final double maxThreshold;
    private final boolean significanceTest;
    private final boolean numerical;
    private final boolean categorical;

    DriftMethod(String wireName, double defaultThreshold, double maxThreshold, boolean significanceTest,
            boolean numerical, boolean categorical) {
        this.wireName = wireName;
        this.defaultThreshold = defaultThreshold;
        this.maxThreshold = maxThreshold;
        this.significanceTest = significanceTest;
        this.numerical = numerical;
        this.categorical = categorical;
    }

    /** The name in configuration and API answers, lower snake case ({@code ks}, {@code jensen_shannon}, ...). */
    public String wireName() {
        return wireName;
    }

    public static DriftMethod fromWireName(String name) {
        for (DriftMethod m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "method must be one of ks, wasserstein, psi, jensen_shannon, chi_square, was " + name);
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    /** The largest threshold accepted (inclusive): 0.5 for alpha, sqrt(ln 2) for JS, infinity (exclusive) otherwise. */
    public double maxThreshold() {
        return maxThreshold;
    }

    /** Whether the threshold is a significance level (KS, chi-square) rather than a distance. */
    public boolean isSignificanceTest() {
        return significanceTest;
    }

    public boolean appliesTo(FeatureType type) {
        return type == FeatureType.NUMERICAL ? numerical : categorical;
    }

    /**
     * Rejects a threshold outside the method's range: it must be finite, above 0 and at most
     * {@link #maxThreshold()} (a JS threshold above sqrt(ln 2) could never be reached; an alpha above
     * 0.5 alarms on most samples of an unchanged distribution).
     *
     * @return the threshold
     */
    public double checkThreshold(double threshold) {
        if (!(threshold > 0 && threshold <= maxThreshold && Double.isFinite(threshold))) {
            String range = Double.isInfinite(maxThreshold) ? "a finite number > 0" : "in (0, " + maxThreshold + "]";
            throw new IllegalArgumentException("threshold of " + wireName + " must be " + range + ", was " + threshold);
        }
        return threshold;
    }
}
