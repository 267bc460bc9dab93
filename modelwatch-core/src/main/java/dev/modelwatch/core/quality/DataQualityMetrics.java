package dev.modelwatch.core.quality;

import dev.modelwatch.core.metrics.MetricCatalog.MetricValue;
import dev.modelwatch.core.profile.FeatureProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The per-feature quality measures of a window against its reference as metric series, and the
 * readings of the profiles' sketches behind them, which {@link DataQualityCheck}'s rules decide on too
 * (shares outside a range, in new categories, of the other type).
 *
 * <p>Usage:
 * <pre>{@code
 * List<MetricValue> series = DataQualityMetrics.metrics(ProfiledWindow.of(referenceProfile),
 *         ProfiledWindow.of(windowProfile));
 * }</pre>
 */
public final class DataQualityMetrics {
    /** Per-feature measures {@link #metrics} gives, each labelled {@code feature=<name>}. */
    public static final List<String> METRICS = List.of("missing_rate", "type_mismatch_rate", "non_finite_rate",
            "out_of_range_fraction", "new_category_share", "score_out_of_range_fraction");

    private DataQualityMetrics() {
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

    /**
     * The least share of the profile's finite values outside {@code [low, high]} given its sketch's rank
     * error {@code eps} (0 while the sketch holds every value): per side outside, {@code max(1/n, share - eps)}.
     */
    static double fractionOutsideAtLeast(FeatureProfile p, double low, double high) {
        KllDoublesSketch sketch = p.quantileSketch();
        double eps = sketch.isEstimationMode() ? sketch.getNormalizedRankError(false) : 0;
        double one = 1.0 / p.numericCount();
        double below = p.min() < low ? Math.max(one, sketch.getRank(low, QuantileSearchCriteria.EXCLUSIVE) - eps) : 0;
        double above = p.max() > high ? Math.max(one, 1 - sketch.getRank(high, QuantileSearchCriteria.INCLUSIVE) - eps)
                : 0;
        return Math.min(1, below + above);
    }

    /**
     * The least share of the current strings outside the categories the reference's sketch tracks: one
     * minus the current upper bounds of those categories' counts. It sees new categories that each are too
     * rare for the current sketch to keep (a window with more distinct values than its sketch holds counts
     * them only in its error), which {@link #newCategoryShares} cannot list.
     */
    static double outsideReferenceShare(FeatureProfile ref, FeatureProfile cur) {
        ItemsSketch<String> known = ref.frequentItems();
        ItemsSketch<String> seen = cur.frequentItems();
        if (known == null || seen == null || cur.stringCount() == 0) {
            return 0;
        }
        long inKnown = 0;
        for (ItemsSketch.Row<String> row : known.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
            inKnown += seen.getUpperBound(row.getItem());
        }
        return Math.max(0, 1 - (double) inKnown / cur.stringCount());
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
                double share = Math.max(newCategoryShares(ref, cur).values().stream().mapToDouble(Double::doubleValue)
                        .sum(), outsideReferenceShare(ref, cur));
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
    static long otherType(FeatureProfile p, boolean numerical) {
        return numerical ? p.stringCount() : p.numericCount() + p.nanCount() + p.infCount();
    }

    static double rate(long x, long n) {
        return n == 0 ? 0 : (double) x / n;
    }}
