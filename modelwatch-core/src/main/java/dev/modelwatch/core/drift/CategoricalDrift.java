package dev.modelwatch.core.drift;

import dev.modelwatch.core.profile.FeatureProfile;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.special.Gamma;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * Drift statistics of a categorical feature, from the two profiles' frequent-items sketches, over
 * the union of their categories (in sorted order):
 * <ul>
 *   <li>PSI over the categories' proportions, smoothed as in {@link PsiDriftTest}
 *       ({@code (p + 1e-4) / (1 + B 1e-4)}), so that new and vanished categories stay finite;</li>
 *   <li>Jensen–Shannon distance over the raw proportions (natural log);</li>
 *   <li>Pearson's chi-square test of homogeneity of the 2 x k table of reference and current counts,
 *       {@code X2 = sum (O - E)^2 / E} with {@code E_ij = row_i col_j / N}, {@code k - 1} degrees of
 *       freedom and {@code p = Q((k - 1) / 2, X2 / 2)} (regularized upper incomplete gamma), as scipy's
 *       {@code chi2_contingency(..., correction=False)};</li>
 *   <li>the categories new in the current window and those that vanished from it.</li>
 * </ul>
 * Counts are exact while each sketch has had fewer distinct values than 0.75 of its map size
 * ({@link #exact()}); beyond that they are the sketch's estimates and rare categories may be missing.
 *
 * <p>Usage:
 * <pre>{@code
 * CategoricalDrift drift = CategoricalDrift.of(referenceProfile, currentProfile);
 * if (!drift.newCategories().isEmpty() || drift.pValue() < 1e-3) { ... }
 * }</pre>
 *
 * @param categories       the union of categories, sorted
 * @param psi              PSI and Jensen–Shannon distance over the categories (no edges)
 * @param chiSquare        Pearson's X2 statistic of the 2 x k table
 * @param degreesOfFreedom {@code k - 1}
 * @param pValue           {@code P(chi2_{k-1} >= X2)}; 1 with a single category
 * @param newCategories    in the current profile, not in the reference
 * @param vanished         in the reference, not in the current profile
 * @param exact            whether both sketches' counts are exact
 * @param pooledChiSquare  X2 of the table with sparse categories pooled (see {@link #pooled}), what a
 *                         decision rests on
 * @param pooledDegreesOfFreedom its bins less one
 * @param pooledPValue     its p-value
 */
public record CategoricalDrift(List<String> categories, PsiResult psi, double chiSquare, int degreesOfFreedom,
        double pValue, List<String> newCategories, List<String> vanished, boolean exact, double pooledChiSquare,
        int pooledDegreesOfFreedom, double pooledPValue) {
    /** Least expected count of a bin of the pooled table in the smaller of the two samples (Cochran's rule). */
    public static final double MIN_EXPECTED = 5;

    public CategoricalDrift {
        categories = List.copyOf(categories);
        newCategories = List.copyOf(newCategories);
        vanished = List.copyOf(vanished);
    }

    public static CategoricalDrift of(FeatureProfile reference, FeatureProfile current) {
        ItemsSketch<String> ref = strings(reference, "reference");
        ItemsSketch<String> cur = strings(current, "current");
        Map<String, Long> refCounts = counts(ref);
        Map<String, Long> curCounts = counts(cur);
        TreeSet<String> all = new TreeSet<>(refCounts.keySet());
        all.addAll(curCounts.keySet());
        List<String> categories = List.copyOf(all);
        int k = categories.size();
        double[] r = new double[k];
        double[] c = new double[k];
        double rowR = 0;
        double rowC = 0;
        for (int i = 0; i < k; i++) {
            r[i] = refCounts.getOrDefault(categories.get(i), 0L);
            c[i] = curCounts.getOrDefault(categories.get(i), 0L);
            rowR += r[i];
            rowC += c[i];
        }
        double total = rowR + rowC;
        double chi2 = 0;
        double[] p = new double[k];
        double[] q = new double[k];
        for (int i = 0; i < k; i++) {
            double column = r[i] + c[i];
            double er = rowR * column / total;
            double ec = rowC * column / total;
            chi2 += (r[i] - er) * (r[i] - er) / er + (c[i] - ec) * (c[i] - ec) / ec;
            p[i] = r[i] / rowR;
            q[i] = c[i] / rowC;
        }
        int dof = k - 1;
        double pValue = dof == 0 ? 1 : Gamma.regularizedGammaQ(dof / 2.0, chi2 / 2);
        double[] pooled = pooled(r, c);
        PsiResult psi = new PsiResult(new double[0], p, q, PsiDriftTest.psi(p, q), JensenShannon.distance(p, q));
        List<String> added = categories.stream().filter(s -> !refCounts.containsKey(s)).toList();
        List<String> gone = categories.stream().filter(s -> !curCounts.containsKey(s)).toList();
        return new CategoricalDrift(categories, psi, chi2, dof, pValue, added, gone,
                ref.getMaximumError() == 0 && cur.getMaximumError() == 0, pooled[0], (int) pooled[1], pooled[2]);
    }

    /**
     * {X2, degrees of freedom, p-value} of the 2 x k table after pooling sparse categories: the chi-square
     * distribution of X2 is an approximation that fails when expected counts are small (a window of 100
     * values over 20 categories has expected counts of 1 or 2 in most of them, and at the levels a
     * report's multiple testing asks for, 0.0005 for 20 features, the approximation's tail is several
     * times too heavy). So, in the order of their total count, the rarest categories are merged into one
     * bin until every bin expects at least {@link #MIN_EXPECTED} values in the smaller sample, or a single
     * bin is left (then the p-value is 1). With every category that frequent the table is unchanged.
     */
    static double[] pooled(double[] r, double[] c) {
        int k = r.length;
        double rowR = 0;
        double rowC = 0;
        for (int i = 0; i < k; i++) {
            rowR += r[i];
            rowC += c[i];
        }
        double total = rowR + rowC;
        double smaller = Math.min(rowR, rowC);
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(r[a] + c[a], r[b] + c[b]));
        java.util.List<double[]> bins = new java.util.ArrayList<>();
        double poolR = 0;
        double poolC = 0;
        for (int j = 0; j < k; j++) {
            int i = order[j];
            poolR += r[i];
            poolC += c[i];
            boolean last = j == k - 1;
            if (smaller * (poolR + poolC) / total >= MIN_EXPECTED || last) {
                if (last && smaller * (poolR + poolC) / total < MIN_EXPECTED && !bins.isEmpty()) {
                    double[] previous = bins.get(bins.size() - 1);
                    previous[0] += poolR;
                    previous[1] += poolC;
                } else {
                    bins.add(new double[] {poolR, poolC});
                }
                poolR = 0;
                poolC = 0;
            }
        }
        int dof = bins.size() - 1;
        if (dof < 1) {
            return new double[] {0, 0, 1};
        }
        double chi2 = 0;
        for (double[] bin : bins) {
            double column = bin[0] + bin[1];
            double er = rowR * column / total;
            double ec = rowC * column / total;
            chi2 += (bin[0] - er) * (bin[0] - er) / er + (bin[1] - ec) * (bin[1] - ec) / ec;
        }
        return new double[] {chi2, dof, Gamma.regularizedGammaQ(dof / 2.0, chi2 / 2)};
    }

    private static ItemsSketch<String> strings(FeatureProfile profile, String side) {
        ItemsSketch<String> sketch = profile.frequentItems();
        if (sketch == null || sketch.isEmpty()) {
            throw new IllegalArgumentException("the " + side + " profile has no categorical values");
        }
        return sketch;
    }

    /** Every category the sketch holds, with its count (exact while the sketch has not purged). */
    private static Map<String, Long> counts(ItemsSketch<String> sketch) {
        Map<String, Long> counts = new TreeMap<>();
        for (ItemsSketch.Row<String> row : sketch.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
            if (row.getEstimate() > 0) {
                counts.put(row.getItem(), row.getEstimate());
            }
        }
        return counts;
    }
}
