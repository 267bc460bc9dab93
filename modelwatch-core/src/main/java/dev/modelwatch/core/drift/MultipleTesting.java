package dev.modelwatch.core.drift;

import java.util.Arrays;

/**
 * How the p-values of one drift report's features are adjusted for being tested together: a model
 * with 20 unchanged features tested at alpha = 0.01 each shows a drifted feature in 18% of its
 * windows (1 - 0.99^20), one with 200 in 87%.
 *
 * <ul>
 *   <li>{@link #BENJAMINI_HOCHBERG} (default): the Benjamini–Hochberg (1995) step-up procedure. With the
 *       p-values sorted, {@code p_(1) <= ... <= p_(F)}, the adjusted p-value of {@code p_(i)} is
 *       {@code min_{j >= i} min(1, F p_(j) / j)} (R's {@code p.adjust(method = "BH")}, statsmodels'
 *       {@code multipletests(method='fdr_bh')}); rejecting the features whose adjusted p-value is at most
 *       alpha keeps the expected share of false discoveries among the rejected at most alpha for
 *       independent or positively dependent tests, and, when no feature changed (the clean traffic of
 *       a false alarm), the probability of any rejection — the report's family-wise rate — at most
 *       alpha. When some features did change it rejects more than Bonferroni (power is kept).</li>
 *   <li>{@link #BONFERRONI}: {@code min(1, F p)}; the family-wise rate at most alpha whatever the
 *       dependence, at the cost of power.</li>
 *   <li>{@link #NONE}: no adjustment; each feature at its own alpha (the family-wise rate of F unchanged
 *       features up to {@code 1 - (1 - alpha)^F}).</li>
 * </ul>
 */
public enum MultipleTesting {
    BENJAMINI_HOCHBERG("benjamini_hochberg"),
    BONFERRONI("bonferroni"),
    NONE("none");

    private final String wireName;

    MultipleTesting(String wireName) {
        this.wireName = wireName;
    }

    /** The name in configuration and API answers. */
    public String wireName() {
        return wireName;
    }

    public static MultipleTesting fromWireName(String name) {
        for (MultipleTesting m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("multiple_testing must be one of benjamini_hochberg, bonferroni, none, was "
                + name);
    }

    /**
     * The adjusted p-values, in the order given; NaN stays NaN and does not count as a test.
     *
     * @throws IllegalArgumentException for a p-value outside [0, 1]
     */
    public double[] adjust(double[] p) {
        int f = 0;
        for (double v : p) {
            if (!Double.isNaN(v)) {
                if (v < 0 || v > 1) {
                    throw new IllegalArgumentException("p-values must be in [0, 1], had " + v);
                }
                f++;
            }
        }
        double[] out = new double[p.length];
        if (this == NONE) {
            return p.clone();
        }
        if (this == BONFERRONI) {
            for (int i = 0; i < p.length; i++) {
                out[i] = Double.isNaN(p[i]) ? Double.NaN : Math.min(1, f * p[i]);
            }
            return out;
        }
        Integer[] order = new Integer[f];
        for (int i = 0, k = 0; i < p.length; i++) {
            if (!Double.isNaN(p[i])) {
                order[k++] = i;
            }
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        Arrays.fill(out, Double.NaN);
        double running = 1;
        for (int rank = f; rank >= 1; rank--) {
            int i = order[rank - 1];
            running = Math.min(running, Math.min(1, f * p[i] / rank));
            out[i] = running;
        }
        return out;
    }

    /**
     * The level a feature's own p-value is compared with so that the decision equals "adjusted p-value
     * at most alpha": alpha for {@link #NONE}, {@code alpha / F} for {@link #BONFERRONI}, and for
     * {@link #BENJAMINI_HOCHBERG} {@code alpha R / F} for a rejected feature and {@code alpha (R + 1) / F}
     * for another, R the number rejected (no p-value of a feature that is not rejected is at most that).
     *
     * @param tests    F, the p-values in the family
     * @param rejected R
     */
    public double level(double alpha, int tests, int rejected, boolean isRejected) {
        if (this == NONE || tests <= 1) {
            return alpha;
        }
        if (this == BONFERRONI) {
            return alpha / tests;
        }
        return alpha * Math.max(1, isRejected ? rejected : rejected + 1) / tests;
    }
}
