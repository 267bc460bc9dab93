package dev.modelwatch.server.diagnosis;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.quality.CountTests;
import dev.modelwatch.core.quality.DataQualityIssue;
import java.util.Locale;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * A category explosion: many categories the baseline never had, each too rare for the drift report's
 * {@code new_category} check (which reports new categories one by one, each from 0.5% of the values) but
 * together a large share of the values (an upstream id leaking into a category). Measured against the
 * baseline's categories when its sketch counts them exactly (few categories): the share of the current
 * string values outside them, by the upper bounds of their current counts (so never overstated), and
 * tested against the share of new categories that a stationary feature shows (Good-Turing: the
 * baseline's categories seen once, as {@code DataQualityCheck} tests new categories).
 */
final class UnseenCategories {
    /** The least share of values in unseen categories reported (where {@code new_category}'s magnitude starts). */
    static final double MIN_SHARE = 0.1;
    /** The p-value below which the share is reported. */
    static final double P = 1e-4;
    /** The series name of the share, per step, in the evidence. */
    static final String SERIES = "unseen_category_share";
    private static final long MIN_COUNT = 100;

    private UnseenCategories() {
    }

    /**
     * The share of {@code cur}'s string values in categories {@code base} did not have; NaN when it cannot
     * be told (no strings, or the baseline's categories are not all counted).
     */
    static double share(FeatureProfile base, FeatureProfile cur) {
        if (base == null || cur == null || base.frequentItems() == null || cur.frequentItems() == null
                || cur.stringCount() == 0 || base.stringCount() == 0 || base.frequentItems().getMaximumError() != 0) {
            return Double.NaN;
        }
        ItemsSketch<String> now = cur.frequentItems();
        double known = 0;
        for (ItemsSketch.Row<String> row : base.frequentItems().getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
            known += now.getUpperBound(row.getItem());
        }
        return Math.max(0, 1 - known / cur.stringCount());
    }

    /** The {@code new_category} issue of a category explosion in {@code feature}, or null when there is none. */
    static DataQualityIssue issue(String feature, FeatureProfile base, FeatureProfile cur) {
        double share = share(base, cur);
        if (!(share >= MIN_SHARE) || cur.stringCount() < MIN_COUNT) {
            return null;
        }
        long once = 0;
        long categories = 0;
        for (ItemsSketch.Row<String> row : base.frequentItems().getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
            once += row.getEstimate() == 1 ? 1 : 0;
            categories++;
        }
        long unseen = Math.round(share * cur.stringCount());
        double p = CountTests.betaBinomialAtLeast(unseen, cur.stringCount(), once + 1.0,
                Math.max(1, base.stringCount() - once + 1.0));
        if (p >= P) {
            return null;
        }
        return new DataQualityIssue(feature, DataQualityIssue.Kind.NEW_CATEGORY, share, 0.0, String.format(Locale.ROOT,
                "%.1f%% of %d string values are in categories the baseline never had (about %.0f distinct values "
                        + "now, %d before), each too rare to be reported alone (p = %.2g)", 100 * share,
                cur.stringCount(), cur.distinctEstimate(), categories, p));
    }
}
