package dev.modelwatch.core.drift.multivariate;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Mergeable first and second moments of a fixed, ordered list of numerical features: the count of
 * rows, and per feature and per pair of features the counts, means and co-moments that give means
 * and covariances exactly, for any set of windows merged together.
 *
 * <p><b>Definitions.</b> A row is one {@code double[]} in {@link #featureNames()} order; a value that
 * is NaN or infinite is <em>missing</em>. For features i and j (i = j included) let {@code P_ij} be the
 * rows where both are present, {@code n_ij = |P_ij|}, {@code a_ij} and {@code b_ij} the means of
 * {@code x_i} and {@code x_j} over {@code P_ij}, and {@code C_ij = sum_{P_ij} (x_i - a_ij)(x_j - b_ij)}
 * the co-moment. Then
 * <ul>
 *   <li>{@link #count()} is the number of rows, {@link #count(int)} {@code n_ii} the number with
 *       feature i present, {@link #count(int, int)} {@code n_ij};</li>
 *   <li>{@link #mean(int)} is {@code a_ii}, the mean over the rows where feature i is present;</li>
 *   <li>{@link #covariance(int, int)} is the pairwise-complete, unbiased sample covariance
 *       {@code C_ij / (n_ij - 1)} (NaN when {@code n_ij < 2}), as pandas' {@code DataFrame.cov()}.</li>
 * </ul>
 * Missing values are handled <b>pairwise-complete</b>: each pair keeps its own count, means and
 * co-moment, so no value is imputed here and nothing is lost; from these statistics the moments
 * of the data with its missing values filled in by any constant (e.g. a reference mean) follow
 * exactly, {@code sum_{P_ij} (x_i - c_i)(x_j - c_j) = C_ij + n_ij (a_ij - c_i)(b_ij - c_j)}
 * ({@link #crossProductAbout}). A pairwise-complete covariance matrix need not be positive
 * semi-definite when the features are missing in different rows.
 *
 * <p><b>Updates.</b> One row updates the co-moments by Welford's method generalized to pairs
 * ({@code delta = x - mean_old}, {@code mean += delta / n}, {@code C_ij += delta_i (x_j - mean_new_j)});
 * {@link #merge} combines two accumulators by the parallel update of Chan, Golub and LeVeque (1979):
 * {@code n = n_A + n_B}, {@code delta = mean_B - mean_A}, {@code C = C_A + C_B + delta_i delta_j n_A n_B / n}.
 * Both are exact in real arithmetic and work on deviations from the running means, so merging windows
 * gives the statistics of their union up to rounding, in any order, without the cancellation of the
 * textbook {@code sum x y - n mean_x mean_y} when the means are large against the spread (the tests
 * check 1e-9 relative with means some 10^5 times the standard deviation).
 *
 * <p><b>Cost.</b> While every row seen has been complete (the usual case), all pairs share one count
 * and one mean vector, and a row costs one division, d mean updates and {@code d(d+1)/2} multiply-adds
 * into the upper triangle of the co-moment matrix, with no allocation: for 20 features, within 10% of
 * the bare loop of 210 multiply-adds (measured 225 ns against 206 ns, on a shared 2-core EPYC under
 * load). The first row with a missing value switches the accumulator, exactly, to per-pair counts
 * and means (four numbers per pair and a division per pair present in the row: about 5 times slower,
 * 1 microsecond for 20 features on the same machine). The number of features is capped at
 * {@link #MAX_FEATURES} because both the per-row work and the state grow as {@code d^2}: at 64
 * features a complete row is 2,080 multiply-adds (1.6 microseconds on the same machine) and the
 * pairwise state 66 KB per window.
 *
 * <p>Usage:
 * <pre>{@code
 * CoMoments window = new CoMoments(List.of("age", "income", "balance"));
 * window.add(new double[] {42, 51000, Double.NaN});    // balance missing
 * CoMoments day = window.copy();
 * day.merge(otherWindow);                               // same feature list
 * double cov = day.covariance(0, 1);
 * byte[] stored = day.toBytes();
 * }</pre>
 * Not thread-safe: one writer owns a live accumulator.
 */
public final class CoMoments {
    /** Most features one accumulator takes: per row {@code d(d+1)/2} multiply-adds (2,080 at 64). */
    public static final int MAX_FEATURES = 64;

    private static final byte FORMAT_VERSION = 1;
    private static final byte DENSE = 0;
    private static final byte PAIRWISE = 1;

    private final List<String> names;
    private final int d;
    /** rows added */
    private long rows;
    /** dense: the shared mean vector (every row so far was complete) */
    private final double[] mean;
    /** co-moments C_ij over the upper triangle, i <= j, row-major; the diagonal is M2_i */
    private final double[] comoment;
    /** pairwise mode (null while dense): n_ij, a_ij, b_ij over the upper triangle */
    private long[] pairCount;
    private double[] pairMeanA;
    private double[] pairMeanB;
    // scratch for add(), so that the hot path does not allocate
    private final double[] delta;
    private final double[] residual;

    /**
     * An empty accumulator over the given features, in that order.
     *
     * @throws IllegalArgumentException when {@code featureNames} is empty, longer than
     *                                  {@link #MAX_FEATURES}, or has a null, empty or repeated name
     */
    public CoMoments(List<String> featureNames) {
        this(validated(featureNames));
    }

    private CoMoments(String[] featureNames) {
        this.names = List.of(featureNames);
        this.d = featureNames.length;
        this.mean = new double[d];
        this.comoment = new double[d * (d + 1) / 2];
        this.delta = new double[d];
        this.residual = new double[d];
    }

    private static String[] validated(List<String> featureNames) {
        if (featureNames == null || featureNames.isEmpty()) {
            throw new IllegalArgumentException("featureNames must name at least one feature");
        }
        if (featureNames.size() > MAX_FEATURES) {
            throw new IllegalArgumentException("featureNames must have at most " + MAX_FEATURES + " features, had "
                    + featureNames.size());
        }
        HashSet<String> seen = new HashSet<>();
        for (String name : featureNames) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("featureNames must not contain a null or empty name");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("featureNames must be distinct, '" + name + "' is repeated");
            }
        }
        return featureNames.toArray(new String[0]);
    }

    /**
     * The statistics of {@code rows} complete rows (no missing value) whose mean is {@code mean} and whose
     * scatter matrix {@code sum (x - mean)(x - mean)^T} is {@code scatter}: what {@link #add} would hold
     * after those rows, up to rounding. For simulations and tests that know a sample only by its
     * sufficient statistics (a multivariate normal sample of any size is one mean and one Wishart draw).
     *
     * @throws IllegalArgumentException when the sizes do not match the names, {@code rows < 0}, a value
     *                                  is not finite, or {@code scatter} is not symmetric
     */
    public static CoMoments ofMoments(List<String> featureNames, long rows, double[] mean, double[][] scatter) {
        CoMoments c = new CoMoments(featureNames);
        int d = c.d;
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, was " + rows);
        }
        if (mean.length != d || scatter.length != d) {
            throw new IllegalArgumentException("mean and scatter must have " + d + " entries (rows), had "
                    + mean.length + " and " + scatter.length);
        }
        for (int i = 0; i < d; i++) {
            if (scatter[i].length != d || !Double.isFinite(mean[i])) {
                throw new IllegalArgumentException("scatter must be " + d + " x " + d + " and mean finite, row " + i);
            }
            for (int j = i; j < d; j++) {
                if (!Double.isFinite(scatter[i][j]) || scatter[i][j] != scatter[j][i]) {
                    throw new IllegalArgumentException("scatter must be finite and symmetric, was not at (" + i
                            + ", " + j + ")");
                }
                c.comoment[c.tri(i, j)] = rows == 0 ? 0 : scatter[i][j];
            }
            c.mean[i] = rows == 0 ? 0 : mean[i];
        }
        c.rows = rows;
        return c;
    }

    /** Index of pair (i, j), i <= j, in the row-major upper triangle. */
    private int tri(int i, int j) {
        return i * d - i * (i - 1) / 2 + (j - i);
    }

    private int triOrdered(int i, int j) {
        checkIndex(i);
        checkIndex(j);
        return i <= j ? tri(i, j) : tri(j, i);
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= d) {
            throw new IndexOutOfBoundsException("feature index " + i + " out of [0, " + d + ")");
        }
    }

    /**
     * Adds one row: {@code row[i]} is the value of feature i, NaN (or infinite) when missing. Does not
     * allocate.
     *
     * @throws IllegalArgumentException when the row's length is not the number of features
     */
    public void add(double[] row) {
        if (row.length != d) {
            throw new IllegalArgumentException("row must have " + d + " values, had " + row.length);
        }
        if (pairCount == null) {
            boolean complete = true;
            for (int i = 0; i < d; i++) {
                if (!Double.isFinite(row[i])) {
                    complete = false;
                    break;
                }
            }
            if (complete) {
                addComplete(row);
                return;
            }
            toPairwise();
        }
        addPairwise(row);
    }

    private void addComplete(double[] row) {
        long n = ++rows;
        double inv = 1.0 / n;
        double[] m = mean;
        double[] dl = delta;
        double[] r = residual;
        for (int i = 0; i < d; i++) {
            double x = row[i];
            double dx = x - m[i];
            dl[i] = dx;
            double updated = m[i] + dx * inv;
            m[i] = updated;
            r[i] = x - updated;
        }
        double[] c = comoment;
        // row i of the triangle is c[offset + j] for j in [i, d): one induction variable, so the JIT vectorizes
        int offset = 0;
        for (int i = 0; i < d; i++) {
            double di = dl[i];
            for (int j = i; j < d; j++) {
                c[offset + j] += di * r[j];
            }
            offset += d - i - 1;
        }
    }

    private void addPairwise(double[] row) {
        rows++;
        long[] pn = pairCount;
        double[] pa = pairMeanA;
        double[] pb = pairMeanB;
        double[] c = comoment;
        for (int i = 0; i < d; i++) {
            double xi = row[i];
            int base = tri(i, i);
            if (!Double.isFinite(xi)) {
                continue;
            }
            for (int j = i; j < d; j++) {
                double xj = row[j];
                if (!Double.isFinite(xj)) {
                    continue;
                }
                int k = base + (j - i);
                double inv = 1.0 / ++pn[k];
                double da = xi - pa[k];
                pa[k] += da * inv;
                double b = pb[k] + (xj - pb[k]) * inv;
                pb[k] = b;
                c[k] += da * (xj - b);
            }
        }
    }

    /** Switches to per-pair counts and means: exact, as every pair so far had all rows and the shared means. */
    private void toPairwise() {
        int size = comoment.length;
        pairCount = new long[size];
        pairMeanA = new double[size];
        pairMeanB = new double[size];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                int k = tri(i, j);
                pairCount[k] = rows;
                pairMeanA[k] = rows == 0 ? 0 : mean[i];
                pairMeanB[k] = rows == 0 ? 0 : mean[j];
            }
        }
    }

    /**
     * Adds the other accumulator's rows to this one (Chan et al.'s parallel update, see the class
     * comment); afterwards this holds the statistics of the union of both sets of rows.
     *
     * @throws IllegalArgumentException when the other accumulator has a different feature list
     */
    public void merge(CoMoments other) {
        if (!names.equals(other.names)) {
            throw new IllegalArgumentException("can only merge co-moments over the same features in the same order, "
                    + names + " and " + other.names);
        }
        if (other == this) {
            other = copy();
        }
        if (other.rows == 0) {
            return;
        }
        if (pairCount == null && other.pairCount == null) {
            mergeDense(other);
            return;
        }
        if (pairCount == null) {
            toPairwise();
        }
        mergePairwise(other);
    }

    private void mergeDense(CoMoments o) {
        if (rows == 0) {
            // the union's moments are the other side's (Chan's update would round mean * n / n)
            rows = o.rows;
            System.arraycopy(o.mean, 0, mean, 0, d);
            System.arraycopy(o.comoment, 0, comoment, 0, comoment.length);
            return;
        }
        double na = rows;
        double nb = o.rows;
        double n = na + nb;
        double weight = na * nb / n;
        double[] dl = delta;
        for (int i = 0; i < d; i++) {
            dl[i] = o.mean[i] - mean[i];
        }
        int k = 0;
        for (int i = 0; i < d; i++) {
            double wi = dl[i] * weight;
            for (int j = i; j < d; j++) {
                comoment[k] += o.comoment[k] + wi * dl[j];
                k++;
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] += dl[i] * nb / n;
        }
        rows += o.rows;
    }

    private void mergePairwise(CoMoments o) {
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                int k = tri(i, j);
                long nb = o.countAt(k);
                if (nb == 0) {
                    continue;
                }
                mergePair(k, nb, o.meanA(k, i), o.meanB(k, j), o.comoment[k]);
            }
        }
        rows += o.rows;
    }

    /** Chan's update of pair {@code k} with another set of {@code nb} rows of means {@code ab}, {@code bb} and co-moment {@code cb}. */
    private void mergePair(int k, long nb, double ab, double bb, double cb) {
        long na = pairCount[k];
        if (na == 0) {
            pairCount[k] = nb;
            pairMeanA[k] = ab;
            pairMeanB[k] = bb;
            comoment[k] = cb;
            return;
        }
        double n = (double) na + nb;
        double da = ab - pairMeanA[k];
        double db = bb - pairMeanB[k];
        comoment[k] += cb + da * db * ((double) na * nb / n);
        pairMeanA[k] += da * nb / n;
        pairMeanB[k] += db * nb / n;
        pairCount[k] = na + nb;
    }

    /**
     * The statistics of both accumulators' rows over the union of their features ({@code a}'s order,
     * then {@code b}'s new ones, at most {@link #MAX_FEATURES}): each pair keeps the rows where both
     * of its features were present, so a feature that only one side has counts as missing in the
     * other side's rows. This is how windows with different feature sets (a feature added or
     * removed by a deploy) merge without losing the pairs they share.
     */
    public static CoMoments union(CoMoments a, CoMoments b) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(a.names);
        for (String n : b.names) {
            if (all.size() >= MAX_FEATURES) {
                break;
            }
            all.add(n);
        }
        CoMoments u = new CoMoments(all.toArray(new String[0]));
        u.toPairwise();
        u.mergeSelected(a);
        u.mergeSelected(b);
        return u;
    }

    /**
     * These statistics over the given features, in that order: a feature this accumulator does not
     * have has no values (count 0). Exact: pairs are copied, not recomputed.
     */
    public CoMoments select(List<String> featureNames) {
        if (featureNames.equals(names)) {
            return copy();
        }
        CoMoments s = new CoMoments(validated(featureNames));
        s.toPairwise();
        s.mergeSelected(this);
        return s;
    }

    /** Pairwise merge of {@code o}'s pairs into the pairs of this (pairwise-mode) accumulator with the same names. */
    private void mergeSelected(CoMoments o) {
        int[] at = new int[d];
        for (int i = 0; i < d; i++) {
            at[i] = o.names.indexOf(names.get(i));
        }
        for (int i = 0; i < d; i++) {
            if (at[i] < 0) {
                continue;
            }
            for (int j = i; j < d; j++) {
                if (at[j] < 0) {
                    continue;
                }
                boolean swap = at[i] > at[j];
                int lo = swap ? at[j] : at[i];
                int hi = swap ? at[i] : at[j];
                int ko = o.tri(lo, hi);
                long nb = o.countAt(ko);
                if (nb == 0) {
                    continue;
                }
                double meanLo = o.meanA(ko, lo);
                double meanHi = o.meanB(ko, hi);
                double ab = swap ? meanHi : meanLo;
                double bb = swap ? meanLo : meanHi;
                mergePair(tri(i, j), nb, ab, bb, o.comoment[ko]);
            }
        }
        rows += o.rows;
    }

    private long countAt(int k) {
        return pairCount == null ? rows : pairCount[k];
    }

    private double meanA(int k, int i) {
        return pairCount == null ? mean[i] : pairMeanA[k];
    }

    private double meanB(int k, int j) {
        return pairCount == null ? mean[j] : pairMeanB[k];
    }

    /** An independent accumulator with the same state. */
    public CoMoments copy() {
        CoMoments c = new CoMoments(names.toArray(new String[0]));
        c.rows = rows;
        System.arraycopy(mean, 0, c.mean, 0, d);
        System.arraycopy(comoment, 0, c.comoment, 0, comoment.length);
        if (pairCount != null) {
            c.pairCount = pairCount.clone();
            c.pairMeanA = pairMeanA.clone();
            c.pairMeanB = pairMeanB.clone();
        }
        return c;
    }

    /** The features, in row order. */
    public List<String> featureNames() {
        return names;
    }

    /** The number of features d. */
    public int dimension() {
        return d;
    }

    /** An upper estimate of the heap this accumulator takes, in bytes (its names are counted by their owner). */
    public long estimatedBytes() {
        long triangle = comoment.length;
        long bytes = 160 + 8L * (3L * d + triangle) + 8L * d;
        if (pairCount != null) {
            bytes += 3 * (16 + 8 * triangle);
        }
        return bytes;
    }

    /** Rows added (complete or not). */
    public long count() {
        return rows;
    }

    /** Rows where feature i was present. */
    public long count(int i) {
        return countAt(triOrdered(i, i));
    }

    /** Rows where features i and j were both present. */
    public long count(int i, int j) {
        return countAt(triOrdered(i, j));
    }

    /** Mean of feature i over the rows where it is present; NaN when it never was. */
    public double mean(int i) {
        int k = triOrdered(i, i);
        return countAt(k) == 0 ? Double.NaN : meanA(k, i);
    }

    /**
     * Pairwise-complete unbiased sample covariance of features i and j,
     * {@code C_ij / (n_ij - 1)} over the rows where both are present; for {@code i == j} the variance of
     * feature i over its present values. NaN when fewer than two rows have both.
     */
    public double covariance(int i, int j) {
        int k = triOrdered(i, j);
        long n = countAt(k);
        return n < 2 ? Double.NaN : comoment[k] / (n - 1);
    }

    /**
     * {@code sum (x_i - ci)(x_j - cj)} over the rows where features i and j are both present, exactly from
     * the co-moment: {@code C_ij + n_ij (a_ij - ci)(b_ij - cj)}. For i = j, the sum of squared deviations
     * of feature i about {@code ci}.
     */
    double crossProductAbout(int i, int j, double ci, double cj) {
        if (i > j) {
            return crossProductAbout(j, i, cj, ci);
        }
        int k = triOrdered(i, j);
        long n = countAt(k);
        if (n == 0) {
            return 0;
        }
        return comoment[k] + n * (meanA(k, i) - ci) * (meanB(k, j) - cj);
    }

    /** Whether some row had a missing value (the accumulator keeps per-pair counts and means). */
    public boolean hasMissing() {
        return pairCount != null;
    }

    // ---- serialization ----

    /**
     * Compact little-endian encoding: format byte (1), mode byte (0 dense, 1 pairwise), int d, each
     * name as int length and UTF-8 bytes, long rows; dense: d means and {@code d(d+1)/2} co-moments;
     * pairwise: per upper-triangle pair (row-major, diagonal included) long count, double mean a,
     * double mean b, double co-moment. 20 complete features take about 2 KB.
     */
    public byte[] toBytes() {
        byte[][] encoded = new byte[d][];
        int size = 1 + 1 + 4 + 8;
        for (int i = 0; i < d; i++) {
            encoded[i] = names.get(i).getBytes(StandardCharsets.UTF_8);
            size += 4 + encoded[i].length;
        }
        int t = comoment.length;
        size += pairCount == null ? 8 * (d + t) : 32 * t;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(FORMAT_VERSION);
        out.put(pairCount == null ? DENSE : PAIRWISE);
        out.putInt(d);
        for (byte[] name : encoded) {
            out.putInt(name.length);
            out.put(name);
        }
        out.putLong(rows);
        if (pairCount == null) {
            for (double m : mean) {
                out.putDouble(m);
            }
            for (double c : comoment) {
                out.putDouble(c);
            }
        } else {
            for (int k = 0; k < t; k++) {
                out.putLong(pairCount[k]);
                out.putDouble(pairMeanA[k]);
                out.putDouble(pairMeanB[k]);
                out.putDouble(comoment[k]);
            }
        }
        return out.array();
    }

    /**
     * Reads what {@link #toBytes()} wrote.
     *
     * @throws IllegalArgumentException naming what is wrong when the bytes are not a valid encoding:
     *                                  unknown format or mode, a length that does not match, a count out
     *                                  of range
     */
    public static CoMoments fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = in.get();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown co-moments format version " + version + ", expected "
                        + FORMAT_VERSION);
            }
            byte mode = in.get();
            if (mode != DENSE && mode != PAIRWISE) {
                throw new IllegalArgumentException("unknown co-moments mode " + mode);
            }
            int d = in.getInt();
            if (d < 1 || d > MAX_FEATURES) {
                throw new IllegalArgumentException("co-moments feature count must be in [1, " + MAX_FEATURES
                        + "], was " + d);
            }
            String[] names = new String[d];
            for (int i = 0; i < d; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw new IllegalArgumentException("co-moments feature name " + i + " has length " + length
                            + " but only " + in.remaining() + " bytes remain");
                }
                byte[] name = new byte[length];
                in.get(name);
                names[i] = new String(name, StandardCharsets.UTF_8);
            }
            CoMoments c = new CoMoments(validated(Arrays.asList(names)));
            c.rows = in.getLong();
            if (c.rows < 0) {
                throw new IllegalArgumentException("co-moments row count must be >= 0, was " + c.rows);
            }
            int t = c.comoment.length;
            int expected = mode == DENSE ? 8 * (d + t) : 32 * t;
            if (in.remaining() != expected) {
                throw new IllegalArgumentException("co-moments of " + d + " features need " + expected
                        + " bytes of moments, had " + in.remaining());
            }
            if (mode == DENSE) {
                for (int i = 0; i < d; i++) {
                    c.mean[i] = in.getDouble();
                }
                for (int k = 0; k < t; k++) {
                    c.comoment[k] = in.getDouble();
                }
            } else {
                c.pairCount = new long[t];
                c.pairMeanA = new double[t];
                c.pairMeanB = new double[t];
                for (int k = 0; k < t; k++) {
                    long n = in.getLong();
                    if (n < 0 || n > c.rows) {
                        throw new IllegalArgumentException("co-moments pair count " + k + " must be in [0, "
                                + c.rows + "], was " + n);
                    }
                    c.pairCount[k] = n;
                    c.pairMeanA[k] = in.getDouble();
                    c.pairMeanB[k] = in.getDouble();
                    c.comoment[k] = in.getDouble();
                }
                for (int i = 0; i < d; i++) {
                    for (int j = i + 1; j < d; j++) {
                        long n = c.pairCount[c.tri(i, j)];
                        if (n > c.pairCount[c.tri(i, i)] || n > c.pairCount[c.tri(j, j)]) {
                            throw new IllegalArgumentException("co-moments pair count of features " + i + " and " + j
                                    + " (" + n + ") exceeds a feature's own count");
                        }
                    }
                }
            }
            return c;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("co-moments bytes are truncated (" + bytes.length + " bytes)", e);
        }
    }

    @Override
    public String toString() {
        return "CoMoments[features=" + names + ", rows=" + rows + ", missing=" + hasMissing() + "]";
    }
}
