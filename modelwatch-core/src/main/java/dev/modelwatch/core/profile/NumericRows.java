package dev.modelwatch.core.profile;

import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.event.FeatureVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The co-moments of a window's numerical features (the first {@code maxFeatures} seen), for
 * multivariate drift, with the cache that maps an event's features to the co-moments' columns.
 * Part of a {@link WindowProfile}; not thread-safe.
 */
final class NumericRows {
    private final int maxFeatures;
    /** null until a prediction has a numerical feature. */
    private CoMoments numeric;
    // scratch of add: the row of numerical values in the co-moments' order
    private double[] numericRow;
    private final Map<String, Integer> numericSlot = new HashMap<>();
    private String[] lastNames;
    private int[] lastSlots;

    NumericRows(int maxFeatures) {
        this.maxFeatures = maxFeatures;
    }

    /** The co-moments, or null when no numerical feature was seen. */
    CoMoments coMoments() {
        return numeric;
    }

    /** Replaces the co-moments (a decoded profile's). */
    void set(CoMoments coMoments) {
        numeric = coMoments;
        indexNumeric();
    }

    /**
     * Adds the event's numerical values to the co-moments; a numerical feature not seen before in this
     * window joins them (its earlier rows count as missing), up to {@link CoMoments#MAX_FEATURES}.
     */
    void add(FeatureVector v) {
        int n = v.size();
        int[] slots = slotsOf(v);
        if (numeric == null) {
            return;
        }
        double[] row = numericRow;
        Arrays.fill(row, Double.NaN);
        for (int i = 0; i < n; i++) {
            int slot = slots[i];
            if (slot >= 0 && v.kind(i) == FeatureVector.NUMBER) {
                row[slot] = v.number(i);
            }
        }
        numeric.add(row);
    }

    /** {@link #add(FeatureVector)} for features given as a map: Doubles count, anything else is missing. */
    void add(Map<String, Object> values) {
        FeatureVector.Builder b = FeatureVector.builder(values.size());
        for (Map.Entry<String, Object> f : values.entrySet()) {
            if (f.getValue() instanceof Double d) {
                b.number(f.getKey(), d);
            } else {
                b.missing(f.getKey());
            }
        }
        add(b.build());
    }

    void merge(NumericRows o) {
        if (o.numeric != null) {
            if (numeric == null) {
                numeric = o.numeric.copy();
            } else if (numeric.featureNames().equals(o.numeric.featureNames())) {
                numeric.merge(o.numeric);
            } else {
                numeric = CoMoments.union(numeric, o.numeric);
            }
            indexNumeric();
        }
    }

    /** An upper estimate of the heap taken, in bytes. */
    long estimatedBytes() {
        long bytes = 8L * 16 * numericSlot.size();
        if (lastNames != null) {
            bytes += 32 + 12L * lastNames.length;
        }
        if (numeric != null) {
            bytes += numeric.estimatedBytes() + 16L * numeric.dimension();
        }
        return bytes;
    }

    /**
     * Each feature's slot in the co-moments (-1 for none). Consecutive events nearly always name the
     * same features in the same order, with the same (canonical) strings from the JSON parser: then
     * the last answer is reused after an identity check of the names.
     */
    private int[] slotsOf(FeatureVector v) {
        int n = v.size();
        String[] last = lastNames;
        boolean same = last != null && last.length == n;
        for (int i = 0; same && i < n; i++) {
            same = last[i] == v.name(i);
        }
        boolean grown = false;
        for (int i = 0; i < n; i++) {
            if (v.kind(i) == FeatureVector.NUMBER && (same ? lastSlots[i] < 0 : !numericSlot.containsKey(v.name(i)))
                    && numericSlot.size() < maxFeatures && !numericSlot.containsKey(v.name(i))) {
                growNumeric(v.name(i));
                grown = true;
            }
        }
        if (same && !grown) {
            return lastSlots;
        }
        String[] names = new String[n];
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) {
            names[i] = v.name(i);
            Integer slot = numericSlot.get(names[i]);
            slots[i] = slot == null ? -1 : slot;
        }
        lastNames = names;
        lastSlots = slots;
        return slots;
    }

    private void growNumeric(String name) {
        if (numeric == null || numeric.count() == 0) {
            // no rows yet (the window's first event): a fresh accumulator keeps the fast dense mode,
            // which a union (pairwise by nature) would give up for the whole window
            List<String> names = new ArrayList<>(numeric == null ? List.of() : numeric.featureNames());
            names.add(name);
            numeric = new CoMoments(names);
        } else {
            numeric = CoMoments.union(numeric, new CoMoments(List.of(name)));
        }
        indexNumeric();
    }

    private void indexNumeric() {
        numericSlot.clear();
        List<String> names = numeric.featureNames();
        for (int i = 0; i < names.size(); i++) {
            numericSlot.put(names.get(i), i);
        }
        numericRow = new double[names.size()];
        lastNames = null;
    }
}
