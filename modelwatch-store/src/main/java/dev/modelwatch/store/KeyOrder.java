package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Puts the predictions of one write in about the order of their keys (model, then id), so that
 * each memtable insert lands next to the one before and the skip list finds its place again cheaply.
 * The order need not be exact: rows of different keys may come in any order, and rows of the same
 * key keep theirs (the later one is stored), since a row's index breaks ties.
 * Each row gets one 64-bit number, its model's rank followed by the characters of its id at the
 * positions where the ids of the write differ, each in as few bits as the range of characters seen
 * there needs, cut off where the bits run out; the numbers are sorted as primitives, which costs a
 * fraction of sorting the rows with a comparator.
 */
final class KeyOrder {
    private KeyOrder() {
    }

    /** The indexes of {@code rows} in about key order. */
    static int[] of(PendingPrediction[] rows) {
        int n = rows.length;
        int[] order = new int[n];
        if (n <= 1) {
            return order;
        }
        int indexBits = bitsFor(n - 1);
        Map<String, Integer> modelRank = modelRanks(rows);
        int modelBits = modelRank.size() == 1 ? 0 : bitsFor(modelRank.size() - 1);

        int length = 0;
        for (PendingPrediction p : rows) {
            length = Math.max(length, p.id().length());
        }
        char[] min = new char[length];
        char[] max = new char[length];
        Arrays.fill(min, Character.MAX_VALUE);
        for (PendingPrediction p : rows) {
            String id = p.id();
            for (int i = 0; i < length; i++) {
                char c = i < id.length() ? id.charAt(i) : 0;
                if (c < min[i]) {
                    min[i] = c;
                }
                if (c > max[i]) {
                    max[i] = c;
                }
            }
        }
        int[] bits = new int[length];
        for (int i = 0; i < length; i++) {
            bits[i] = max[i] == min[i] ? 0 : bitsFor(max[i] - min[i]);
        }

        int keyBits = 63 - indexBits;
        long[] keys = new long[n];
        String lastModel = null;
        long rank = 0;
        for (int r = 0; r < n; r++) {
            PendingPrediction p = rows[r];
            if (p.model() != lastModel) {
                lastModel = p.model();
                rank = modelRank.get(lastModel);
            }
            long key = rank;
            int used = modelBits;
            String id = p.id();
            for (int i = 0; i < length && used < keyBits; i++) {
                if (bits[i] == 0) {
                    continue;
                }
                int b = Math.min(bits[i], keyBits - used);
                char c = i < id.length() ? id.charAt(i) : 0;
                key = (key << b) | ((c - min[i]) >>> (bits[i] - b));
                used += b;
            }
            keys[r] = (key << (keyBits - used) << indexBits) | r;
        }
        Arrays.sort(keys);
        long indexMask = (1L << indexBits) - 1;
        for (int r = 0; r < n; r++) {
            order[r] = (int) (keys[r] & indexMask);
        }
        return order;
    }

    private static Map<String, Integer> modelRanks(PendingPrediction[] rows) {
        TreeSet<String> models = new TreeSet<>();
        String last = null;
        for (PendingPrediction p : rows) {
            if (p.model() != last) {
                last = p.model();
                models.add(last);
            }
        }
        Map<String, Integer> ranks = new HashMap<>();
        for (String m : models) {
            ranks.put(m, ranks.size());
        }
        return ranks;
    }

    /** Bits to write 0..{@code max}. */
    private static int bitsFor(int max) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(max));
    }
}
