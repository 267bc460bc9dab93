package dev.modelwatch.core.drift.multivariate;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * Multivariate drift of numerical features by PCA reconstruction error, as NannyML's "data
 * reconstruction with PCA", computed from mergeable {@link CoMoments} alone: it catches a change in
 * the joint distribution (a correlation that flips, say) that leaves every marginal, and so every
 * univariate drift test, unchanged.
 *
 * <p><b>Fit</b> (from the reference's co-moments). Each feature is standardized by the reference,
 * {@code z_i = (x_i - mu_i) / sigma_i}, with {@code mu_i} the mean of its present values and
 * {@code sigma_i} the population standard deviation (ddof = 0) of the feature with its missing values
 * filled in by {@code mu_i}: scikit-learn's {@code SimpleImputer(strategy='mean')} followed by
 * {@code StandardScaler}, which is what NannyML does. Features with no present value or no variance
 * in the reference are dropped ({@link #droppedFeatures()}). The correlation matrix
 * {@code K = (1/N) sum_rows z z^T} of the used features is decomposed (commons-math
 * {@link EigenDecomposition}); its eigenvalues in decreasing order give the explained-variance ratios
 * {@code lambda_c / sum lambda}, the same as scikit-learn's {@code PCA} on the standardized reference
 * (which divides by {@code N - 1}, a common factor). The model keeps the {@code k} leading eigenvectors
 * {@code V} (m x k), {@code k} the smallest number whose cumulative ratio exceeds
 * {@link Settings#varianceFraction()} (0.65 by default, NannyML's; scikit-learn's rule for
 * {@code PCA(n_components=0.65)}: strictly greater). Each eigenvector's sign is chosen so that its
 * largest-magnitude entry is positive.
 *
 * <p><b>Error from moments.</b> A row's reconstruction is {@code V V^T z} and its residual
 * {@code R z} with {@code R = I - V V^T}, a symmetric projector ({@code R^T = R}, {@code R^2 = R}).
 * Hence {@code ||R z||^2 = z^T R^T R z = z^T R z = tr(R z z^T)}, and the mean over the window's n rows is
 * <pre>
 *   E||R z||^2 = tr(R S),   S = (1/n) sum_rows z z^T = Sigma_z + mu_z mu_z^T
 *              = tr(R Sigma_z R) + ||R mu_z||^2
 * </pre>
 * with {@code mu_z} the mean and {@code Sigma_z} the population (1/n) covariance of the window's
 * standardized rows (using {@code tr(R A) = tr(R R A) = tr(R A R)}). {@code S} is exact from the
 * window's co-moments: {@code n sigma_a sigma_b S_ab = sum (x_a - mu_a)(x_b - mu_b)} over the rows where
 * both are present, {@link CoMoments#crossProductAbout}; a missing value, filled in by the reference
 * mean, has {@code z = 0} and adds nothing. So the error is, up to rounding (relative
 * {@code ~1e-13}), the mean squared reconstruction error of the rows after NannyML's imputation,
 * for any window or union of windows, with no row kept. It is not an approximation of the
 * pairwise-complete kind; the approximation is the imputation itself: a row missing a feature is
 * treated as sitting at the reference mean, so that more missing values lower the error (watch the
 * missing rate univariately). NannyML averages the Euclidean distance {@code ||R z||}, which needs the
 * rows; this is the mean of its square ({@code sqrt} of it is at least NannyML's figure, by Jensen).
 *
 * <p><b>Threshold.</b> The reference is given again as chunks (e.g. windows of the size of the
 * monitored windows, each a {@link CoMoments}); chunks with fewer than {@link Settings#minRows()} rows
 * are left out. Each chunk's error {@code e_k} over {@code n_k} rows is a mean of {@code n_k} row
 * errors, so {@code Var e_k ~ s^2 / n_k} with {@code s} the row errors' standard deviation. The center
 * is the row-weighted mean {@code e = sum n_k e_k / sum n_k} (the reference's own error when the
 * chunks partition it) and {@code s^2 = sum n_k (e_k - e)^2 / (K - 1)}, unbiased for K chunks; for equal
 * chunks of size m it is {@code m sd_chunk^2}. A window of n rows is drifted when its error lies outside
 * {@code e +- bandSds * s / sqrt(n)}, i.e. {@code sd_n = sd_chunk sqrt(m / n)} (the lower end is
 * clipped at 0). The band is NannyML's mean +- 3 sd of the chunks, scaled to the window's size.
 * Its false-alarm rate is near the normal's 0.27% when the row errors are independent and n is large
 * enough for their mean to be nearly normal: for Gaussian data the row error is a weighted sum of
 * chi-square(1) variables, whose mean over n rows has skewness at most {@code sqrt(8 / n)}; below
 * {@link Settings#minRows()} (100 by default, skewness below 0.3) no decision is made.
 *
 * <p><b>Choosing the chunks.</b> The estimate of {@code s} from K chunks is itself off by about
 * {@code sqrt(1 / (2 (K - 1)))} relative (more for heavy-tailed rows): with 20 chunks that is 16%, and a
 * 3-sd band that is 16% too narrow is a 2.5-sd band, with about 5 times the false alarms (seen in the
 * tests: with 20 chunks of 5,000 the fresh samples' scores had sd 1.3 instead of 1). When rows are
 * independent, prefer many smaller chunks (100 chunks of 1,000 rows gave sd 0.97 on the same data):
 * the per-row scaling makes the chunk size free. When rows within a window are dependent (bursts,
 * sessions), only window-sized chunks see that variation; then use as many as the reference allows.
 * The band ignores the center's own sd, {@code s / sqrt(N)}, negligible when the reference has many
 * more rows N than a window. The model is fitted on the reference, so the reference's own error is
 * biased low by {@code O(m / N)} relative to fresh data from the same distribution.
 *
 * <p>Usage:
 * <pre>{@code
 * PcaReconstructionModel model = PcaReconstructionModel.fit(referenceMoments, referenceChunkMoments);
 * byte[] stored = model.toBytes();                         // kept with the reference
 * MultivariateDriftResult r = PcaReconstructionModel.fromBytes(stored).evaluate(windowMoments);
 * if (Boolean.TRUE.equals(r.drifted())) { ... } else if (!r.computed()) { log(r.reason()); }
 * }</pre>
 * Immutable and thread-safe once fitted.
 */
public final class PcaReconstructionModel {
    private static final byte FORMAT_VERSION = 1;
    private static final byte USED = 0;
    private static final byte NO_VALUES = 1;
    private static final byte CONSTANT = 2;

    /**
     * Fitting and decision parameters.
     *
     * @param varianceFraction the kept components explain more than this fraction of the reference's
     *                         variance; in (0, 1), NannyML's default 0.65
     * @param bandSds          half-width of the band in standard deviations of a window's error; > 0,
     *                         NannyML's default 3
     * @param minRows          fewest rows a window (and a reference chunk) needs for a decision; >= 2
     */
    public record Settings(double varianceFraction, double bandSds, long minRows) {
        public static final Settings DEFAULT = new Settings(0.65, 3, 100);

        public Settings {
            if (!(varianceFraction > 0 && varianceFraction < 1)) {
                throw new IllegalArgumentException("varianceFraction must be in (0, 1), was " + varianceFraction);
            }
            if (!(bandSds > 0) || Double.isInfinite(bandSds)) {
                throw new IllegalArgumentException("bandSds must be finite and > 0, was " + bandSds);
            }
            if (minRows < 2) {
                throw new IllegalArgumentException("minRows must be >= 2, was " + minRows);
            }
        }
    }

    private final Settings settings;
    private final List<String> names;
    private final long referenceRows;
    /** per feature: USED, NO_VALUES or CONSTANT */
    private final byte[] status;
    /** indices of the used features, in feature order; m of them */
    private final int[] used;
    private final double[] means;
    private final double[] scales;
    /** eigenvalues of the correlation matrix, decreasing, clipped at 0; empty when not decomposed */
    private final double[] eigenvalues;
    /** the k kept eigenvectors, each of length m */
    private final double[][] vectors;
    /** R = I - V V^T, m x m */
    private final double[][] residualProjector;
    private final double referenceError;
    private final double errorSdPerRow;
    private final int chunksUsed;
    /** why the model cannot decide; null when it can */
    private final String reason;

    private PcaReconstructionModel(Settings settings, List<String> names, long referenceRows, byte[] status,
            double[] means, double[] scales, double[] eigenvalues, double[][] vectors, double referenceError,
            double errorSdPerRow, int chunksUsed, String reason) {
        this.settings = settings;
        this.names = List.copyOf(names);
        this.referenceRows = referenceRows;
        this.status = status;
        this.used = usedIndices(status);
        this.means = means;
        this.scales = scales;
        this.eigenvalues = eigenvalues;
        this.vectors = vectors;
        this.residualProjector = residualProjector(vectors, used.length);
        this.referenceError = referenceError;
        this.errorSdPerRow = errorSdPerRow;
        this.chunksUsed = chunksUsed;
        this.reason = reason;
    }

    private static int[] usedIndices(byte[] status) {
        int m = 0;
        for (byte s : status) {
            m += s == USED ? 1 : 0;
        }
        int[] used = new int[m];
        for (int i = 0, a = 0; i < status.length; i++) {
            if (status[i] == USED) {
                used[a++] = i;
            }
        }
        return used;
    }

    private static double[][] residualProjector(double[][] vectors, int m) {
        double[][] r = new double[m][m];
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++) {
                double p = 0;
                for (double[] v : vectors) {
                    p += v[a] * v[b];
                }
                double value = (a == b ? 1 : 0) - p;
                r[a][b] = value;
                r[b][a] = value;
            }
        }
        return r;
    }

    /** {@link #fit(CoMoments, List, Settings)} with {@link Settings#DEFAULT}. */
    public static PcaReconstructionModel fit(CoMoments reference, List<CoMoments> referenceChunks) {
        return fit(reference, referenceChunks, Settings.DEFAULT);
    }

    /**
     * Fits the standardization and the principal components on {@code reference} and the threshold on
     * {@code referenceChunks} (see the class comment). When the model cannot be fitted (fewer than two
     * features with variance, fewer than 2 reference rows, every component needed to reach the variance
     * fraction, fewer than two chunks of at least {@code minRows} rows) the model is still returned,
     * with {@link #reason()} saying why, and each evaluation reports that reason.
     *
     * @throws IllegalArgumentException when a chunk's features differ from the reference's
     */
    public static PcaReconstructionModel fit(CoMoments reference, List<CoMoments> referenceChunks, Settings settings) {
        if (reference == null) {
            throw new IllegalArgumentException("reference must not be null");
        }
        if (referenceChunks == null) {
            throw new IllegalArgumentException("referenceChunks must not be null");
        }
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        List<String> names = reference.featureNames();
        for (int c = 0; c < referenceChunks.size(); c++) {
            if (!referenceChunks.get(c).featureNames().equals(names)) {
                throw new IllegalArgumentException("referenceChunks[" + c + "] has features "
                        + referenceChunks.get(c).featureNames() + ", the reference " + names);
            }
        }
        int d = names.size();
        long n = reference.count();
        byte[] status = new byte[d];
        double[] allMeans = new double[d];
        double[] allScales = new double[d];
        for (int i = 0; i < d; i++) {
            if (reference.count(i) == 0) {
                status[i] = NO_VALUES;
                continue;
            }
            allMeans[i] = reference.mean(i);
            double variance = reference.crossProductAbout(i, i, allMeans[i], allMeans[i]) / n;
            allScales[i] = Math.sqrt(variance);
            status[i] = variance > 0 && Double.isFinite(variance) ? USED : CONSTANT;
        }
        int[] used = usedIndices(status);
        int m = used.length;
        double[] means = new double[m];
        double[] scales = new double[m];
        for (int a = 0; a < m; a++) {
            means[a] = allMeans[used[a]];
            scales[a] = allScales[used[a]];
        }
        if (n < 2) {
            return unusable(settings, names, n, status, means, scales,
                    "the reference needs at least 2 rows, had " + n);
        }
        if (m < 2) {
            return unusable(settings, names, n, status, means, scales, "needs at least 2 numerical features with "
                    + "variance in the reference, had " + m + " of " + d);
        }

        double[][] correlation = new double[m][m];
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++) {
                double value = reference.crossProductAbout(used[a], used[b], means[a], means[b])
                        / (n * scales[a] * scales[b]);
                correlation[a][b] = value;
                correlation[b][a] = value;
            }
        }
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(correlation, false));
        double[] values = eigen.getRealEigenvalues();
        Integer[] order = new Integer[m];
        for (int c = 0; c < m; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
        double[] eigenvalues = new double[m];
        double total = 0;
        for (int c = 0; c < m; c++) {
            eigenvalues[c] = Math.max(0, values[order[c]]);
            total += eigenvalues[c];
        }
        int k = m;
        double cumulative = 0;
        for (int c = 0; c < m; c++) {
            cumulative += eigenvalues[c] / total;
            if (cumulative > settings.varianceFraction()) {
                k = c + 1;
                break;
            }
        }
        double[][] vectors = new double[k][];
        for (int c = 0; c < k; c++) {
            vectors[c] = signed(eigen.getEigenvector(order[c]));
        }
        if (k >= m) {
            return new PcaReconstructionModel(settings, names, n, status, means, scales, eigenvalues, vectors,
                    Double.NaN, Double.NaN, 0, "all " + m + " components are needed to explain more than "
                    + percent(settings.varianceFraction()) + " of the reference's variance: nothing is left to "
                    + "reconstruct (lower the variance fraction)");
        }

        PcaReconstructionModel partial = new PcaReconstructionModel(settings, names, n, status, means, scales,
                eigenvalues, vectors, Double.NaN, Double.NaN, 0, null);
        List<double[]> errors = new ArrayList<>();
        double rows = 0;
        double weighted = 0;
        for (CoMoments chunk : referenceChunks) {
            if (chunk.count() >= settings.minRows()) {
                double e = partial.meanSquaredError(chunk);
                errors.add(new double[] {chunk.count(), e});
                rows += chunk.count();
                weighted += chunk.count() * e;
            }
        }
        if (errors.size() < 2) {
            return new PcaReconstructionModel(settings, names, n, status, means, scales, eigenvalues, vectors,
                    Double.NaN, Double.NaN, errors.size(), "the threshold needs at least 2 reference chunks of at "
                    + "least " + settings.minRows() + " rows, had " + errors.size() + " of " + referenceChunks.size());
        }
        double center = weighted / rows;
        double squares = 0;
        for (double[] e : errors) {
            squares += e[0] * (e[1] - center) * (e[1] - center);
        }
        double sdPerRow = Math.sqrt(squares / (errors.size() - 1));
        return new PcaReconstructionModel(settings, names, n, status, means, scales, eigenvalues, vectors, center,
                sdPerRow, errors.size(), null);
    }

    private static PcaReconstructionModel unusable(Settings settings, List<String> names, long n, byte[] status,
            double[] means, double[] scales, String reason) {
        return new PcaReconstructionModel(settings, names, n, status, means, scales, new double[0], new double[0][],
                Double.NaN, Double.NaN, 0, reason);
    }

    /** The vector with its largest-magnitude entry (the first such) made positive. */
    private static double[] signed(RealVector vector) {
        double[] v = vector.toArray();
        int largest = 0;
        for (int a = 1; a < v.length; a++) {
            if (Math.abs(v[a]) > Math.abs(v[largest])) {
                largest = a;
            }
        }
        if (v[largest] < 0) {
            for (int a = 0; a < v.length; a++) {
                v[a] = -v[a];
            }
        }
        return v;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /** {@code tr(R S)} over the used features; see the class comment. Requires fitted components. */
    private double meanSquaredError(CoMoments window) {
        long n = window.count();
        if (n == 0) {
            return Double.NaN;
        }
        int m = used.length;
        double sum = 0;
        for (int a = 0; a < m; a++) {
            double[] ra = residualProjector[a];
            for (int b = a; b < m; b++) {
                double s = window.crossProductAbout(used[a], used[b], means[a], means[b]) / (scales[a] * scales[b]);
                sum += (a == b ? 1 : 2) * ra[b] * s;
            }
        }
        // tr(R S) >= 0 for a positive semi-definite S; rounding can leave -1e-17 for an error of 0
        return Math.max(0, sum / n);
    }

    private void checkFeatures(CoMoments window) {
        if (window == null) {
            throw new IllegalArgumentException("window must not be null");
        }
        if (!window.featureNames().equals(names)) {
            throw new IllegalArgumentException("the window has features " + window.featureNames()
                    + ", the model " + names);
        }
    }

    /** Whether the components are fitted (0 < k < m), so that a window's error can be computed. */
    private boolean decomposed() {
        return vectors.length > 0 && vectors.length < used.length;
    }

    /**
     * The window's mean squared reconstruction error in the reference's standardized space; NaN when the
     * window has no rows or no components could be fitted (too few features or reference rows, or every
     * component needed). It is computed when only the threshold is missing.
     *
     * @throws IllegalArgumentException when the window's features differ from the model's
     */
    public double reconstructionError(CoMoments window) {
        checkFeatures(window);
        return decomposed() ? meanSquaredError(window) : Double.NaN;
    }

    /**
     * The window's error against the band for its row count (see the class comment).
     *
     * @throws IllegalArgumentException when the window's features differ from the model's
     */
    public MultivariateDriftResult evaluate(CoMoments window) {
        checkFeatures(window);
        long n = window.count();
        List<String> featuresUsed = featuresUsed();
        int k = vectors.length;
        double error = decomposed() ? meanSquaredError(window) : Double.NaN;
        if (reason != null) {
            return new MultivariateDriftResult(error, referenceError, Double.NaN, Double.NaN, null, k, featuresUsed,
                    n, method(), reason);
        }
        if (n < settings.minRows()) {
            return new MultivariateDriftResult(error, referenceError, Double.NaN, Double.NaN, null, k, featuresUsed,
                    n, method(), "the threshold needs at least " + settings.minRows() + " rows in the window, had " + n);
        }
        double half = settings.bandSds() * errorSdPerRow / Math.sqrt(n);
        double lower = Math.max(0, referenceError - half);
        double upper = referenceError + half;
        return new MultivariateDriftResult(error, referenceError, lower, upper, error < lower || error > upper, k,
                featuresUsed, n, method(), null);
    }

    private String method() {
        if (!decomposed()) {
            return "PCA reconstruction error (no components to leave out: " + vectors.length + " of " + used.length + " kept)";
        }
        double explained = 0;
        for (int c = 0; c < vectors.length; c++) {
            explained += eigenvalues[c];
        }
        double total = 0;
        for (double e : eigenvalues) {
            total += e;
        }
        String fit = "PCA reconstruction: mean squared error of the rows standardized by the reference (missing "
                + "values at the reference mean), exact from the window's co-moments; " + vectors.length + " of "
                + used.length + " components (" + percent(explained / total) + " of the reference's variance)";
        if (reason != null) {
            return fit + "; no threshold";
        }
        return fit + String.format(Locale.ROOT, "; band %.6g +- %s x %.6g / sqrt(n) from %d reference chunks",
                referenceError, settings.bandSds(), errorSdPerRow, chunksUsed);
    }

    // ---- accessors ----

    public Settings settings() {
        return settings;
    }

    /** All features of the reference's co-moments, in order; windows must have the same list. */
    public List<String> featureNames() {
        return names;
    }

    /** The features standardized and projected, in order. */
    public List<String> featuresUsed() {
        List<String> list = new ArrayList<>(used.length);
        for (int i : used) {
            list.add(names.get(i));
        }
        return Collections.unmodifiableList(list);
    }

    /** The features left out, each with why: no value in the reference, or no variance there. */
    public Map<String, String> droppedFeatures() {
        Map<String, String> dropped = new LinkedHashMap<>();
        for (int i = 0; i < status.length; i++) {
            if (status[i] == NO_VALUES) {
                dropped.put(names.get(i), "no finite value in the reference");
            } else if (status[i] == CONSTANT) {
                dropped.put(names.get(i), "constant in the reference (zero variance)");
            }
        }
        return Collections.unmodifiableMap(dropped);
    }

    /** Rows of the reference the model was fitted on. */
    public long referenceRows() {
        return referenceRows;
    }

    /** Per used feature, the reference mean {@code mu}. */
    public double[] referenceMeans() {
        return means.clone();
    }

    /** Per used feature, the reference's population standard deviation {@code sigma} (missing values imputed). */
    public double[] referenceScales() {
        return scales.clone();
    }

    /** Explained-variance ratio of every principal component, decreasing; empty when not decomposed. */
    public double[] explainedVarianceRatio() {
        double total = 0;
        for (double e : eigenvalues) {
            total += e;
        }
        double[] ratio = new double[eigenvalues.length];
        for (int c = 0; c < ratio.length; c++) {
            ratio[c] = eigenvalues[c] / total;
        }
        return ratio;
    }

    /** The number of components kept, k (0 when not decomposed). */
    public int components() {
        return vectors.length;
    }

    /** The kept unit eigenvectors, k rows of m entries over {@link #featuresUsed()}. */
    public double[][] componentVectors() {
        double[][] copy = new double[vectors.length][];
        for (int c = 0; c < vectors.length; c++) {
            copy[c] = vectors[c].clone();
        }
        return copy;
    }

    /** Center of the band: row-weighted mean of the reference chunks' errors; NaN when not fitted. */
    public double referenceError() {
        return referenceError;
    }

    /** {@code s}: the chunks' spread scaled to one row; a window of n rows has sd {@code s / sqrt(n)}. */
    public double errorSdPerRow() {
        return errorSdPerRow;
    }

    /** Reference chunks the threshold was estimated from (those with at least {@code minRows} rows). */
    public int chunksUsed() {
        return chunksUsed;
    }

    /** Why the model cannot decide; null when it can. */
    public String reason() {
        return reason;
    }

    // ---- serialization ----

    /**
     * Little-endian encoding, led by a format byte (1): settings, feature names (int length and UTF-8),
     * reference rows, a status byte per feature (0 used, 1 no values, 2 constant), the used features'
     * means and scales, the eigenvalues (count then values), the kept components (count then m values
     * each), the band's center and per-row sd, the chunks used, and the reason (int length, -1 for none).
     */
    public byte[] toBytes() {
        int m = used.length;
        byte[][] encoded = new byte[names.size()][];
        int size = 1 + 24 + 4 + 8 + names.size() + 16 * m + 4 + 8 * eigenvalues.length + 4 + 8 * m * vectors.length
                + 16 + 4 + 4;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = names.get(i).getBytes(StandardCharsets.UTF_8);
            size += 4 + encoded[i].length;
        }
        byte[] why = reason == null ? null : reason.getBytes(StandardCharsets.UTF_8);
        size += why == null ? 0 : why.length;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(FORMAT_VERSION);
        out.putDouble(settings.varianceFraction());
        out.putDouble(settings.bandSds());
        out.putLong(settings.minRows());
        out.putInt(encoded.length);
        for (byte[] name : encoded) {
            out.putInt(name.length);
            out.put(name);
        }
        out.putLong(referenceRows);
        out.put(status);
        for (double v : means) {
            out.putDouble(v);
        }
        for (double v : scales) {
            out.putDouble(v);
        }
        out.putInt(eigenvalues.length);
        for (double v : eigenvalues) {
            out.putDouble(v);
        }
        out.putInt(vectors.length);
        for (double[] vector : vectors) {
            for (double v : vector) {
                out.putDouble(v);
            }
        }
        out.putDouble(referenceError);
        out.putDouble(errorSdPerRow);
        out.putInt(chunksUsed);
        out.putInt(why == null ? -1 : why.length);
        if (why != null) {
            out.put(why);
        }
        return out.array();
    }

    /**
     * Reads what {@link #toBytes()} wrote.
     *
     * @throws IllegalArgumentException naming what is wrong when the bytes are not a valid encoding
     */
    public static PcaReconstructionModel fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = in.get();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown PCA reconstruction model format version " + version
                        + ", expected " + FORMAT_VERSION);
            }
            Settings settings = new Settings(in.getDouble(), in.getDouble(), in.getLong());
            int d = in.getInt();
            if (d < 1 || d > CoMoments.MAX_FEATURES) {
                throw new IllegalArgumentException("PCA model feature count must be in [1, " + CoMoments.MAX_FEATURES
                        + "], was " + d);
            }
            List<String> names = new ArrayList<>(d);
            for (int i = 0; i < d; i++) {
                names.add(string(in, "feature name " + i));
            }
            long referenceRows = in.getLong();
            byte[] status = new byte[d];
            in.get(status);
            int m = 0;
            for (int i = 0; i < d; i++) {
                if (status[i] != USED && status[i] != NO_VALUES && status[i] != CONSTANT) {
                    throw new IllegalArgumentException("PCA model feature " + i + " has unknown status " + status[i]);
                }
                m += status[i] == USED ? 1 : 0;
            }
            double[] means = doubles(in, m);
            double[] scales = doubles(in, m);
            int e = in.getInt();
            if (e != 0 && e != m) {
                throw new IllegalArgumentException("PCA model must have 0 or " + m + " eigenvalues, had " + e);
            }
            double[] eigenvalues = doubles(in, e);
            int k = in.getInt();
            if (k < 0 || k > e) {
                throw new IllegalArgumentException("PCA model must keep between 0 and " + e + " components, had " + k);
            }
            double[][] vectors = new double[k][];
            for (int c = 0; c < k; c++) {
                vectors[c] = doubles(in, m);
            }
            double referenceError = in.getDouble();
            double errorSdPerRow = in.getDouble();
            int chunksUsed = in.getInt();
            String reason = in.getInt(in.position()) == -1 ? skipNone(in) : string(in, "reason");
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("PCA model bytes have " + in.remaining() + " bytes past the end");
            }
            if (reason == null && (k == 0 || k >= m || !Double.isFinite(referenceError)
                    || !(errorSdPerRow >= 0))) {
                throw new IllegalArgumentException("PCA model without a reason must have 0 < k < " + m
                        + " components and a finite band, had k = " + k + ", center " + referenceError + ", sd "
                        + errorSdPerRow);
            }
            return new PcaReconstructionModel(settings, names, referenceRows, status, means, scales, eigenvalues,
                    vectors, referenceError, errorSdPerRow, chunksUsed, reason);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("PCA model bytes are truncated (" + bytes.length + " bytes)", e);
        }
    }

    private static String skipNone(ByteBuffer in) {
        in.getInt();
        return null;
    }

    private static String string(ByteBuffer in, String what) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("PCA model " + what + " has length " + length + " but only "
                    + in.remaining() + " bytes remain");
        }
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static double[] doubles(ByteBuffer in, int count) {
        if (8L * count > in.remaining()) {
            throw new IllegalArgumentException("PCA model needs " + 8L * count + " more bytes, had " + in.remaining());
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = in.getDouble();
        }
        return v;
    }

    @Override
    public String toString() {
        return "PcaReconstructionModel[" + (reason == null ? method() : "not usable: " + reason) + "]";
    }
}
