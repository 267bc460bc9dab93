package dev.modelwatch.core.drift;

/**
 * The range of PSI and of the Jensen–Shannon distance over fixed bins when each bin's proportion is
 * known only within an error: reference proportion {@code i} in {@code [p_i - dp_i, p_i + dp_i]},
 * current in {@code [q_i - dq_i, q_i + dq_i]} (clipped to [0, 1]).
 *
 * <p>Both statistics are sums over bins of a term {@code t(p_i, q_i)} that is jointly convex, zero on
 * the diagonal {@code p = q}, increasing in {@code q} and decreasing in {@code p} where {@code q > p}
 * (and the reverse where {@code q < p}): PSI's {@code (q - p) ln(q / p)} on the smoothed proportions,
 * and JS divergence's {@code (p ln(2p / (p + q)) + q ln(2q / (p + q))) / 2}. So over each bin's box
 * the term's maximum is at a corner (convexity), and its minimum is 0 when the two intervals overlap
 * and otherwise at the corner closest to the diagonal. Summing bin by bin ignores that the
 * proportions sum to 1, so the range is wider than the exact one, never narrower. The JS distance's
 * range is the square root of the divergence's.
 */
final class DivergenceInterval {
    private DivergenceInterval() {
    }

    /** {@code [min, max]} of PSI (smoothed as {@link PsiDriftTest#psi}) over the boxes. */
    static double[] psi(double[] p, double[] q, double[] dp, double[] dq) {
        double norm = 1 + p.length * PsiDriftTest.EPSILON;
        double lo = 0;
        double hi = 0;
        for (int i = 0; i < p.length; i++) {
            double pl = (clip(p[i] - dp[i]) + PsiDriftTest.EPSILON) / norm;
            double ph = (clip(p[i] + dp[i]) + PsiDriftTest.EPSILON) / norm;
            double ql = (clip(q[i] - dq[i]) + PsiDriftTest.EPSILON) / norm;
            double qh = (clip(q[i] + dq[i]) + PsiDriftTest.EPSILON) / norm;
            lo += ql > ph ? psiTerm(ph, ql) : qh < pl ? psiTerm(pl, qh) : 0;
            hi += Math.max(Math.max(psiTerm(pl, ql), psiTerm(pl, qh)), Math.max(psiTerm(ph, ql), psiTerm(ph, qh)));
        }
        return new double[] {lo, hi};
    }

    /** {@code [min, max]} of the Jensen–Shannon distance (natural log) over the boxes. */
    static double[] jensenShannon(double[] p, double[] q, double[] dp, double[] dq) {
        double lo = 0;
        double hi = 0;
        for (int i = 0; i < p.length; i++) {
            double pl = clip(p[i] - dp[i]);
            double ph = clip(p[i] + dp[i]);
            double ql = clip(q[i] - dq[i]);
            double qh = clip(q[i] + dq[i]);
            lo += ql > ph ? jsTerm(ph, ql) : qh < pl ? jsTerm(pl, qh) : 0;
            hi += Math.max(Math.max(jsTerm(pl, ql), jsTerm(pl, qh)), Math.max(jsTerm(ph, ql), jsTerm(ph, qh)));
        }
        return new double[] {Math.sqrt(Math.max(0, lo)), Math.sqrt(Math.max(0, hi))};
    }

    private static double clip(double x) {
        return Math.min(1, Math.max(0, x));
    }

    private static double psiTerm(double p, double q) {
        return (q - p) * Math.log(q / p);
    }

    private static double jsTerm(double p, double q) {
        double m = (p + q) / 2;
        return m == 0 ? 0 : (entropyTerm(p, m) + entropyTerm(q, m)) / 2;
    }

    private static double entropyTerm(double x, double m) {
        return x > 0 ? x * Math.log(x / m) : 0;
    }
}
