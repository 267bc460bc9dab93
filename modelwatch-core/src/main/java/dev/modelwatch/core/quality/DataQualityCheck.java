package dev.modelwatch.core.quality;

import dev.modelwatch.core.metrics.MetricCatalog.MetricValue;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.quality.DataQualityIssue.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Data-quality issues of a window against its reference, and the per-feature quality measures as
 * metric series. Thresholds are a {@link DataQualityPolicy}'s; {@code N} is a window's event count,
 * {@code present} a feature's non-null values (numbers, finite or not, and strings).
 *
 * <p><b>Rules</b>, for each feature of the reference (its type is the reference's majority type):
 * <ul>
 *   <li>{@code schema}: the reference had values of the feature and the current window, which has
 *       events, has none; and, for each feature of the current window with values, that the reference
 *       never had any. A feature with a schema issue gets no other.</li>
 *   <li>{@code missing_rate}: {@code r = (N - present) / N} on each side; an issue when
 *       {@code r_cur - r_ref >= missingRateIncrease} and the two-proportion z statistic
 *       {@code (r_cur - r_ref) / sqrt(r (1 - r) (1/N_ref + 1/N_cur))}, {@code r} the pooled rate, is at
 *       least {@code missingRateZ}.</li>
 *   <li>{@code type_mismatch}: the share of present current values of the other type (strings for a
 *       numerical feature; numbers, NaN and infinities included, for a categorical one) above
 *       {@code typeMismatchShare}, where the reference's own share was not (a feature that was mixed
 *       already in the reference is not reported for staying mixed).</li>
 *   <li>{@code out_of_range} (numerical): the share of finite current values below the reference's min
 *       or above its max, read from the current KLL sketch's CDF at those two values
 *       ({@code F(min-) + 1 - F(max)}; 0 when the exact current min and max are inside the range, and
 *       at least one value per side when they are not), above {@code outOfRangeFraction + m}, with
 *       {@code m} the share an unchanged distribution may put outside the range of the reference's
 *       {@code n_ref} values: for a continuous distribution that share is Beta(2, n_ref - 1) (the
 *       complement of the range of n_ref uniform order statistics; mean {@code 2 / (n_ref + 1)}), and
 *       {@code m} is its 99.9% quantile, 0.09% for 10,000 reference values, 0.92% for 1,000 and 8.9%
 *       for 100 (a small reference does not know its distribution's range). The
 *       sketch's share is within its normalized rank error of the exact one (1.3% at k = 200, 0.35% at
 *       k = 800, 99% confidence); measured at normal tails of 0.1% to 1%, it erred by at most 0.4% at
 *       k = 200 and 0.15% at k = 800.</li>
 *   <li>{@code new_category} (categorical): categories of the current window's frequent-items sketch
 *       that the reference's sketch does not hold, each with at least {@code newCategoryShare} of the
 *       current strings (by the sketch's lower bound of its count). {@code value} is their total share;
 *       {@code reference} 0 when the reference counted every category exactly, else the share a
 *       category it dropped could have had (its sketch's maximum error over its strings).</li>
 *   <li>{@code constant}: the current window has one value only (numerical: min = max; categorical:
 *       one category, counted exactly) where the reference had several. {@code value} is the current
 *       sd (0) or distinct count (1), {@code reference} the reference's.</li>
 *   <li>{@code non_finite} (numerical): NaN or infinite current values where the reference had
 *       none; {@code value} is their share of present values.</li>
 * </ul>
 * For the output ({@link DataQualityIssue#OUTPUT}) and the score ({@link DataQualityIssue#SCORE}):
 * {@code non_finite} whenever the current window has any NaN or infinite one, whatever the reference,
 * and {@code score_out_of_range} when a finite score lies outside [0, 1] (from the exact min and max;
 * {@code value} is the sketch's share outside, at least one value per side). The share rules
 * (type mismatch, out of range, new category, constant) need {@code minimumCount} present current
 * values. A current window with no events has no issues, and one whose reference has no events only
 * the output and score issues.
 *
 * <p>Usage:
 * <pre>{@code
 * List<DataQualityIssue> issues = DataQualityCheck.compare(referenceProfile, windowProfile,
 *         DataQualityPolicy.DEFAULT);
 * List<MetricValue> series = DataQualityCheck.metrics(ProfiledWindow.of(referenceProfile),
 *         ProfiledWindow.of(windowProfile));
 * }</pre>
 */
public final class DataQualityCheck {
    /** Per-feature measures {@link #metrics} gives, each labelled {@code feature=<name>}. */
    public static final List<String> METRICS = List.of("missing_rate", "type_mismatch_rate", "non_finite_rate",
            "out_of_range_fraction", "new_category_share", "score_out_of_range_fraction");

    private DataQualityCheck() {
    }

    /** {@link #compare(ProfiledWindow, ProfiledWindow, DataQualityPolicy)} of two window profiles. */
    public static List<DataQualityIssue> compare(WindowProfile reference, WindowProfile current,
            DataQualityPolicy policy) {
        return compare(ProfiledWindow.of(reference), ProfiledWindow.of(current), policy);
    }

    /**
     * Every issue: the reference's features in order (each feature's issues in the order of
     * {@link Kind}), then features new in the window, then output and score.
     */
    public static List<DataQualityIssue> compare(ProfiledWindow reference, ProfiledWindow current,
            DataQualityPolicy policy) {
        if (reference == null || current == null || policy == null) {
            throw new IllegalArgumentException("reference, current and policy must not be null");
        }
        List<DataQualityIssue> issues = new ArrayList<>();
        if (current.events() == 0) {
            return issues;
        }
        if (reference.events() > 0) {
            reference.features().forEach((name, ref) ->
                    feature(name, ref, current.features().get(name), reference.events(), current.events(), policy,
                            issues));
            current.features().forEach((name, cur) -> {
                FeatureProfile ref = reference.features().get(name);
                if (ref == null && cur.present() > 0) {
                    issues.add(new DataQualityIssue(name, Kind.SCHEMA, rate(cur.present(), current.events()), 0.0,
                            String.format(Locale.ROOT, "not in the reference; present in %d of the window's %d events",
                                    cur.present(), current.events())));
                }
            });
        }
        output(DataQualityIssue.OUTPUT, reference.output(), current.output(), issues);
        output(DataQualityIssue.SCORE, reference.score(), current.score(), issues);
        score(reference.score(), current.score(), issues);
        return issues;
    }

    private static void feature(String name, FeatureProfile ref, FeatureProfile cur, long nRef, long nCur,
            DataQualityPolicy policy, List<DataQualityIssue> issues) {
        long presentRef = ref.present();
        long presentCur = cur == null ? 0 : cur.present();
        if (presentRef == 0) {
            if (presentCur > 0) {
                issues.add(new DataQualityIssue(name, Kind.SCHEMA, rate(presentCur, nCur), 0.0, String.format(
                        Locale.ROOT, "never had a value in the reference's %d events; present in %d of the window's %d",
                        nRef, presentCur, nCur)));
            }
            return;
        }
        if (presentCur == 0) {
            issues.add(new DataQualityIssue(name, Kind.SCHEMA, 0.0, rate(presentRef, nRef), String.format(Locale.ROOT,
                    "absent from all %d events of the window; present in %d of the reference's %d", nCur, presentRef,
                    nRef)));
            return;
        }
        missingRate(name, nRef - Math.min(nRef, presentRef), nRef, nCur - Math.min(nCur, presentCur), nCur, policy,
                issues);
        boolean numerical = ref.isNumerical();
        double mismatchRef = rate(otherType(ref, numerical), presentRef);
        double mismatchCur = rate(otherType(cur, numerical), presentCur);
        boolean enough = presentCur >= policy.minimumCount();
        if (enough && mismatchCur > policy.typeMismatchShare() && mismatchRef <= policy.typeMismatchShare()) {
            issues.add(new DataQualityIssue(name, Kind.TYPE_MISMATCH, mismatchCur, mismatchRef, String.format(
                    Locale.ROOT, "%d of %d present values are %s in a %s feature (reference: %.2f%%)",
                    otherType(cur, numerical), presentCur, numerical ? "strings" : "numbers",
                    numerical ? "numerical" : "categorical", 100 * mismatchRef)));
        }
        if (numerical) {
            outOfRange(name, ref, cur, policy, issues);
            constantNumber(name, ref, cur, policy, issues);
            nonFiniteFeature(name, ref, cur, issues);
        } else {
            newCategories(name, ref, cur, policy, issues);
            constantCategory(name, ref, cur, policy, issues);
        }
    }

    private static void missingRate(String name, long missingRef, long nRef, long missingCur, long nCur,
            DataQualityPolicy policy, List<DataQualityIssue> issues) {
        double rRef = rate(missingRef, nRef);
        double rCur = rate(missingCur, nCur);
        double z = twoProportionZ(missingRef, nRef, missingCur, nCur);
        if (rCur - rRef >= policy.missingRateIncrease() && z >= policy.missingRateZ()) {
            issues.add(new DataQualityIssue(name, Kind.MISSING_RATE, rCur, rRef, String.format(Locale.ROOT,
                    "missing in %d of the window's %d events (%.2f%%) against %d of the reference's %d (%.2f%%);"
                            + " z = %.1f",
                    missingCur, nCur, 100 * rCur, missingRef, nRef, 100 * rRef, z)));
        }
    }

    /**
     * {@code (r_cur - r_ref) / sqrt(r (1 - r) (1/n_ref + 1/n_cur))} with the pooled rate {@code r};
     * 0 when both rates are 0 or both 1 (no difference to test).
     */
    static double twoProportionZ(long xRef, long nRef, long xCur, long nCur) {
        double pooled = (double) (xRef + xCur) / (nRef + nCur);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / nRef + 1.0 / nCur));
        double diff = rate(xCur, nCur) - rate(xRef, nRef);
        return se > 0 ? diff / se : 0;
    }

    private static void outOfRange(String name, FeatureProfile ref, FeatureProfile cur, DataQualityPolicy policy,
            List<DataQualityIssue> issues) {
        Double fraction = outOfRangeFraction(ref, cur);
        if (fraction == null || cur.numericCount() < policy.minimumCount() || ref.numericCount() < 2) {
            return;
        }
        double margin = unchangedShareOutside(ref.numericCount());
        if (fraction > policy.outOfRangeFraction() + margin) {
            issues.add(new DataQualityIssue(name, Kind.OUT_OF_RANGE, fraction, 0.0, String.format(Locale.ROOT,
                    "%.2f%% of %d finite values lie outside the reference's range [%s, %s] (window: [%s, %s]);"
                            + " an unchanged distribution puts up to %.2f%% outside %d reference values",
                    100 * fraction, cur.numericCount(), ref.min(), ref.max(), cur.min(), cur.max(), 100 * margin,
                    ref.numericCount())));
        }
    }

    /**
     * The 99.9% quantile of Beta(2, n - 1): the share of a continuous distribution outside the range
     * of {@code n >= 2} values drawn from it exceeds this with probability 0.001.
     */
    static double unchangedShareOutside(long n) {
        return new BetaDistribution(null, 2, n - 1).inverseCumulativeProbability(0.999);
    }

    /**
     * Share of the current finite values outside the reference's [min, max]; null without finite
     * values on either side.
     */
    static Double outOfRangeFraction(FeatureProfile ref, FeatureProfile cur) {
        if (ref.numericCount() == 0 || cur == null) {
            return null;
        }
        return fractionOutside(cur, ref.min(), ref.max());
    }

    /**
     * Share of the profile's finite values outside {@code [low, high]}: the sketch's
     * {@code F(low-) + 1 - F(high)}, 0 for a side whose exact extreme is inside, and at least
     * {@code 1/n} for a side whose exact extreme is outside. Null without finite values.
     */
    static Double fractionOutside(FeatureProfile p, double low, double high) {
        if (p == null || p.numericCount() == 0) {
            return null;
        }
        KllDoublesSketch sketch = p.quantileSketch();
        double one = 1.0 / p.numericCount();
        double below = p.min() < low ? Math.max(one, sketch.getRank(low, QuantileSearchCriteria.EXCLUSIVE)) : 0;
        double above = p.max() > high ? Math.max(one, 1 - sketch.getRank(high, QuantileSearchCriteria.INCLUSIVE)) : 0;
        return Math.min(1, below + above);
    }

    private static void constantNumber(String name, FeatureProfile ref, FeatureProfile cur, DataQualityPolicy policy,
            List<DataQualityIssue> issues) {
        if (cur.numericCount() >= policy.minimumCount() && cur.min() == cur.max() && ref.numericCount() >= 2
                && ref.min() < ref.max()) {
            issues.add(new DataQualityIssue(name, Kind.CONSTANT, 0.0, ref.std(), String.format(Locale.ROOT,
                    "all %d finite values are %s; the reference ranged over [%s, %s] with sd %.4g",
                    cur.numericCount(), cur.min(), ref.min(), ref.max(), ref.std())));
        }
    }

    private static void nonFiniteFeature(String name, FeatureProfile ref, FeatureProfile cur,
            List<DataQualityIssue> issues) {
        long nonFinite = cur.nanCount() + cur.infCount();
        if (nonFinite > 0 && ref.nanCount() + ref.infCount() == 0) {
            issues.add(new DataQualityIssue(name, Kind.NON_FINITE, rate(nonFinite, cur.present()), 0.0,
                    String.format(Locale.ROOT, "%d NaN and %d infinite of %d present values; the reference had none",
                            cur.nanCount(), cur.infCount(), cur.present())));
        }
    }

    private static void newCategories(String name, FeatureProfile ref, FeatureProfile cur, DataQualityPolicy policy,
            List<DataQualityIssue> issues) {
        if (cur.stringCount() < policy.minimumCount() || cur.frequentItems() == null) {
            return;
        }
        ItemsSketch<String> known = ref.frequentItems();
        double dropped = known == null ? 0 : rate(known.getMaximumError(), ref.stringCount());
        Map<String, Double> found = newCategoryShares(ref, cur);
        found.values().removeIf(share -> share < policy.newCategoryShare());
        if (found.isEmpty()) {
            return;
        }
        double total = found.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder names = new StringBuilder();
        int listed = 0;
        for (Map.Entry<String, Double> e : found.entrySet()) {
            if (listed++ == 10) {
                names.append(", and ").append(found.size() - 10).append(" more");
                break;
            }
            names.append(listed > 1 ? ", " : "").append('"').append(e.getKey()).append("\" ")
                    .append(String.format(Locale.ROOT, "%.2f%%", 100 * e.getValue()));
        }
        String caveat = dropped == 0 ? "" : String.format(Locale.ROOT,
                "; the reference counted only its frequent categories, and each of these may have had up to %.2f%%"
                        + " of it", 100 * dropped);
        issues.add(new DataQualityIssue(name, Kind.NEW_CATEGORY, total, dropped, String.format(Locale.ROOT,
                "%d categories not in the reference, %.2f%% of %d string values: %s%s", found.size(), 100 * total,
                cur.stringCount(), names, caveat)));
    }

    /**
     * The current categories the reference's sketch does not hold, each with its share of the
     * current strings by the lower bound of its count, largest first.
     */
    static Map<String, Double> newCategoryShares(FeatureProfile ref, FeatureProfile cur) {
        Map<String, Double> shares = new LinkedHashMap<>();
        ItemsSketch<String> known = ref.frequentItems();
        ItemsSketch<String> seen = cur.frequentItems();
        if (seen == null || cur.stringCount() == 0) {
            return shares;
        }
        List<ItemsSketch.Row<String>> rows = new ArrayList<>(List.of(seen.getFrequentItems(0,
                ErrorType.NO_FALSE_NEGATIVES)));
        rows.sort((a, b) -> Long.compare(b.getLowerBound(), a.getLowerBound()));
        for (ItemsSketch.Row<String> row : rows) {
            if ((known == null || known.getEstimate(row.getItem()) == 0) && row.getLowerBound() > 0) {
                shares.put(row.getItem(), rate(row.getLowerBound(), cur.stringCount()));
            }
        }
        return shares;
    }

    private static void constantCategory(String name, FeatureProfile ref, FeatureProfile cur, DataQualityPolicy policy,
            List<DataQualityIssue> issues) {
        if (cur.stringCount() < policy.minimumCount()) {
            return;
        }
        long curDistinct = exactDistinct(cur.frequentItems());
        long refDistinct = exactDistinct(ref.frequentItems());
        double refDistinctEstimate = refDistinct > 0 ? refDistinct : ref.distinctEstimate();
        if (curDistinct == 1 && refDistinctEstimate >= 2) {
            String only = cur.frequentItems().getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)[0].getItem();
            issues.add(new DataQualityIssue(name, Kind.CONSTANT, 1.0, refDistinctEstimate, String.format(Locale.ROOT,
                    "all %d string values are \"%s\"; the reference had %s distinct values", cur.stringCount(), only,
                    refDistinct > 0 ? Long.toString(refDistinct) : "about " + Math.round(refDistinctEstimate))));
        }
    }

    /** The number of categories while the sketch counts exactly; 0 when it does not (or is absent). */
    private static long exactDistinct(ItemsSketch<String> sketch) {
        if (sketch == null || sketch.getMaximumError() > 0) {
            return 0;
        }
        return sketch.getNumActiveItems();
    }

    private static void output(String name, FeatureProfile ref, FeatureProfile cur, List<DataQualityIssue> issues) {
        if (cur == null) {
            return;
        }
        long nonFinite = cur.nanCount() + cur.infCount();
        if (nonFinite > 0) {
            Double before = ref == null || ref.present() == 0 ? null
                    : rate(ref.nanCount() + ref.infCount(), ref.present());
            issues.add(new DataQualityIssue(name, Kind.NON_FINITE, rate(nonFinite, cur.present()), before,
                    String.format(Locale.ROOT, "%d NaN and %d infinite of %d values", cur.nanCount(), cur.infCount(),
                            cur.present())));
        }
    }

    private static void score(FeatureProfile ref, FeatureProfile cur, List<DataQualityIssue> issues) {
        Double fraction = scoreOutOfRange(cur);
        if (fraction != null && fraction > 0) {
            issues.add(new DataQualityIssue(DataQualityIssue.SCORE, Kind.SCORE_OUT_OF_RANGE, fraction,
                    scoreOutOfRange(ref), String.format(Locale.ROOT,
                            "%.2f%% of %d finite scores lie outside [0, 1] (min %s, max %s)", 100 * fraction,
                            cur.numericCount(), cur.min(), cur.max())));
        }
    }

    /** Share of finite scores outside [0, 1], as {@link #fractionOutside} reads it; null without scores. */
    static Double scoreOutOfRange(FeatureProfile score) {
        return fractionOutside(score, 0, 1);
    }

    /**
     * The per-feature quality measures of the current window as metric values labelled
     * {@code feature=<name>} ({@link #METRICS}), for the window's features and then the reference's
     * that it lacks; a measure that cannot be computed is left out:
     * {@code missing_rate} ({@code (N - present) / N}, 1 for a reference feature absent from the
     * window), {@code type_mismatch_rate} and
     * {@code non_finite_rate} (shares of present values; the type is the reference's, non-finite for
     * numerical features), {@code out_of_range_fraction} (numerical), {@code new_category_share}
     * (categorical: all categories the reference's sketch does not hold, whatever their share), and for
     * {@link DataQualityIssue#OUTPUT} and {@link DataQualityIssue#SCORE} {@code non_finite_rate}, and
     * {@code score_out_of_range_fraction} for the score.
     */
    public static List<MetricValue> metrics(ProfiledWindow reference, ProfiledWindow current) {
        List<MetricValue> out = new ArrayList<>();
        Map<String, FeatureProfile> features = new LinkedHashMap<>(current.features());
        reference.features().keySet().forEach(name -> features.putIfAbsent(name, null));
        for (Map.Entry<String, FeatureProfile> e : features.entrySet()) {
            String name = e.getKey();
            FeatureProfile cur = e.getValue();
            FeatureProfile ref = reference.features().get(name);
            long present = cur == null ? 0 : cur.present();
            Map<String, String> labels = Map.of("feature", name);
            if (current.events() > 0) {
                out.add(new MetricValue("missing_rate", labels,
                        rate(current.events() - Math.min(current.events(), present), current.events())));
            }
            if (ref == null || ref.present() == 0 || present == 0) {
                continue;
            }
            boolean numerical = ref.isNumerical();
            out.add(new MetricValue("type_mismatch_rate", labels, rate(otherType(cur, numerical), present)));
            if (numerical) {
                out.add(new MetricValue("non_finite_rate", labels, rate(cur.nanCount() + cur.infCount(), present)));
                Double outside = outOfRangeFraction(ref, cur);
                if (outside != null) {
                    out.add(new MetricValue("out_of_range_fraction", labels, outside));
                }
            } else if (cur.stringCount() > 0) {
                double share = newCategoryShares(ref, cur).values().stream().mapToDouble(Double::doubleValue).sum();
                out.add(new MetricValue("new_category_share", labels, share));
            }
        }
        for (String name : List.of(DataQualityIssue.OUTPUT, DataQualityIssue.SCORE)) {
            FeatureProfile cur = name.equals(DataQualityIssue.OUTPUT) ? current.output() : current.score();
            if (cur != null && cur.present() > 0) {
                out.add(new MetricValue("non_finite_rate", Map.of("feature", name),
                        rate(cur.nanCount() + cur.infCount(), cur.present())));
            }
        }
        Double scores = scoreOutOfRange(current.score());
        if (scores != null) {
            out.add(new MetricValue("score_out_of_range_fraction", Map.of("feature", DataQualityIssue.SCORE), scores));
        }
        return out;
    }

    /** Present values of the type other than the feature's: strings for numerical, numbers for categorical. */
    private static long otherType(FeatureProfile p, boolean numerical) {
        return numerical ? p.stringCount() : p.numericCount() + p.nanCount() + p.infCount();
    }

    private static double rate(long x, long n) {
        return n == 0 ? 0 : (double) x / n;
    }
}
