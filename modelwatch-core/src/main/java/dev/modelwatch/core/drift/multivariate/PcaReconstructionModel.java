package dev.modelwatch.core.drift.multivariate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 * <p><b>Threshold.</b> A window of n clean rows has an error that is the mean of n row errors, so
 * it scatters around the expected error of fresh rows with sd {@code s / sqrt(n)}, {@code s} the row
 * errors' standard deviation. Two things about the reference make that expected error unknown:
 * it is estimated from the reference's own N rows (sd {@code s / sqrt(N)}), and the model was fitted on
 * those rows, whose in-sample error is biased low (PCA leaves out exactly the directions in which the
 * sample varied least). A band that takes the in-sample error as exact, {@code e +- 3 s / sqrt(n)},
 * is right while {@code n << N} and wrong once n approaches N: at {@code n = N} its false-alarm rate
 * is several percent, at {@code n = 10 N} most clean windows alarm (measured in BENCHMARKS.md). So:
 * <ul>
 *   <li>the center and {@code s} come from the reference's chunks held out by <b>cross-fitting</b>
 *       ({@link CrossFitting}: each chunk's error under the model fitted on the other folds), which
 *       removes the in-sample bias, and works from mergeable co-moments alone;</li>
 *   <li>the band is {@code center +- q s sqrt(1/n + 1/N)}: the window's sampling error and the
 *       reference's in quadrature, with {@code q} from Student's t for the chunks' degrees of freedom
 *       and a Cornish–Fisher correction for the skewness of the mean of squared errors
 *       ({@link ReconstructionErrorBand}).</li>
 * </ul>
 * With {@link Settings#bandSds()} = 3 (NannyML's three sds) the nominal two-sided rate is 0.27% for
 * every n and N; the measured rates are in BENCHMARKS.md and in the tests (at most 1% over 1,000 ...
 * 10^6 reference rows and 100 ... 10^6 window rows). What stays: at {@code n >> N} the decision is
 * about the reference more than the window, so a given reference either alarms on most large clean
 * windows or on almost none; averaged over references that happens for the nominal share of them.
 * Windows with fewer than {@link Settings#minRows()} rows (100) get no decision. A model stored by an
 * earlier version (format 1) kept only the in-sample center and the chunks' spread: it is read with
 * the quadrature and the t quantile ({@code chunks - 1} degrees of freedom), not the cross-fitted
 * center (re-upload the reference to get it).
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
    static final byte USED = 0;
    static final byte NO_VALUES = 1;
    static final byte CONSTANT = 2;

    /**
     * Fitting and decision parameters.
     *
     * @param varianceFraction the kept components explain more than this fraction of the reference's
     *                         variance; in (0, 1), NannyML's default 0.65
     * @param bandSds          half-width of the band in normal standard deviations (turned into a t
     *                         quantile, see {@link ReconstructionErrorBand}); > 0, NannyML's default 3
     * @param minRows          fewest rows a window needs for a decision; >= 2
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
    /** the fitted standardization and components; its vectors empty when not decomposed */
    private final PcaComponents components;
    /** R = I - V V^T, m x m */
    private final double[][] residualProjector;
    /** null when there is no threshold */
    private final ReconstructionErrorBand band;
    private final int chunksUsed;
    /** why the model cannot decide; null when it can */
    private final String reason;

    PcaReconstructionModel(Settings settings, List<String> names, long referenceRows, byte[] status,
            PcaComponents components, ReconstructionErrorBand band, int chunksUsed, String reason) {
        this.settings = settings;
        this.names = List.copyOf(names);
        this.referenceRows = referenceRows;
        this.status = status;
        this.components = components;
        this.residualProjector = components.residualProjector();
        this.band = band;
        this.chunksUsed = chunksUsed;
        this.reason = reason;
    }

    static int[] usedIndices(byte[] status) {
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

    /** {@link #fit(CoMoments, List, Settings)} with {@link Settings#DEFAULT}. */
    public static PcaReconstructionModel fit(CoMoments reference, List<CoMoments> referenceChunks) {
        return fit(reference, referenceChunks, Settings.DEFAULT);
    }

    /**
     * Fits the standardization and the principal components on {@code reference} and the threshold on
     * {@code referenceChunks} by cross-fitting (see the class comment); the chunks should partition the
     * reference's rows (the center's uncertainty is that of their rows). When the model cannot be fitted
     * (fewer than two features with variance, fewer than 2 reference rows, every component needed to
     * reach the variance fraction, fewer than two chunks with rows) the model is still returned, with
     * {@link #reason()} saying why, and each evaluation reports that reason.
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
        for (int i = 0; i < d; i++) {
            if (reference.count(i) == 0) {
                status[i] = NO_VALUES;
                continue;
            }
            double mean = reference.mean(i);
            double variance = reference.crossProductAbout(i, i, mean, mean) / n;
            status[i] = variance > 0 && Double.isFinite(variance) ? USED : CONSTANT;
        }
        int[] used = usedIndices(status);
        int m = used.length;
        if (n < 2) {
            return unusable(settings, names, n, status, "the reference needs at least 2 rows, had " + n);
        }
        if (m < 2) {
            return unusable(settings, names, n, status, "needs at least 2 numerical features with "
                    + "variance in the reference, had " + m + " of " + d);
        }
        PcaComponents full = PcaComponents.fit(reference, used, 0, settings.varianceFraction());
        if (full.vectors().length >= m) {
            return new PcaReconstructionModel(settings, names, n, status, full, null, 0, "all " + m + " components are "
                    + "needed to explain more than " + percent(settings.varianceFraction()) + " of the reference's "
                    + "variance: nothing is left to reconstruct (lower the variance fraction)");
        }
        CrossFitting.Outcome threshold = CrossFitting.fit(names, referenceChunks, full);
        return new PcaReconstructionModel(settings, names, n, status, full, threshold.band(), threshold.chunks(),
                threshold.reason());
    }

    private static PcaReconstructionModel unusable(Settings settings, List<String> names, long n, byte[] status,
            String reason) {
        int m = usedIndices(status).length;
        PcaComponents none = new PcaComponents(usedIndices(status), new double[m], new double[m], new double[0],
                new double[0][]);
        return new PcaReconstructionModel(settings, names, n, status, none, null, 0, reason);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
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

    /**
     * The window's mean squared reconstruction error in the reference's standardized space; NaN when the
     * window has no rows or no components could be fitted (too few features or reference rows, or every
     * component needed). It is computed when only the threshold is missing.
     *
     * @throws IllegalArgumentException when the window's features differ from the model's
     */
    public double reconstructionError(CoMoments window) {
        checkFeatures(window);
        return components.decomposed() ? components.meanSquaredError(window, residualProjector) : Double.NaN;
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
        int k = components.vectors().length;
        double error = reconstructionError(window);
        double center = referenceError();
        if (reason != null) {
            return new MultivariateDriftResult(error, center, Double.NaN, Double.NaN, null, k, featuresUsed, n,
                    method(), reason);
        }
        if (n < settings.minRows()) {
            return new MultivariateDriftResult(error, center, Double.NaN, Double.NaN, null, k, featuresUsed, n,
                    method(), "the threshold needs at least " + settings.minRows() + " rows in the window, had " + n);
        }
        double[] bounds = band.bounds(n, settings.bandSds());
        return new MultivariateDriftResult(error, center, bounds[0], bounds[1], error < bounds[0] || error > bounds[1],
                k, featuresUsed, n, method(), null);
    }

    private String method() {
        if (!components.decomposed()) {
            return "PCA reconstruction error (no components to leave out: " + components.vectors().length + " of "
                    + components.used().length + " kept)";
        }
        double explained = 0;
        double[] eigenvalues = components.eigenvalues();
        for (int c = 0; c < components.vectors().length; c++) {
            explained += eigenvalues[c];
        }
        double total = 0;
        for (double e : eigenvalues) {
            total += e;
        }
        String fit = "PCA reconstruction: mean squared error of the rows standardized by the reference (missing "
                + "values at the reference mean), exact from the window's co-moments; " + components.vectors().length
                + " of " + components.used().length + " components (" + percent(explained / total)
                + " of the reference's variance)";
        if (band == null) {
            return fit + "; no threshold";
        }
        return fit + "; " + band.describe(settings.bandSds());
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
        List<String> list = new ArrayList<>(components.used().length);
        for (int i : components.used()) {
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
        return components.means().clone();
    }

    /** Per used feature, the reference's population standard deviation {@code sigma} (missing values imputed). */
    public double[] referenceScales() {
        return components.scales().clone();
    }

    /** Explained-variance ratio of every principal component, decreasing; empty when not decomposed. */
    public double[] explainedVarianceRatio() {
        double[] eigenvalues = components.eigenvalues();
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
        return components.vectors().length;
    }

    /** The kept unit eigenvectors, k rows of m entries over {@link #featuresUsed()}. */
    public double[][] componentVectors() {
        double[][] vectors = components.vectors();
        double[][] copy = new double[vectors.length][];
        for (int c = 0; c < vectors.length; c++) {
            copy[c] = vectors[c].clone();
        }
        return copy;
    }

    /**
     * Center of the band: the reference's mean held-out row error (cross-fitted; the in-sample chunk mean
     * for a model stored before cross-fitting); NaN without a threshold.
     */
    public double referenceError() {
        return band == null ? Double.NaN : band.center();
    }

    /** {@code s}: the row errors' standard deviation (from the held-out chunks); NaN without a threshold. */
    public double errorSdPerRow() {
        return band == null ? Double.NaN : band.sdPerRow();
    }

    /** Degrees of freedom of {@link #errorSdPerRow()}; NaN without a threshold. */
    public double errorSdDegreesOfFreedom() {
        return band == null ? Double.NaN : band.dof();
    }

    /** Reference chunks the threshold was estimated from. */
    public int chunksUsed() {
        return chunksUsed;
    }

    /** Cross-fitting folds of the threshold; 0 for a model stored before cross-fitting or without threshold. */
    public int folds() {
        return band == null ? 0 : band.folds();
    }

    /** Why the model cannot decide; null when it can. */
    public String reason() {
        return reason;
    }

    byte[] status() {
        return status;
    }

    PcaComponents fitted() {
        return components;
    }

    ReconstructionErrorBand band() {
        return band;
    }

    // ---- serialization ----

    /** The model's bytes ({@link PcaModelCodec}: format 2). */
    public byte[] toBytes() {
        return PcaModelCodec.encode(this);
    }

    /**
     * Reads what {@link #toBytes()} wrote, and the format-1 bytes of earlier versions.
     *
     * @throws IllegalArgumentException naming what is wrong when the bytes are not a valid encoding
     */
    public static PcaReconstructionModel fromBytes(byte[] bytes) {
        return PcaModelCodec.decode(bytes);
    }

    @Override
    public String toString() {
        return "PcaReconstructionModel[" + (reason == null ? method() : "not usable: " + reason) + "]";
    }
}
