/**
 * Anomaly and change-point detectors over a window of metric values, usable on their own and behind
 * the rule language's detector functions ({@code zscore}, {@code mad_score}, {@code ewma_band},
 * {@code cusum}, {@code page_hinkley}, {@code seasonal_score} in {@link dev.modelwatch.core.rules}).
 *
 * <p>Scores of one value against a {@link dev.modelwatch.core.detect.Baseline} estimated from past
 * values, as an {@link dev.modelwatch.core.detect.AnomalyScore}:
 * {@link dev.modelwatch.core.detect.ZScoreDetector} (mean, standard deviation),
 * {@link dev.modelwatch.core.detect.MadDetector} (median with scaled MAD or IQR),
 * {@link dev.modelwatch.core.detect.EwmaBand} (exponentially weighted band) and
 * {@link dev.modelwatch.core.detect.SeasonalBaseline} (the same time in previous periods).
 * Change-point tests over a window, as a {@link dev.modelwatch.core.detect.ChangePoint}:
 * {@link dev.modelwatch.core.detect.Cusum} (tabular CUSUM on standardized values) and
 * {@link dev.modelwatch.core.detect.PageHinkley}.
 *
 * <p>Common conventions: windows are {@code values[from, to)} of a caller's array (nothing is copied
 * where no sorting is needed); NaN values are missing measurements and are skipped; a score or
 * statistic that cannot be computed (too few values, infinite values) is NaN with a reason, never
 * invented; zero spread is reported as such, never replaced by an arbitrary epsilon. Each class states
 * its formula, its references, the fewest values it needs and its zero-spread treatment. The tests
 * check them against numpy/scipy fixtures ({@code src/test/resources/fixtures/detect}) and independent
 * formulations.
 */
package dev.modelwatch.core.detect;
