package dev.modelwatch.core.estimate;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a model's score to a calibrated probability {@code c(s) = P(y = 1 | score = s)}, fitted on
 * labelled reference data; {@link PerformanceEstimator} treats {@code c(s)} as the probability that
 * an unlabelled event with score {@code s} is positive.
 *
 * <p>Usage:
 * <pre>{@code
 * Calibrator c = Calibrator.isotonic(referenceScores, referenceOutcomes);   // outcomes 0/1
 * double p = c.calibrate(0.83);
 * Map<String, Calibrator> perClass = Calibrator.isotonicOneVsRest(scoresByClass, actualClasses);
 * Calibrator back = Calibrator.fromBytes(c.toBytes());
 * Calibrator none = Calibrator.identity();   // the model's scores already are calibrated
 * }</pre>
 *
 * <h2>When calibration is needed, and on what data</h2>
 * Estimating performance from scores is only as good as {@code c}. Use {@link #identity()} only when
 * the model's scores are known to be calibrated probabilities on data like production (a logistic
 * model fitted by maximum likelihood on that population, checked with a reliability curve). Fit a
 * calibrator when they are not: boosted trees, margin-based scores, models trained with class
 * weights or resampling, models trained on a population with another class balance. The
 * calibrator MUST be fitted on reference data WITH LABELS that the model was not trained on (a
 * held-out or early production period) and whose {@code P(y | score)} is the one production will
 * have: the estimate then stays valid under covariate shift (the score distribution moves) but not
 * under concept drift (the relation between score and outcome changes), which no label-free
 * method can see.
 *
 * <h2>Isotonic regression</h2>
 * {@link #isotonic(double[], int[])} is scikit-learn's {@code IsotonicRegression(out_of_bounds='clip')}
 * with unit weights: outcomes at equal scores are pooled, then pool-adjacent-violators merges
 * neighbouring blocks until the block means {@code k/m} (positives over events) strictly increase.
 * The blocks here are pooled with exact integer arithmetic. The fitted function is piecewise linear
 * through the knots (each block's lowest and highest score, at the block mean), interpolated
 * linearly between blocks and held constant beyond the reference's lowest and highest score; it is
 * nondecreasing, with values in {@code [0, 1]}.
 *
 * <p>Each block mean is an estimate from {@code m} reference events; {@link PerformanceEstimator}
 * carries its sampling error into the {@code calibrationSd} of each estimate using the binomial
 * variance {@code c~(1-c~)/m} with {@code c~ = (k + 1/2)/(m + 1)} (the half-count keeps blocks of all
 * 0s or all 1s from claiming zero error), treating blocks as independent. That is an approximation:
 * it ignores the randomness of where PAV puts block boundaries and any bias of a block whose true
 * probability varies within it. Under covariate shift it matters most where production has many
 * events and the reference few. The identity calibrator has no calibration error term.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Calibrator {
    private static final byte FORMAT_VERSION = 1;
    private static final int KIND_IDENTITY = 0;
    private static final int KIND_ISOTONIC = 1;
    private static final Calibrator IDENTITY = new Calibrator(new double[0], new double[0], new long[0], new long[0]);

    private final boolean identity;
    // isotonic blocks, ascending in score and in mean
    private final double[] blockLow;
    private final double[] blockHigh;
    private final long[] blockWeight;
    private final long[] blockPositives;
    private final double[] blockVariance;
    // knots of the piecewise-linear function (scikit-learn's X_thresholds_, y_thresholds_)
    private final double[] knotX;
    private final double[] knotY;
    private final int[] knotBlock;

    private Calibrator(double[] low, double[] high, long[] weight, long[] positives) {
        this.identity = low.length == 0;
        this.blockLow = low;
        this.blockHigh = high;
        this.blockWeight = weight;
        this.blockPositives = positives;
        int blocks = low.length;
        this.blockVariance = new double[blocks];
        int knots = 0;
        for (int j = 0; j < blocks; j++) {
            double adjusted = (positives[j] + 0.5) / (weight[j] + 1.0);
            blockVariance[j] = adjusted * (1 - adjusted) / weight[j];
            knots += high[j] > low[j] ? 2 : 1;
        }
        this.knotX = new double[knots];
        this.knotY = new double[knots];
        this.knotBlock = new int[knots];
        int i = 0;
        for (int j = 0; j < blocks; j++) {
            double mean = (double) positives[j] / weight[j];
            knotX[i] = low[j];
            knotY[i] = mean;
            knotBlock[i++] = j;
            if (high[j] > low[j]) {
                knotX[i] = high[j];
                knotY[i] = mean;
                knotBlock[i++] = j;
            }
        }
    }

    /** The calibrator of a model whose scores already are calibrated probabilities: {@code c(s) = s}. */
    public static Calibrator identity() {
        return IDENTITY;
    }

    /**
     * Isotonic regression of the outcomes on the scores (see the class comment).
     *
     * @param scores   the model's scores on the reference events, finite
     * @param outcomes the events' labels, 1 for positive and 0 for negative, as many as scores
     * @throws IllegalArgumentException on empty or mismatched arrays, a non-finite score or an outcome other than 0/1
     */
    public static Calibrator isotonic(double[] scores, int[] outcomes) {
        if (scores == null || outcomes == null) {
            throw new IllegalArgumentException("scores and outcomes must not be null");
        }
        if (scores.length != outcomes.length) {
            throw new IllegalArgumentException("outcomes must have one entry per score: " + outcomes.length
                    + " outcomes for " + scores.length + " scores");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("scores must not be empty: calibration needs labelled reference data");
        }
        int positives = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("scores[" + i + "] must be finite, was " + scores[i]);
            }
            if (outcomes[i] != 0 && outcomes[i] != 1) {
                throw new IllegalArgumentException("outcomes[" + i + "] must be 0 or 1, was " + outcomes[i]);
            }
            positives += outcomes[i];
        }
        double[] pos = new double[positives];
        double[] neg = new double[scores.length - positives];
        int p = 0;
        int q = 0;
        for (int i = 0; i < scores.length; i++) {
            if (outcomes[i] == 1) {
                pos[p++] = scores[i] + 0.0; // -0.0 and 0.0 are one score
            } else {
                neg[q++] = scores[i] + 0.0;
            }
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        // pool-adjacent-violators over the distinct scores, in ascending order, on a stack of blocks
        int n = scores.length;
        double[] low = new double[n];
        double[] high = new double[n];
        long[] weight = new long[n];
        long[] sum = new long[n];
        int top = -1;
        p = 0;
        q = 0;
        while (p < pos.length || q < neg.length) {
            double x = q == neg.length || (p < pos.length && pos[p] < neg[q]) ? pos[p] : neg[q];
            long k = 0;
            long m = 0;
            while (p < pos.length && pos[p] == x) {
                k++;
                m++;
                p++;
            }
            while (q < neg.length && neg[q] == x) {
                m++;
                q++;
            }
            top++;
            low[top] = x;
            high[top] = x;
            weight[top] = m;
            sum[top] = k;
            // merge while the previous block's mean is not below this one's: sum[t-1]/w[t-1] >= sum[t]/w[t]
            while (top > 0 && sum[top - 1] * weight[top] >= sum[top] * weight[top - 1]) {
                sum[top - 1] += sum[top];
                weight[top - 1] += weight[top];
                high[top - 1] = high[top];
                top--;
            }
        }
        int blocks = top + 1;
        return new Calibrator(Arrays.copyOf(low, blocks), Arrays.copyOf(high, blocks), Arrays.copyOf(weight, blocks),
                Arrays.copyOf(sum, blocks));
    }

    /**
     * One isotonic calibrator per class of a multiclass model, each fitted one-vs-rest: on the
     * score of class {@code c} with outcome 1 where the actual class is {@code c}.
     *
     * @param scoresByClass per class, its score on every reference event (all arrays as long as {@code actualClasses})
     * @param actualClasses the actual class of every reference event
     * @return the calibrators in the order of {@code scoresByClass}
     */
    public static Map<String, Calibrator> isotonicOneVsRest(Map<String, double[]> scoresByClass, String[] actualClasses) {
        if (scoresByClass == null || scoresByClass.isEmpty()) {
            throw new IllegalArgumentException("scoresByClass must name at least one class");
        }
        if (actualClasses == null) {
            throw new IllegalArgumentException("actualClasses must not be null");
        }
        Map<String, Calibrator> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : scoresByClass.entrySet()) {
            double[] s = e.getValue();
            if (s == null || s.length != actualClasses.length) {
                throw new IllegalArgumentException("scoresByClass[" + e.getKey() + "] must have one score per actual class ("
                        + actualClasses.length + "), had " + (s == null ? "null" : s.length));
            }
            int[] outcomes = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                outcomes[i] = e.getKey().equals(actualClasses[i]) ? 1 : 0;
            }
            out.put(e.getKey(), isotonic(s, outcomes));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The calibrated probability of a score. Identity: the score itself. Isotonic: the fitted
     * function, constant beyond the reference's score range (NaN stays NaN).
     */
    public double calibrate(double score) {
        if (identity || Double.isNaN(score)) {
            return score;
        }
        int hi = segment(score);
        if (hi < 0) {
            return knotY[0];
        }
        if (hi >= knotX.length) {
            return knotY[knotY.length - 1];
        }
        int lo = hi - 1;
        // scipy's interp1d, as scikit-learn predicts: slope * (x - x_lo) + y_lo
        double slope = (knotY[hi] - knotY[lo]) / (knotX[hi] - knotX[lo]);
        return slope * (score - knotX[lo]) + knotY[lo];
    }

    /**
     * The knot index {@code hi} such that {@code knotX[hi-1] < score <= knotX[hi]}
     * (numpy's searchsorted, side left, clipped to {@code [1, knots-1]}); -1 at or below the first
     * knot and {@code knots} at or above the last one (the clipped ranges, and any score when there
     * is a single knot).
     */
    private int segment(double score) {
        int last = knotX.length - 1;
        if (score <= knotX[0]) {
            return score == knotX[0] && last > 0 ? 1 : -1;
        }
        if (score >= knotX[last]) {
            return knotX.length;
        }
        int lo = 0;
        int hi = last; // knotX[lo] < score <= knotX[hi]
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (knotX[mid] < score) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * How {@code calibrate(score)} depends on the block means: writes the (at most two) blocks and
     * the weights with which their means enter, {@code c(s) = w0 * mean(b0) + w1 * mean(b1)}.
     * Returns the number of blocks written (0 for the identity calibrator).
     */
    int sensitivity(double score, int[] blocks, double[] weights) {
        if (identity) {
            return 0;
        }
        int hi = segment(score);
        if (hi < 0) {
            blocks[0] = knotBlock[0];
            weights[0] = 1;
            return 1;
        }
        if (hi >= knotX.length) {
            blocks[0] = knotBlock[knotX.length - 1];
            weights[0] = 1;
            return 1;
        }
        int lo = hi - 1;
        double lambda = (score - knotX[lo]) / (knotX[hi] - knotX[lo]);
        if (knotBlock[lo] == knotBlock[hi]) {
            blocks[0] = knotBlock[lo];
            weights[0] = 1;
            return 1;
        }
        blocks[0] = knotBlock[lo];
        weights[0] = 1 - lambda;
        blocks[1] = knotBlock[hi];
        weights[1] = lambda;
        return 2;
    }

    /** The approximate sampling variance of a block's mean (see the class comment). */
    double blockVariance(int block) {
        return blockVariance[block];
    }

    public boolean isIdentity() {
        return identity;
    }

    /** Isotonic blocks (0 for the identity calibrator). */
    public int blockCount() {
        return blockLow.length;
    }

    /** Reference events the calibrator was fitted on (0 for the identity calibrator). */
    public long referenceCount() {
        long n = 0;
        for (long w : blockWeight) {
            n += w;
        }
        return n;
    }

    /** The knots' scores, as scikit-learn's {@code X_thresholds_} (empty for the identity calibrator). */
    public double[] knotScores() {
        return knotX.clone();
    }

    /** The knots' calibrated probabilities, as scikit-learn's {@code y_thresholds_}. */
    public double[] knotValues() {
        return knotY.clone();
    }

    /**
     * Format version byte, kind byte (0 identity, 1 isotonic), then for isotonic the block count
     * and per block its lowest and highest score (doubles), events and positives (varints).
     */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer().writeByte(FORMAT_VERSION)
                .writeByte(identity ? KIND_IDENTITY : KIND_ISOTONIC);
        if (!identity) {
            w.writeVarLong(blockLow.length);
            for (int j = 0; j < blockLow.length; j++) {
                w.writeDouble(blockLow[j]).writeDouble(blockHigh[j]).writeVarLong(blockWeight[j])
                        .writeVarLong(blockPositives[j]);
            }
        }
        return w.toByteArray();
    }

    /**
     * Reads {@link #toBytes()}.
     *
     * @throws IllegalArgumentException on an unknown version or kind, truncated or trailing bytes, or
     *                                  blocks that isotonic regression cannot produce (unordered or
     *                                  non-finite scores, empty blocks, more positives than events,
     *                                  means not strictly increasing)
     */
    public static Calibrator fromBytes(byte[] bytes) {
        CompactBytes.Reader r = new CompactBytes.Reader(bytes, "Calibrator");
        int version = r.readByte("version");
        if (version != FORMAT_VERSION) {
            throw r.fail("unknown format version " + version);
        }
        int kind = r.readByte("kind");
        if (kind == KIND_IDENTITY) {
            r.expectEnd();
            return IDENTITY;
        }
        if (kind != KIND_ISOTONIC) {
            throw r.fail("unknown kind " + kind);
        }
        int blocks = r.readVarInt("blockCount", 1, Integer.MAX_VALUE);
        double[] low = new double[Math.min(blocks, 1 << 16)];
        double[] high = new double[low.length];
        long[] weight = new long[low.length];
        long[] positives = new long[low.length];
        long total = 0;
        for (int j = 0; j < blocks; j++) {
            if (j == low.length) {
                low = Arrays.copyOf(low, 2 * j);
                high = Arrays.copyOf(high, 2 * j);
                weight = Arrays.copyOf(weight, 2 * j);
                positives = Arrays.copyOf(positives, 2 * j);
            }
            low[j] = r.readDouble("block low");
            high[j] = r.readDouble("block high");
            weight[j] = r.readVarLong("block events", 1, Integer.MAX_VALUE);
            positives[j] = r.readVarLong("block positives", 0, weight[j]);
            total += weight[j];
            if (total > Integer.MAX_VALUE) {
                throw r.fail("more than " + Integer.MAX_VALUE + " reference events");
            }
            if (!Double.isFinite(low[j]) || !Double.isFinite(high[j]) || high[j] < low[j]) {
                throw r.fail("block " + j + " has scores [" + low[j] + ", " + high[j] + "]");
            }
            if (j > 0 && !(low[j] > high[j - 1])) {
                throw r.fail("block " + j + " starts at " + low[j] + ", not after block " + (j - 1) + " ends at " + high[j - 1]);
            }
            if (j > 0 && positives[j - 1] * weight[j] >= positives[j] * weight[j - 1]) {
                throw r.fail("block means not strictly increasing at block " + j);
            }
        }
        r.expectEnd();
        return new Calibrator(Arrays.copyOf(low, blocks), Arrays.copyOf(high, blocks), Arrays.copyOf(weight, blocks),
                Arrays.copyOf(positives, blocks));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Calibrator)) {
            return false;
        }
        Calibrator c = (Calibrator) o;
        return identity == c.identity && Arrays.equals(blockLow, c.blockLow) && Arrays.equals(blockHigh, c.blockHigh)
                && Arrays.equals(blockWeight, c.blockWeight) && Arrays.equals(blockPositives, c.blockPositives);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blockLow) * 31 + Arrays.hashCode(blockWeight);
    }

    @Override
    public String toString() {
        return identity ? "Calibrator[identity]"
                : "Calibrator[isotonic, " + blockLow.length + " blocks over " + referenceCount() + " reference events]";
    }
}
