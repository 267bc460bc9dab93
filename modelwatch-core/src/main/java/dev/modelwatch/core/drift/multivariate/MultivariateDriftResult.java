package dev.modelwatch.core.drift.multivariate;

import java.util.List;

/**
 * The multivariate drift of one window against a reference, by PCA reconstruction error
 * ({@link PcaReconstructionModel#evaluate}).
 *
 * <p>When the result cannot be computed, {@code reason} says why (the model could not be fitted, the
 * window has no rows, or fewer rows than the threshold needs: the reason says how many), {@code drifted}
 * is null and the numbers that could not be computed are NaN; {@code reconstructionError} is still
 * given whenever the components were fitted and the window has rows (e.g. too few rows for the
 * threshold, or too few reference chunks to fit one).
 *
 * @param reconstructionError the window's mean squared reconstruction error in the reference's
 *                            standardized space, {@code (1/n) sum_rows ||(I - V V^T) z||^2}
 * @param referenceError      the same over the reference chunks (row-weighted mean of the chunks'
 *                            errors): the center of the band
 * @param lower               lower end of the band for this window's row count, {@code >= 0}
 * @param upper               upper end of the band for this window's row count
 * @param drifted             whether the error lies outside {@code [lower, upper]}; null when not computed
 * @param components          principal components kept (0 when the model could not be fitted)
 * @param featuresUsed        the features the model standardizes and projects (zero-variance ones dropped)
 * @param rows                the window's row count n
 * @param method              how the numbers were computed, in words, with the model's parameters
 * @param reason              why the drift could not be decided; null when {@code drifted} is set
 */
public record MultivariateDriftResult(double reconstructionError, double referenceError, double lower, double upper,
        Boolean drifted, int components, List<String> featuresUsed, long rows, String method, String reason) {
    public MultivariateDriftResult {
        featuresUsed = List.copyOf(featuresUsed);
        if (method == null || method.isEmpty()) {
            throw new IllegalArgumentException("method must describe the computation");
        }
        if (components < 0) {
            throw new IllegalArgumentException("components must be >= 0, was " + components);
        }
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, was " + rows);
        }
        if (drifted == null) {
            if (reason == null || reason.isEmpty()) {
                throw new IllegalArgumentException("reason must say why drifted is not computed");
            }
        } else {
            if (reason != null) {
                throw new IllegalArgumentException("reason must be null when drifted is computed, was: " + reason);
            }
            if (!(reconstructionError >= 0) || !(lower >= 0) || !(upper >= lower)) {
                throw new IllegalArgumentException("a computed result needs reconstructionError >= 0 and "
                        + "0 <= lower <= upper, had " + reconstructionError + ", [" + lower + ", " + upper + "]");
            }
        }
    }

    /** Whether the drift was decided ({@code drifted} is not null). */
    public boolean computed() {
        return drifted != null;
    }
}
