package dev.modelwatch.core.drift.multivariate;

import java.util.ArrayList;
import java.util.List;

/**
 * A reference's rows in consecutive chunks of co-moments, for the multivariate model's threshold
 * ({@link CrossFitting}), with as many chunks as the rows allow and never more than
 * {@link #MAX_CHUNKS}: chunks start at {@link #FIRST_CHUNK_ROWS} rows, and whenever
 * {@link #MAX_CHUNKS} are full, neighbours are merged in pairs and the chunk size doubles. So a
 * reference of N rows has {@code N / 10} chunks up to 2,560 rows and between 128 and 256 above:
 * 100 chunks for 1,000 rows (a threshold from a small reference), about 195 chunks of 5,120 rows for a
 * million (its spread known to about 5%), in at most {@code 256 x} the memory of one accumulator.
 *
 * <p>Usage:
 * <pre>{@code
 * CoMomentChunks chunks = new CoMomentChunks(List.of("a", "b", "c"));
 * for (double[] row : rows) chunks.add(row);
 * PcaReconstructionModel model = PcaReconstructionModel.fit(chunks.total(), chunks.chunks());
 * }</pre>
 * Not thread-safe.
 */
public final class CoMomentChunks {
    /** Rows of the first chunks. */
    public static final long FIRST_CHUNK_ROWS = 10;
    /** Most chunks kept; when that many are full, pairs are merged. */
    public static final int MAX_CHUNKS = 256;

    private final List<String> names;
    private final List<CoMoments> full = new ArrayList<>();
    private CoMoments open;
    private long chunkRows = FIRST_CHUNK_ROWS;

    public CoMomentChunks(List<String> featureNames) {
        this.names = List.copyOf(featureNames);
        new CoMoments(names); // validates the names
    }

    /** Adds one row (see {@link CoMoments#add}). */
    public void add(double[] row) {
        if (open == null) {
            open = new CoMoments(names);
        }
        open.add(row);
        if (open.count() == chunkRows) {
            full.add(open);
            open = null;
            if (full.size() == MAX_CHUNKS) {
                halve(full);
                chunkRows *= 2;
            }
        }
    }

    private static void halve(List<CoMoments> chunks) {
        List<CoMoments> merged = new ArrayList<>(chunks.size() / 2);
        for (int i = 0; i + 1 < chunks.size(); i += 2) {
            CoMoments pair = chunks.get(i);
            pair.merge(chunks.get(i + 1));
            merged.add(pair);
        }
        chunks.clear();
        chunks.addAll(merged);
    }

    /** The chunks in row order, the last one possibly partial. */
    public List<CoMoments> chunks() {
        List<CoMoments> all = new ArrayList<>(full);
        if (open != null) {
            all.add(open);
        }
        return all;
    }

    /** The co-moments of every row added. */
    public CoMoments total() {
        CoMoments total = new CoMoments(names);
        for (CoMoments c : chunks()) {
            total.merge(c);
        }
        return total;
    }

    /** Rows added. */
    public long rows() {
        long n = 0;
        for (CoMoments c : chunks()) {
            n += c.count();
        }
        return n;
    }

    /** The chunk sizes that {@code rows} rows end up in, in order (for simulations that draw chunks whole). */
    public static List<Long> layout(long rows) {
        List<Long> sizes = new ArrayList<>();
        long size = FIRST_CHUNK_ROWS;
        long left = rows;
        while (left >= size) {
            sizes.add(size);
            left -= size;
            if (sizes.size() == MAX_CHUNKS) {
                List<Long> merged = new ArrayList<>(MAX_CHUNKS / 2);
                for (int i = 0; i + 1 < sizes.size(); i += 2) {
                    merged.add(sizes.get(i) + sizes.get(i + 1));
                }
                sizes = merged;
                size *= 2;
            }
        }
        if (left > 0) {
            sizes.add(left);
        }
        return sizes;
    }
}
