package dev.modelwatch.core.drift;

import java.util.Arrays;

/**
 * PSI and Jensen–Shannon distance of a current distribution against a reference over the same bins.
 *
 * @param edges         inner bin edges, strictly increasing; bin i is {@code (edges[i-1], edges[i]]}
 *                      with open-ended first and last bins (empty for categorical bins)
 * @param reference     the reference's proportion in each bin (raw, sums to 1)
 * @param current       the current proportion in each bin (raw, sums to 1)
 * @param psi           population stability index over smoothed proportions, see {@link PsiDriftTest}
 * @param jensenShannon Jensen–Shannon distance over the raw proportions, natural log
 */
public record PsiResult(double[] edges, double[] reference, double[] current, double psi, double jensenShannon) {
    public PsiResult {
        if (reference.length != current.length) {
            throw new IllegalArgumentException("reference and current must have the same bins, had "
                    + reference.length + " and " + current.length);
        }
        edges = edges.clone();
        reference = reference.clone();
        current = current.clone();
    }

    @Override
    public double[] edges() {
        return edges.clone();
    }

    @Override
    public double[] reference() {
        return reference.clone();
    }

    @Override
    public double[] current() {
        return current.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PsiResult r && Arrays.equals(edges, r.edges) && Arrays.equals(reference, r.reference)
                && Arrays.equals(current, r.current) && Double.compare(psi, r.psi) == 0
                && Double.compare(jensenShannon, r.jensenShannon) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(edges) + Arrays.hashCode(current)) + Double.hashCode(psi);
    }

    @Override
    public String toString() {
        return "PsiResult[edges=" + Arrays.toString(edges) + ", reference=" + Arrays.toString(reference)
                + ", current=" + Arrays.toString(current) + ", psi=" + psi + ", jensenShannon=" + jensenShannon + "]";
    }
}
