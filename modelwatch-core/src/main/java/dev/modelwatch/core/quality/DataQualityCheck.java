package dev.modelwatch.core.quality;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.quality.DataQualityIssue.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Data-quality issues of a window against its reference (the per-feature quality measures as metric
 * series, and the sketch readings both use, are {@link DataQualityMetrics}). Thresholds are a {@link DataQualityPolicy}'s; {@code N} is a window's event count,
 * {@code present} a feature's non-null values (numbers, finite or not, and strings).
 *
 * <p><b>Calibration.</b> An issue is a claim that the window differs from its reference, so each rule
 * whose count could differ by chance asks two things: that the change is large enough to matter (the
 * policy's share), and that the count is unlikely under the reference — one-sided, at the level
 * {@code falseAlarmRate / F}, {@code F} the number of features compared plus the output and the score
 * (Bonferroni: a clean window raises an issue of a given kind with probability at most
 * {@code falseAlarmRate}, 1%, whatever its number of features). "Unlikely under the reference"
 * always includes the reference's own sampling error: a rate is compared by Fisher's exact test
 * ({@link CountTests#fisherGreater}), never against the reference's rate taken as exact, so a
 * reference that saw none of a rare kind does not make its next occurrence an issue, at 100 events or
 * at a million.
 *
 * <p><b>Rules</b>, for each feature of the reference (its type is the reference's majority type):
 * <ul>
 *   <li>{@code schema}: the reference had values of the feature and the current window, which has
 *       events, has none, and a reference-rate window of that size would have none with probability
 *       below the level (Fisher's test on the events with and without the feature); and, for each feature
 *       of the current window with values, that the reference never had any, with the same test the other
 *       way. A feature with a schema issue gets no other.</li>
 *   <li>{@code missing_rate}: {@code r = (N - present) / N} on each side; an issue when
 *       {@code r_cur - r_ref >= missingRateIncrease} and Fisher's test of the missing counts is
 *       significant.</li>
 *   <li>{@code type_mismatch}: the share of present current values of the other type (strings for a
 *       numerical feature; numbers, NaN and infinities included, for a categorical one) above
 *       {@code typeMismatchShare}, and significantly above the reference's share.</li>
 *   <li>{@code out_of_range} (numerical): the share of finite current values below the reference's min
 *       or above its max, read from the current KLL sketch's CDF at those two values
 *       ({@code F(min-) + 1 - F(max)}; 0 when the exact current min and max are inside the range, and
 *       at least one value per side when they are not), above {@code outOfRangeFraction}, and a count
 *       that an unchanged continuous distribution puts outside the range of {@code n_ref} values with
 *       probability below the level: the share of such a distribution outside that range is
 *       Beta(2, n_ref - 1) (the complement of the range of n_ref uniform order statistics), so the count
 *       outside among {@code n} current values is BetaBinomial(n, 2, n_ref - 1) — exact, for a small
 *       reference (which does not know its distribution's range) and a small window alike. The
 *       sketch's share is within its normalized rank error of the exact one (1.3% at k = 200, 0.35% at
 *       k = 800, 99% confidence); measured at normal tails of 0.1% to 1%, it erred by at most 0.4% at
 *       k = 200 and 0.15% at k = 800; the decision uses the least share the exact values can have (the
 *       sketch's share less its rank error), so that the sketch cannot raise the issue.</li>
 *   <li>{@code new_category} (categorical): categories of the current window's frequent-items sketch
 *       that the reference's sketch does not hold, each with at least {@code newCategoryShare} of the
 *       current strings (by the sketch's lower bound of its count), when the current strings in categories
 *       unknown to the reference (all of them, by lower bounds) are more than the reference makes likely:
 *       the share of a distribution in categories a sample of {@code n_ref} did not see is about
 *       {@code f1 / n_ref} ({@code f1} the categories seen once; Good–Turing), taken as
 *       Beta(f1 + 1, n_ref - f1 + 1), and the count among {@code n} current strings as the beta-binomial.
 *       A reference whose sketch dropped categories (counts not exact) takes the strings outside its
 *       tracked categories (all the sketch's decrements, the most it can have dropped) as {@code f1}: a category it dropped and one that is
 *       new cannot be told apart, so a new one must then stand out against all the dropped ones. {@code value} is the reported categories' total share;
 *       {@code reference} 0 when the reference counted every category exactly, else the share a category
 *       it dropped could have had (its sketch's maximum error over its strings). New categories each too rare
 *       for that share (or for the current sketch to keep: a window with more distinct values than its
 *       sketch holds) are one issue when together they are at least {@value #SCATTERED_NEW_CATEGORY_SHARE}
 *       of the strings, counted as the strings outside the reference's categories (one minus the current
 *       upper bounds of their counts), and significant by the same test.</li>
 *   <li>{@code constant}: the current window has one value only (numerical: min = max; categorical:
 *       one category, counted exactly) where the reference had several, and {@code n} values drawn at the
 *       reference's share of that value would all be it with probability below the level (the share as
 *       Beta(count + 1, n_ref - count + 1), with the sketch's rank error added for a number): a flag that
 *       is 1 in 97% of the reference is 1 in a whole window of 30 in 40% of clean windows, not an issue.
 *       {@code value} is the current sd (0) or distinct count (1), {@code reference} the reference's.</li>
 *   <li>{@code non_finite} (numerical): a share of NaN or infinite current values significantly above the
 *       reference's; {@code value} is their share of present values.</li>
 * </ul>
 * For the output ({@link DataQualityIssue#OUTPUT}) and the score ({@link DataQualityIssue#SCORE}):
 * {@code non_finite} when the current window has NaN or infinite values and the reference had none (a
 * model's output is never legitimately NaN: any is invalid) or significantly fewer, and likewise
 * {@code score_out_of_range} for finite scores outside [0, 1] (from the exact min and max; {@code value}
 * is the sketch's share outside, at least one value per side). The share rules (type mismatch, out of
 * range, new category, constant) need {@code minimumCount} present current values. A current window
 * with no events has no issues, and one whose reference has no events only the output and score issues.
 *
 * <p>Usage:
 * <pre>{@code
 * List<DataQualityIssue> issues = DataQualityCheck.compare(referenceProfile, windowProfile,
 *         DataQualityPolicy.DEFAULT);
 * List<MetricValue> series = DataQualityMetrics.metrics(ProfiledWindow.of(referenceProfile),
 *         ProfiledWindow.of(windowProfile));
 * }</pre>
 */
public final class DataQualityCheck {
    /**
     * The least share of a window's strings in new categories, none of which reaches
     * {@code newCategoryShare}, that is an issue (when significant): an id leaking into a category
     * scatters over categories too rare to list one by one.
     */
    static final double SCATTERED_NEW_CATEGORY_SHARE = 0.05;

    private DataQualityCheck() {
    }

    /** {@link #compare(ProfiledWindow, ProfiledWindow, DataQualityPolicy)} of two window profiles. */
    public static List<DataQualityIssue> compare(WindowProfile reference, WindowProfile current,
            DataQualityPolicy policy) {
        return compare(ProfiledWindow.of(reference), ProfiledWindow.of(current), policy);
    }

    /** The rules' shared inputs: the policy and the level of each test. */
    private record Checks(DataQualityPolicy policy, double level, long nRef, long nCur) {
        boolean significant(double p) {
            return p <= level;
        }
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
        java.util.Set<String> compared = new java.util.HashSet<>(reference.features().keySet());
        compared.addAll(current.features().keySet());
        Checks checks = new Checks(policy, policy.falseAlarmRate() / (compared.size() + 2), reference.events(),
                current.events());
        if (reference.events() > 0) {
            reference.features().forEach((name, ref) -> feature(name, ref, current.features().get(name), checks,
                    issues));
            current.features().forEach((name, cur) -> {
                FeatureProfile ref = reference.features().get(name);
                if (ref == null && cur.present() > 0 && checks.significant(CountTests.fisherGreater(0,
                        reference.events(), Math.min(cur.present(), current.events()), current.events()))) {
                    issues.add(new DataQualityIssue(name, Kind.SCHEMA, DataQualityMetrics.rate(cur.present(), current.events()), 0.0,
                            String.format(Locale.ROOT, "not in the reference; present in %d of the window's %d events",
                                    cur.present(), current.events())));
                }
            });
        }
        output(DataQualityIssue.OUTPUT, reference.output(), current.output(), checks, issues);
        output(DataQualityIssue.SCORE, reference.score(), current.score(), checks, issues);
        score(reference.score(), current.score(), checks, issues);
        return issues;
    }

    private static void feature(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        long nRef = checks.nRef();
        long nCur = checks.nCur();
        DataQualityPolicy policy = checks.policy();
        long presentRef = Math.min(nRef, ref.present());
        long presentCur = cur == null ? 0 : Math.min(nCur, cur.present());
        if (presentRef == 0) {
            if (presentCur > 0 && checks.significant(CountTests.fisherGreater(0, nRef, presentCur, nCur))) {
                issues.add(new DataQualityIssue(name, Kind.SCHEMA, DataQualityMetrics.rate(presentCur, nCur), 0.0, String.format(
                        Locale.ROOT, "never had a value in the reference's %d events; present in %d of the window's %d",
                        nRef, presentCur, nCur)));
            }
            return;
        }
        if (presentCur == 0) {
            // absent everywhere: as many absences as events, against the reference's absences
            if (checks.significant(CountTests.fisherGreater(nRef - presentRef, nRef, nCur, nCur))) {
                issues.add(new DataQualityIssue(name, Kind.SCHEMA, 0.0, DataQualityMetrics.rate(presentRef, nRef), String.format(
                        Locale.ROOT, "absent from all %d events of the window; present in %d of the reference's %d",
                        nCur, presentRef, nRef)));
            }
            return;
        }
        missingRate(name, nRef - presentRef, nRef, nCur - presentCur, nCur, checks, issues);
        boolean numerical = ref.isNumerical();
        long otherRef = DataQualityMetrics.otherType(ref, numerical);
        long otherCur = DataQualityMetrics.otherType(cur, numerical);
        double mismatchRef = DataQualityMetrics.rate(otherRef, ref.present());
        double mismatchCur = DataQualityMetrics.rate(otherCur, cur.present());
        boolean enough = cur.present() >= policy.minimumCount();
        if (enough && mismatchCur > policy.typeMismatchShare()
                && checks.significant(CountTests.fisherGreater(otherRef, ref.present(), otherCur, cur.present()))) {
            issues.add(new DataQualityIssue(name, Kind.TYPE_MISMATCH, mismatchCur, mismatchRef, String.format(
                    Locale.ROOT, "%d of %d present values are %s in a %s feature (reference: %.2f%%)",
                    otherCur, cur.present(), numerical ? "strings" : "numbers",
                    numerical ? "numerical" : "categorical", 100 * mismatchRef)));
        }
        if (numerical) {
            outOfRange(name, ref, cur, checks, issues);
            constantNumber(name, ref, cur, checks, issues);
            nonFiniteFeature(name, ref, cur, checks, issues);
        } else {
            newCategories(name, ref, cur, checks, issues);
            constantCategory(name, ref, cur, checks, issues);
        }
    }

    private static void missingRate(String name, long missingRef, long nRef, long missingCur, long nCur,
            Checks checks, List<DataQualityIssue> issues) {
        double rRef = DataQualityMetrics.rate(missingRef, nRef);
        double rCur = DataQualityMetrics.rate(missingCur, nCur);
        if (rCur - rRef < checks.policy().missingRateIncrease()) {
            return;
        }
        double p = CountTests.fisherGreater(missingRef, nRef, missingCur, nCur);
        if (checks.significant(p)) {
            issues.add(new DataQualityIssue(name, Kind.MISSING_RATE, rCur, rRef, String.format(Locale.ROOT,
                    "missing in %d of the window's %d events (%.2f%%) against %d of the reference's %d (%.2f%%);"
                            + " p = %.2g",
                    missingCur, nCur, 100 * rCur, missingRef, nRef, 100 * rRef, p)));
        }
    }

    private static void outOfRange(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        Double fraction = DataQualityMetrics.outOfRangeFraction(ref, cur);
        long n = cur.numericCount();
        if (fraction == null || n < checks.policy().minimumCount() || ref.numericCount() < 2) {
            return;
        }
        // decided on the least share the exact values can have: the sketch's rank error may not raise an issue
        double least = DataQualityMetrics.fractionOutsideAtLeast(cur, ref.min(), ref.max());
        if (least <= checks.policy().outOfRangeFraction()) {
            return;
        }
        long outside = Math.round(least * n);
        double p = unchangedCountOutside(outside, n, ref.numericCount());
        if (checks.significant(p)) {
            issues.add(new DataQualityIssue(name, Kind.OUT_OF_RANGE, fraction, 0.0, String.format(Locale.ROOT,
                    "%.2f%% of %d finite values lie outside the reference's range [%s, %s] (window: [%s, %s]);"
                            + " an unchanged distribution puts that many outside %d reference values with"
                            + " probability %.2g",
                    100 * fraction, n, ref.min(), ref.max(), cur.min(), cur.max(), ref.numericCount(), p)));
        }
    }

    /**
     * The probability that an unchanged continuous distribution puts at least {@code outside} of
     * {@code n} values outside the range of {@code nRef >= 2} values drawn from it: BetaBinomial(n, 2,
     * nRef - 1) (see the class comment).
     */
    static double unchangedCountOutside(long outside, long n, long nRef) {
        return CountTests.betaBinomialAtLeast(outside, n, 2, nRef - 1);
    }

    /**
     * The probability that {@code n} values all equal one value whose count in the reference is
     * {@code count} of {@code nRef}: {@code P(X = n)} for {@code X ~ BetaBinomial(n, count + 1, nRef - count + 1)}.
     */
    static double allEqual(double count, long nRef, long n) {
        double c = Math.max(0, Math.min(nRef, count));
        return CountTests.betaBinomialAtLeast(n, n, c + 1, nRef - c + 1);
    }

    private static void constantNumber(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        long n = cur.numericCount();
        if (n < checks.policy().minimumCount() || cur.min() != cur.max() || ref.numericCount() < 2
                || !(ref.min() < ref.max())) {
            return;
        }
        KllDoublesSketch sketch = ref.quantileSketch();
        double v = cur.min();
        double share = v < ref.min() || v > ref.max() ? 0 : sketch.getRank(v, QuantileSearchCriteria.INCLUSIVE)
                - sketch.getRank(v, QuantileSearchCriteria.EXCLUSIVE) + sketch.getNormalizedRankError(true);
        double p = allEqual(share * ref.numericCount(), ref.numericCount(), n);
        if (checks.significant(p)) {
            issues.add(new DataQualityIssue(name, Kind.CONSTANT, 0.0, ref.std(), String.format(Locale.ROOT,
                    "all %d finite values are %s; the reference ranged over [%s, %s] with sd %.4g (%.2f%% of it at"
                            + " that value)",
                    n, v, ref.min(), ref.max(), ref.std(), 100 * Math.min(1, share))));
        }
    }

    private static void nonFiniteFeature(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        long nonFinite = cur.nanCount() + cur.infCount();
        long refNonFinite = ref.nanCount() + ref.infCount();
        if (nonFinite > 0 && checks.significant(CountTests.fisherGreater(refNonFinite, ref.present(), nonFinite,
                cur.present()))) {
            issues.add(new DataQualityIssue(name, Kind.NON_FINITE, DataQualityMetrics.rate(nonFinite, cur.present()),
                    DataQualityMetrics.rate(refNonFinite, ref.present()), String.format(Locale.ROOT,
                            "%d NaN and %d infinite of %d present values; the reference had %d of %d",
                            cur.nanCount(), cur.infCount(), cur.present(), refNonFinite, ref.present())));
        }
    }

    private static void newCategories(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        if (cur.stringCount() < checks.policy().minimumCount() || cur.frequentItems() == null) {
            return;
        }
        ItemsSketch<String> known = ref.frequentItems();
        double dropped = known == null ? 0 : DataQualityMetrics.rate(known.getMaximumError(), ref.stringCount());
        Map<String, Double> found = DataQualityMetrics.newCategoryShares(ref, cur);
        double unseen = Math.max(found.values().stream().mapToDouble(Double::doubleValue).sum(),
                DataQualityMetrics.outsideReferenceShare(ref, cur));
        found.values().removeIf(share -> share < checks.policy().newCategoryShare());
        boolean scattered = found.isEmpty() && unseen >= SCATTERED_NEW_CATEGORY_SHARE;
        if (found.isEmpty() && !scattered) {
            return;
        }
        long unseenCount = Math.round(unseen * cur.stringCount());
        double singletons = unseenMass(ref);
        double p = CountTests.betaBinomialAtLeast(unseenCount, cur.stringCount(), singletons + 1,
                Math.max(1, ref.stringCount() - singletons + 1));
        if (!checks.significant(p)) {
            return;
        }
        String caveat = dropped == 0 ? "" : String.format(Locale.ROOT,
                "; the reference counted only its frequent categories, and each of these may have had up to %.2f%%"
                        + " of it", 100 * dropped);
        if (scattered) {
            issues.add(new DataQualityIssue(name, Kind.NEW_CATEGORY, unseen, dropped, String.format(Locale.ROOT,
                    "at least %.2f%% of %d string values in categories not in the reference, each below %.2f%%%s",
                    100 * unseen, cur.stringCount(), 100 * checks.policy().newCategoryShare(), caveat)));
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
        issues.add(new DataQualityIssue(name, Kind.NEW_CATEGORY, total, dropped, String.format(Locale.ROOT,
                "%d categories not in the reference, %.2f%% of %d string values: %s%s", found.size(), 100 * total,
                cur.stringCount(), names, caveat)));
    }

    /**
     * The reference's count behind the share of categories it did not see ({@code f1} of the class
     * comment): its categories counted once when its sketch counts exactly, else its strings outside the
     * tracked categories (by their lower bounds: every count the sketch removed may belong to a category it
     * dropped).
     */
    static double unseenMass(FeatureProfile ref) {
        ItemsSketch<String> known = ref.frequentItems();
        if (known == null) {
            return 0;
        }
        ItemsSketch.Row<String>[] rows = known.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES);
        if (known.getMaximumError() == 0) {
            long once = 0;
            for (ItemsSketch.Row<String> row : rows) {
                once += row.getEstimate() == 1 ? 1 : 0;
            }
            return once;
        }
        long tracked = 0;
        for (ItemsSketch.Row<String> row : rows) {
            tracked += row.getLowerBound();
        }
        return Math.max(0, ref.stringCount() - tracked);
    }

    private static void constantCategory(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        if (cur.stringCount() < checks.policy().minimumCount()) {
            return;
        }
        long curDistinct = exactDistinct(cur.frequentItems());
        long refDistinct = exactDistinct(ref.frequentItems());
        double refDistinctEstimate = refDistinct > 0 ? refDistinct : ref.distinctEstimate();
        if (curDistinct != 1 || refDistinctEstimate < 2) {
            return;
        }
        String only = cur.frequentItems().getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)[0].getItem();
        ItemsSketch<String> known = ref.frequentItems();
        double count = known == null ? 0 : known.getUpperBound(only);
        double p = allEqual(count, ref.stringCount(), cur.stringCount());
        if (checks.significant(p)) {
            issues.add(new DataQualityIssue(name, Kind.CONSTANT, 1.0, refDistinctEstimate, String.format(Locale.ROOT,
                    "all %d string values are \"%s\"; the reference had %s distinct values (%.2f%% \"%s\")",
                    cur.stringCount(), only, refDistinct > 0 ? Long.toString(refDistinct)
                            : "about " + Math.round(refDistinctEstimate),
                    100 * DataQualityMetrics.rate(Math.round(count), ref.stringCount()), only)));
        }
    }

    /** The number of categories while the sketch counts exactly; 0 when it does not (or is absent). */
    private static long exactDistinct(ItemsSketch<String> sketch) {
        if (sketch == null || sketch.getMaximumError() > 0) {
            return 0;
        }
        return sketch.getNumActiveItems();
    }

    /**
     * Whether {@code x} of {@code n} invalid values (NaN outputs, scores outside [0, 1]) are an issue
     * against the reference's {@code xRef} of {@code nRef}: any is when the reference had none (or no
     * values), a rate significantly above the reference's otherwise.
     */
    private static boolean invalid(long xRef, long nRef, long x, long n, Checks checks) {
        if (x == 0) {
            return false;
        }
        return xRef == 0 || checks.significant(CountTests.fisherGreater(xRef, nRef, x, n));
    }

    private static void output(String name, FeatureProfile ref, FeatureProfile cur, Checks checks,
            List<DataQualityIssue> issues) {
        if (cur == null) {
            return;
        }
        long nonFinite = cur.nanCount() + cur.infCount();
        long refNonFinite = ref == null ? 0 : ref.nanCount() + ref.infCount();
        long refPresent = ref == null ? 0 : ref.present();
        if (invalid(refNonFinite, refPresent, nonFinite, cur.present(), checks)) {
            Double before = refPresent == 0 ? null : DataQualityMetrics.rate(refNonFinite, refPresent);
            issues.add(new DataQualityIssue(name, Kind.NON_FINITE, DataQualityMetrics.rate(nonFinite, cur.present()), before,
                    String.format(Locale.ROOT, "%d NaN and %d infinite of %d values", cur.nanCount(), cur.infCount(),
                            cur.present())));
        }
    }

    private static void score(FeatureProfile ref, FeatureProfile cur, Checks checks, List<DataQualityIssue> issues) {
        Double fraction = DataQualityMetrics.scoreOutOfRange(cur);
        if (fraction == null || fraction == 0) {
            return;
        }
        Double before = DataQualityMetrics.scoreOutOfRange(ref);
        long refCount = before == null ? 0 : Math.round(before * ref.numericCount());
        long refN = before == null ? 0 : ref.numericCount();
        long count = Math.max(1, Math.round(fraction * cur.numericCount()));
        if (invalid(refCount, refN, count, cur.numericCount(), checks)) {
            issues.add(new DataQualityIssue(DataQualityIssue.SCORE, Kind.SCORE_OUT_OF_RANGE, fraction, before,
                    String.format(Locale.ROOT, "%.2f%% of %d finite scores lie outside [0, 1] (min %s, max %s)",
                            100 * fraction, cur.numericCount(), cur.min(), cur.max())));
        }
    }


}
