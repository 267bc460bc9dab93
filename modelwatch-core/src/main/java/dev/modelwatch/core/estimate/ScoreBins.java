package dev.modelwatch.core.estimate;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A mergeable histogram of probability scores in {@code [0, 1]} over a fixed set of bins: the
 * per-window statistic from which {@link PerformanceEstimator} estimates performance without labels.
 *
 * <p>Usage:
 * <pre>{@code
 * ScoreBins bins = new ScoreBins();              // LOGIT spacing, DEFAULT_BIN_COUNT bins
 * bins.add(0.83);                                // never allocates
 * ScoreBins day = bins.copy();
 * day.merge(otherHour);                          // same spacing and bin count, or IllegalArgumentException
 * ScoreBins back = ScoreBins.fromBytes(day.toBytes());
 * }</pre>
 *
 * <h2>Bins</h2>
 * The bins are fixed per instance by a {@link Spacing} and a bin count {@code B}; merging checks
 * both. Bin {@code k} is {@code [lowerEdge(k), upperEdge(k))}, the top bin also holding 1.0. A score
 * {@code s} goes to the bin whose edges enclose it, found by binary search over the edge doubles, so
 * that {@code s >= lowerEdge(k)} if and only if {@code binOf(s) >= k}: a decision threshold that is
 * an edge splits the bins exactly. Each bin is represented by one score, {@link #representative(int)}.
 * <ul>
 * <li>{@link Spacing#LINEAR}: {@code B} equal bins, edges {@code k / B}, representative the
 * midpoint. Any threshold with a multiple of {@code 1/B} is an edge (0.3 with 1,000 bins).</li>
 * <li>{@link Spacing#LOGIT} (the default): {@code B} bins equal in log-odds over
 * {@code [-LOGIT_RANGE, LOGIT_RANGE]}, edges {@code sigmoid((k - B/2) * w)} with
 * {@code w = 2 * LOGIT_RANGE / B}, the end bins reaching to 0 and 1; the representative is the
 * sigmoid of the bin's log-odds midpoint. {@code B} must be even, so 0.5 is an edge. This spacing
 * resolves saturated scores: an over-confident model may put a quarter of its events above 0.999,
 * all in the top bin of 1,000 equal bins, where the calibrated probability and the ordering used
 * by ROC AUC vary a lot (in the covariate-shift test of this package 1,000 equal bins move the
 * estimated AUC by more than 0.005, against a sampling sd of about 0.002; the default log-odds bins
 * by less than 0.001).</li>
 * </ul>
 *
 * <h2>Discretisation error</h2>
 * The estimator evaluates the calibrator at the bin's representative instead of at each score. For
 * a nondecreasing calibrator {@code c} the error per event is at most the calibrator's rise over the
 * bin, {@code J_k = c(upperEdge(k)) - c(lowerEdge(k))}; for the identity calibrator it is
 * {@code |s - representative(k)|}, at most {@code 1/(2B)} for LINEAR bins (5e-4 with 1,000 bins) and
 * at most {@code (w/2) * max s(1-s) over the bin <= w/8} for interior LOGIT bins (0.00125 at
 * {@code s = 0.5}, 5e-5 at {@code s = 0.01} with the defaults), and at most {@code sigmoid(-LOGIT_RANGE + w)}
 * (about 8.4e-7) in the two end bins. It follows, with {@code n} the events, {@code PP} the predicted
 * positives and sums over events:
 * <ul>
 * <li>accuracy: {@code |error| <= sum J / n}; precision: {@code <= sum over predicted positives J / PP};</li>
 * <li>recall {@code T/(T+F)} and F1 {@code 2T/(PP+T+F)}: both expected counts {@code T} (positives
 * among predicted positives) and {@code F} (positives among predicted negatives) are off by at most
 * their events' {@code sum J}, and the metrics are monotone in each (up in T, down in F);</li>
 * <li>ROC AUC: pairs of events in one bin count one half, which moves the estimate by at most
 * {@code 0.5 * sum_k w+_k w-_k / (W+ W-)} (the expected positive and negative weights of the bin),
 * on top of the weight error above.</li>
 * </ul>
 * In practice the errors of events on both sides of a representative cancel, and the estimates move
 * by far less than these worst cases (much less than the sampling sd for 20,000 events).
 *
 * <p>Scores that are NaN or outside {@code [0, 1]} are not binned; {@link #invalidCount()} counts them.
 * Memory: while few bins are occupied (up to {@code B / 16}) only those are kept, 12 bytes each, so
 * that the bins of a window with a few events cost a few hundred bytes; past that {@code 8 B} bytes
 * for every count (22 KiB with the defaults). {@link #toBytes()} writes only the non-empty bins. Not
 * thread-safe.
 */
public final class ScoreBins {
    /** How the bin edges are spaced over {@code [0, 1]}. */
    public enum Spacing {
        /** Equal widths in the score. */
        LINEAR,
        /** Equal widths in log-odds over {@code [-LOGIT_RANGE, LOGIT_RANGE]}. */
        LOGIT
    }

    /** Half-width of the log-odds range of {@link Spacing#LOGIT} bins: scores from 8.3e-7 to 1 - 8.3e-7. */
    public static final double LOGIT_RANGE = 14.0;
    /** Default bin count: 2,800 LOGIT bins are 0.01 wide in log-odds (a relative resolution of 1% in the odds). */
    public static final int DEFAULT_BIN_COUNT = 2800;
    public static final Spacing DEFAULT_SPACING = Spacing.LOGIT;
    /** Most bins an instance may have (65,536 LOGIT bins are 0.0004 wide in log-odds). */
    public static final int MAX_BIN_COUNT = 1 << 16;
    /** Layouts (edges and representatives) shared between instances; others are computed per instance. */
    private static final int MAX_SHARED_LAYOUTS = 16;

    private static final byte FORMAT_VERSION = 1;
    private static final ConcurrentHashMap<Long, double[][]> LAYOUTS = new ConcurrentHashMap<>();

    private final Spacing spacing;
    private final double[] edges;
    private final double[] representatives;
    private final int binCount;
    /** Every bin's count, or null while the counts are kept sparse. */
    private long[] counts;
    /** Sparse counts: the occupied bins in ascending order and their counts, the first {@code occupied} used. */
    private int[] sparseBins;
    private long[] sparseCounts;
    private int occupied;
    private long total;
    private long invalid;

    /** Empty bins with the default spacing and count. */
    public ScoreBins() {
        this(DEFAULT_SPACING, DEFAULT_BIN_COUNT);
    }

    /**
     * Empty bins.
     *
     * @param spacing  how the edges are spaced
     * @param binCount number of bins, 1 to {@link #MAX_BIN_COUNT}; even for LOGIT spacing
     */
    public ScoreBins(Spacing spacing, int binCount) {
        if (spacing == null) {
            throw new IllegalArgumentException("spacing must not be null");
        }
        if (binCount < 1 || binCount > MAX_BIN_COUNT) {
            throw new IllegalArgumentException("binCount must be in [1, " + MAX_BIN_COUNT + "], was " + binCount);
        }
        if (spacing == Spacing.LOGIT && binCount % 2 != 0) {
            throw new IllegalArgumentException("binCount must be even for LOGIT spacing (0.5 is then an edge), was "
                    + binCount);
        }
        this.spacing = spacing;
        long key = ((long) spacing.ordinal() << 32) | binCount;
        double[][] layout = LAYOUTS.get(key);
        if (layout == null) {
            layout = LAYOUTS.size() < MAX_SHARED_LAYOUTS ? LAYOUTS.computeIfAbsent(key, k -> layout(spacing, binCount))
                    : layout(spacing, binCount);
        }
        this.edges = layout[0];
        this.representatives = layout[1];
        this.binCount = binCount;
    }

    private static double[][] layout(Spacing spacing, int b) {
        double[] edges = new double[b + 1];
        double[] reps = new double[b];
        if (spacing == Spacing.LINEAR) {
            for (int k = 0; k <= b; k++) {
                edges[k] = k / (double) b;
            }
            for (int k = 0; k < b; k++) {
                reps[k] = (k + 0.5) / b;
            }
        } else {
            double w = 2 * LOGIT_RANGE / b;
            int half = b / 2;
            for (int k = 1; k < b; k++) {
                edges[k] = sigmoid((k - half) * w);
            }
            edges[b] = 1.0;
            for (int k = 0; k < b; k++) {
                reps[k] = sigmoid((k - half + 0.5) * w);
            }
        }
        return new double[][] {edges, reps};
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** Counts one score: in its bin when it lies in {@code [0, 1]}, otherwise in {@link #invalidCount()}. */
    public void add(double score) {
        if (!(score >= 0.0 && score <= 1.0)) { // also NaN
            invalid++;
            return;
        }
        addToBin(bin(score), 1);
        total++;
    }

    private void addToBin(int bin, long count) {
        if (counts != null) {
            counts[bin] += count;
            return;
        }
        int at = sparseBins == null ? -1 : Arrays.binarySearch(sparseBins, 0, occupied, bin);
        if (at >= 0) {
            sparseCounts[at] += count;
            return;
        }
        if (occupied >= binCount / 16) {
            densify();
            counts[bin] += count;
            return;
        }
        int insert = -at - 1;
        if (sparseBins == null) {
            sparseBins = new int[4];
            sparseCounts = new long[4];
        } else if (occupied == sparseBins.length) {
            sparseBins = Arrays.copyOf(sparseBins, occupied * 2);
            sparseCounts = Arrays.copyOf(sparseCounts, occupied * 2);
        }
        System.arraycopy(sparseBins, insert, sparseBins, insert + 1, occupied - insert);
        System.arraycopy(sparseCounts, insert, sparseCounts, insert + 1, occupied - insert);
        sparseBins[insert] = bin;
        sparseCounts[insert] = count;
        occupied++;
    }

    private void densify() {
        counts = denseCounts();
        sparseBins = null;
        sparseCounts = null;
        occupied = 0;
    }

    /** Every bin's count in a new array when sparse, the counts themselves when dense. */
    private long[] denseCounts() {
        if (counts != null) {
            return counts;
        }
        long[] dense = new long[binCount];
        for (int i = 0; i < occupied; i++) {
            dense[sparseBins[i]] = sparseCounts[i];
        }
        return dense;
    }

    /** The bin of a score in {@code [0, 1]}: the largest {@code k} with {@code lowerEdge(k) <= score}. */
    private int bin(double score) {
        int lo = 0;
        int hi = binCount; // invariant: edges[lo] <= score, answer < hi
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] <= score) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The bin a score would go to.
     *
     * @throws IllegalArgumentException when the score is NaN or outside {@code [0, 1]}
     */
    public int binOf(double score) {
        if (!(score >= 0.0 && score <= 1.0)) {
            throw new IllegalArgumentException("score must be in [0, 1], was " + score);
        }
        return bin(score);
    }

    /**
     * The index {@code k} of the edge equal to a decision threshold, so that
     * {@code score >= threshold} exactly for the events of bins {@code k..B-1}. A threshold within
     * 1e-12 of an edge is taken as that edge. The top edge 1.0 is not a threshold the bins can
     * apply (the top bin holds both scores below 1 and 1 itself).
     *
     * @throws IllegalArgumentException when the threshold is not an edge of these bins
     */
    public int edgeIndex(double threshold) {
        if (!(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
        }
        int k = bin(threshold);
        if (Math.abs(edges[k] - threshold) <= 1e-12) {
            return k;
        }
        if (k + 1 < binCount && Math.abs(edges[k + 1] - threshold) <= 1e-12) {
            return k + 1;
        }
        throw new IllegalArgumentException("threshold " + threshold + " is not a bin edge of " + binCount + " "
                + spacing + " bins (nearest edges " + edges[k] + " and " + edges[Math.min(k + 1, binCount)]
                + "); use an edge, other bins, or estimate from the recorded predictions");
    }

    /** Adds the counts of another histogram with the same spacing and bin count. */
    public void merge(ScoreBins other) {
        requireSameLayout(other);
        if (other.counts == null) {
            for (int i = 0; i < other.occupied; i++) {
                addToBin(other.sparseBins[i], other.sparseCounts[i]);
            }
        } else {
            if (counts == null) {
                densify();
            }
            for (int k = 0; k < binCount; k++) {
                counts[k] += other.counts[k];
            }
        }
        total = Math.addExact(total, other.total);
        invalid = Math.addExact(invalid, other.invalid);
    }

    void requireSameLayout(ScoreBins other) {
        if (other == null) {
            throw new IllegalArgumentException("other bins must not be null");
        }
        if (other.spacing != spacing || other.binCount != binCount) {
            throw new IllegalArgumentException("cannot merge " + other.binCount + " " + other.spacing
                    + " bins into " + binCount + " " + spacing + " bins");
        }
    }

    boolean sameLayout(ScoreBins other) {
        return other.spacing == spacing && other.binCount == binCount;
    }

    public ScoreBins copy() {
        ScoreBins c = new ScoreBins(spacing, binCount);
        c.merge(this);
        return c;
    }

    public Spacing spacing() {
        return spacing;
    }

    public int binCount() {
        return binCount;
    }

    /** Scores counted in bins. */
    public long total() {
        return total;
    }

    /** Scores that were NaN or outside {@code [0, 1]}, not binned. */
    public long invalidCount() {
        return invalid;
    }

    public long count(int bin) {
        checkBin(bin);
        if (counts != null) {
            return counts[bin];
        }
        int at = sparseBins == null ? -1 : Arrays.binarySearch(sparseBins, 0, occupied, bin);
        return at >= 0 ? sparseCounts[at] : 0;
    }

    /** An upper estimate of the heap these bins take, in bytes (the shared edges not counted). */
    public long estimatedBytes() {
        if (counts != null) {
            return 80 + 16 + 8L * counts.length;
        }
        return 80 + (sparseBins == null ? 0 : 32 + 12L * sparseBins.length);
    }

    public double lowerEdge(int bin) {
        return edges[checkBin(bin)];
    }

    /** The upper edge of a bin (exclusive, except 1.0 for the top bin). */
    public double upperEdge(int bin) {
        return edges[checkBin(bin) + 1];
    }

    /** The score that stands for the bin's events: the midpoint (LINEAR) or the log-odds midpoint (LOGIT). */
    public double representative(int bin) {
        return representatives[checkBin(bin)];
    }

    /** Every bin's count; a new array while the counts are sparse (read it once, not per bin). */
    long[] counts() {
        return denseCounts();
    }

    double[] representatives() {
        return representatives;
    }

    private int checkBin(int bin) {
        if (bin < 0 || bin >= binCount) {
            throw new IllegalArgumentException("bin must be in [0, " + binCount + "), was " + bin);
        }
        return bin;
    }

    /**
     * The compact form: format version byte, spacing byte, bin count, invalid count, the number of
     * non-empty bins and for each its index (as the gap from the previous one) and count, all
     * unsigned varints.
     */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer()
                .writeByte(FORMAT_VERSION)
                .writeByte(spacing.ordinal())
                .writeVarLong(binCount)
                .writeVarLong(invalid);
        int previous = -1;
        if (counts == null) {
            w.writeVarLong(occupied);
            for (int i = 0; i < occupied; i++) {
                w.writeVarLong(sparseBins[i] - previous - 1).writeVarLong(sparseCounts[i]);
                previous = sparseBins[i];
            }
            return w.toByteArray();
        }
        int nonEmpty = 0;
        for (long c : counts) {
            if (c != 0) {
                nonEmpty++;
            }
        }
        w.writeVarLong(nonEmpty);
        for (int k = 0; k < binCount; k++) {
            if (counts[k] != 0) {
                w.writeVarLong(k - previous - 1).writeVarLong(counts[k]);
                previous = k;
            }
        }
        return w.toByteArray();
    }

    /**
     * Reads {@link #toBytes()}.
     *
     * @throws IllegalArgumentException on an unknown version or spacing, a bad bin count, bins out of
     *                                  range, zero counts, overflowing totals, truncated or trailing bytes
     */
    public static ScoreBins fromBytes(byte[] bytes) {
        CompactBytes.Reader r = new CompactBytes.Reader(bytes, "ScoreBins");
        ScoreBins bins = read(r);
        r.expectEnd();
        return bins;
    }

    private static ScoreBins read(CompactBytes.Reader r) {
        int version = r.readByte("version");
        if (version != FORMAT_VERSION) {
            throw r.fail("unknown format version " + version);
        }
        int s = r.readByte("spacing");
        if (s >= Spacing.values().length) {
            throw r.fail("unknown spacing " + s);
        }
        Spacing spacing = Spacing.values()[s];
        int binCount = r.readVarInt("binCount", 1, MAX_BIN_COUNT);
        if (spacing == Spacing.LOGIT && binCount % 2 != 0) {
            throw r.fail("odd binCount " + binCount + " for LOGIT spacing");
        }
        ScoreBins bins = new ScoreBins(spacing, binCount);
        bins.invalid = r.readVarLong("invalidCount", 0, Long.MAX_VALUE);
        int nonEmpty = r.readVarInt("nonEmpty", 0, binCount);
        int k = -1;
        for (int i = 0; i < nonEmpty; i++) {
            k += 1 + r.readVarInt("bin gap", 0, binCount - k - 2);
            long c = r.readVarLong("count", 1, Long.MAX_VALUE);
            bins.addToBin(k, c);
            try {
                bins.total = Math.addExact(bins.total, c);
            } catch (ArithmeticException e) {
                throw r.fail("total count overflows");
            }
        }
        return bins;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScoreBins)) {
            return false;
        }
        ScoreBins b = (ScoreBins) o;
        return spacing == b.spacing && invalid == b.invalid && total == b.total
                && Arrays.equals(denseCounts(), b.denseCounts());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * spacing.hashCode() + Long.hashCode(invalid)) + Arrays.hashCode(denseCounts());
    }

    @Override
    public String toString() {
        return "ScoreBins[" + spacing + " x" + binCount + ", total=" + total + ", invalid=" + invalid + "]";
    }
}
