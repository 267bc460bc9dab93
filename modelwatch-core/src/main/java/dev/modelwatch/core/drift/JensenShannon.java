package dev.modelwatch.core.drift;

/**
 * Jensen–Shannon distance between two discrete distributions, in natural-log units as
 * {@code scipy.spatial.distance.jensenshannon} computes it by default:
 * {@code JS(p, q) = sqrt((KL(p || m) + KL(q || m)) / 2)} with {@code m = (p + q) / 2} and
 * {@code KL(p || m) = sum p_i ln(p_i / m_i)} (terms with {@code p_i = 0} are 0). The distance lies in
 * {@code [0, sqrt(ln 2)]} and is a metric (Endres and Schindelin, 2003).
 *
 * <p>Usage: {@code double d = JensenShannon.distance(new double[] {0.5, 0.5}, new double[] {0.9, 0.1});}
 */
public final class JensenShannon {
    private JensenShannon() {
    }

    /** Both arrays are weights over the same bins; each is normalized to sum 1 first, as scipy does. */
    public static double distance(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("p and q must have the same bins, had " + p.length + " and " + q.length);
        }
        double sp = 0;
        double sq = 0;
        for (int i = 0; i < p.length; i++) {
            sp += p[i];
            sq += q[i];
        }
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double pi = p[i] / sp;
            double qi = q[i] / sq;
            double m = (pi + qi) / 2;
            divergence += relativeEntropy(pi, m) + relativeEntropy(qi, m);
        }
        // rounding can leave a tiny negative sum for identical inputs
        return Math.sqrt(Math.max(0, divergence / 2));
    }

    private static double relativeEntropy(double x, double y) {
        return x > 0 ? x * Math.log(x / y) : 0;
    }
}
