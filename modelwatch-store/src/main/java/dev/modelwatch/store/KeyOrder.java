package dev.modelwatch.store;

import dev.modelwatch.core.profile.PendingPrediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the predictions of one write in about the order of their keys (model, then id), so that
 * each memtable insert lands next to the one before and the skip list finds its place again cheaply.
 * The order need not be exact: rows of different keys may come in any order, and rows of the same
 * key keep theirs (the later one is stored), since a row's index breaks ties.
 *
 * <p>Each row gets one 64-bit number, its model's rank followed by the bytes of its id at the
 * positions where the ids of the write differ, each in as few bits as the range of bytes seen
 * there needs, cut off where the bits run out; the numbers are sorted as primitives, which costs a
 * fraction of sorting the rows with a comparator.
 *
 * <p>The ids are read as their UTF-8 bytes in one buffer, where the caller has just encoded them
 * ({@link #add}): the range of each position is taken then, while the bytes are in the cache, and the
 * numbers are built in a second pass over the buffer, in the order the rows were written to it,
 * instead of chasing each row's id string again.
 */
final class KeyOrder {
    private final Map<String, Integer> modelNumbers = new HashMap<>();
    private final List<String> models = new ArrayList<>();
    private int[] model;
    private int[] idStart;
    private int[] idLength;
    private int n;
    private int[] min = new int[0];
    private int[] max = new int[0];
    private int minLength = Integer.MAX_VALUE;
    private int maxLength;

    KeyOrder(int capacity) {
        model = new int[Math.max(1, capacity)];
        idStart = new int[model.length];
        idLength = new int[model.length];
    }

    /** The indexes of {@code rows} in about key order. */
    static int[] of(PendingPrediction[] rows) {
        KeyOrder order = new KeyOrder(rows.length);
        Bytes ids = new Bytes(16 * rows.length + 16);
        for (PendingPrediction p : rows) {
            int start = ids.position();
            ids.text(p.id());
            order.add(order.model(p.model()), ids.array(), start, ids.position() - start);
        }
        return order.sorted(ids.array());
    }

    /** The number of a model, to pass to {@link #add}; look it up again only when the model changes. */
    int model(String name) {
        Integer number = modelNumbers.get(name);
        if (number == null) {
            number = models.size();
            models.add(name);
            modelNumbers.put(name, number);
        }
        return number;
    }

    /**
     * Adds the next row: its model's number and its id, the {@code length} UTF-8 bytes from {@code start}
     * in {@code buffer}, which must still hold them, at the same place, when {@link #sorted} is called.
     */
    void add(int modelNumber, byte[] buffer, int start, int length) {
        if (n == model.length) {
            int grown = n + Math.max(16, n / 2);
            model = Arrays.copyOf(model, grown);
            idStart = Arrays.copyOf(idStart, grown);
            idLength = Arrays.copyOf(idLength, grown);
        }
        model[n] = modelNumber;
        idStart[n] = start;
        idLength[n] = length;
        n++;
        if (length > maxLength) {
            int was = maxLength;
            maxLength = length;
            if (length > min.length) {
                min = Arrays.copyOf(min, Math.max(length, 2 * min.length));
                max = Arrays.copyOf(max, min.length);
            }
            Arrays.fill(min, was, length, 0xFF);
        }
        minLength = Math.min(minLength, length);
        int[] lo = min;
        int[] hi = max;
        for (int i = 0; i < length; i++) {
            int b = buffer[start + i] & 0xFF;
            lo[i] = Math.min(lo[i], b);
            hi[i] = Math.max(hi[i], b);
        }
    }

    /** The indexes of the rows added, in about key order; {@code buffer} holds their ids. */
    int[] sorted(byte[] buffer) {
        int[] order = new int[n];
        if (n <= 1) {
            return order;
        }
        int indexBits = bitsFor(n - 1);
        int[] rank = modelRanks();
        int modelBits = models.size() == 1 ? 0 : bitsFor(models.size() - 1);
        int keyBits = 63 - indexBits;

        // the positions that tell ids apart, their lowest byte and the bits each takes
        int[] positions = new int[maxLength];
        int[] low = new int[maxLength];
        int[] bits = new int[maxLength];
        int[] cut = new int[maxLength];
        int active = 0;
        int used = modelBits;
        for (int i = 0; i < maxLength && used < keyBits; i++) {
            // a position some id is too short for reads as a zero byte
            int lo = i >= minLength ? 0 : min[i];
            if (max[i] == lo) {
                continue;
            }
            int b = bitsFor(max[i] - lo);
            positions[active] = i;
            low[active] = lo;
            bits[active] = Math.min(b, keyBits - used);
            cut[active] = b - bits[active];
            used += bits[active];
            active++;
        }

        long[] keys = new long[n];
        for (int r = 0; r < n; r++) {
            long key = rank[model[r]];
            int start = idStart[r];
            int length = idLength[r];
            for (int j = 0; j < active; j++) {
                int i = positions[j];
                int c = i < length ? buffer[start + i] & 0xFF : 0;
                key = (key << bits[j]) | ((c - low[j]) >>> cut[j]);
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

    /** The rank of each model number among the models' names. */
    private int[] modelRanks() {
        Integer[] byName = new Integer[models.size()];
        for (int i = 0; i < byName.length; i++) {
            byName[i] = i;
        }
        Arrays.sort(byName, (a, b) -> models.get(a).compareTo(models.get(b)));
        int[] rank = new int[byName.length];
        for (int i = 0; i < byName.length; i++) {
            rank[byName[i]] = i;
        }
        return rank;
    }

    /** Bits to write 0..{@code max}. */
    private static int bitsFor(int max) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(max));
    }
}
