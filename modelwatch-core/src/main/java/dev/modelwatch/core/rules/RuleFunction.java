package dev.modelwatch.core.rules;

import java.util.List;

/**
 * The functions of the rule language, with their parameters and result type. All return an instant
 * vector whose series keep their labels less {@code __name__} (except {@code last_over_time}, which
 * keeps it, and {@code absent}/{@code absent_over_time}, see below). Range functions read the samples
 * of each series in {@code (t - range, t]} and skip a series with no sample there.
 *
 * <p>PromQL functions, with PromQL semantics:
 * <ul>
 *   <li>{@code avg_over_time, sum_over_time, min_over_time, max_over_time, count_over_time,
 *       last_over_time (r)}; sum and avg propagate NaN, min and max ignore NaN unless all are NaN
 *       (as Prometheus), count counts NaN samples.</li>
 *   <li>{@code quantile_over_time(q, r)}: linear interpolation between order statistics at rank
 *       {@code q (n - 1)}; {@code q < 0} gives -Inf, {@code q > 1} +Inf, NaN q gives NaN; NaN samples
 *       sort first, as Prometheus's sort does.</li>
 *   <li>{@code rate, increase (r)} on counters (a decrease is a counter reset: the value before it is
 *       added back) and {@code delta (r)} on gauges: Prometheus's {@code extrapolatedRate}, see
 *       {@link RuleExpression}. A series needs two samples in the range.</li>
 *   <li>{@code absent(v)} / {@code absent_over_time(r)}: empty when the argument has any series;
 *       otherwise one sample of value 1 whose labels are the argument selector's equality matchers
 *       (none when the argument is not a selector).</li>
 *   <li>{@code abs(v)}, {@code clamp_min(v, min)} ({@code max(v, min)}), {@code clamp_max(v, max)}
 *       ({@code min(v, max)}); NaN propagates.</li>
 * </ul>
 * Detector functions (dynamic thresholds, {@link dev.modelwatch.core.detect}); parameters other than
 * the range must be number literals, checked at parse time. The scored value is the last sample in
 * the range and the baseline the samples before it:
 * <ul>
 *   <li>{@code zscore(r)}: {@link dev.modelwatch.core.detect.ZScoreDetector}.</li>
 *   <li>{@code mad_score(r)}, {@code iqr_score(r)}: {@link dev.modelwatch.core.detect.MadDetector}.</li>
 *   <li>{@code ewma_band(r, alpha, k)}: {@link dev.modelwatch.core.detect.EwmaBand}, half-widths
 *       beyond the band, 0 inside, negative below.</li>
 *   <li>{@code cusum(r, k, h)}, {@code page_hinkley(r, delta, lambda)}: 1 when
 *       {@link dev.modelwatch.core.detect.Cusum} / {@link dev.modelwatch.core.detect.PageHinkley}
 *       detect a change point over the whole range, else 0; {@code cusum_statistic(r, k)} and
 *       {@code page_hinkley_statistic(r, delta)} give the largest statistic over the range, so that
 *       {@code cusum(r, k, h) == (cusum_statistic(r, k) > bool h)}.</li>
 *   <li>{@code seasonal_score(name{..}, period, periods)}: {@link dev.modelwatch.core.detect.SeasonalBaseline},
 *       the selector's value now against its values at {@code now - i * period}, {@code i = 1..periods},
 *       each taken with the lookback delta; {@code period} is a duration literal, {@code periods} an
 *       integer literal {@code >= 2}.</li>
 * </ul>
 * A detector that cannot compute a score for a series (too few samples) gives NaN for it; the detector
 * classes say why.
 */
public enum RuleFunction {
    AVG_OVER_TIME("avg_over_time", p("range", Kind.RANGE_VECTOR)),
    MIN_OVER_TIME("min_over_time", p("range", Kind.RANGE_VECTOR)),
    MAX_OVER_TIME("max_over_time", p("range", Kind.RANGE_VECTOR)),
    SUM_OVER_TIME("sum_over_time", p("range", Kind.RANGE_VECTOR)),
    COUNT_OVER_TIME("count_over_time", p("range", Kind.RANGE_VECTOR)),
    LAST_OVER_TIME("last_over_time", p("range", Kind.RANGE_VECTOR)),
    QUANTILE_OVER_TIME("quantile_over_time", p("q", Kind.SCALAR), p("range", Kind.RANGE_VECTOR)),
    RATE("rate", p("range", Kind.RANGE_VECTOR)),
    DELTA("delta", p("range", Kind.RANGE_VECTOR)),
    INCREASE("increase", p("range", Kind.RANGE_VECTOR)),
    ABSENT("absent", p("vector", Kind.INSTANT_VECTOR)),
    ABSENT_OVER_TIME("absent_over_time", p("range", Kind.RANGE_VECTOR)),
    ABS("abs", p("vector", Kind.INSTANT_VECTOR)),
    CLAMP_MIN("clamp_min", p("vector", Kind.INSTANT_VECTOR), p("min", Kind.SCALAR)),
    CLAMP_MAX("clamp_max", p("vector", Kind.INSTANT_VECTOR), p("max", Kind.SCALAR)),
    ZSCORE("zscore", p("range", Kind.RANGE_VECTOR)),
    MAD_SCORE("mad_score", p("range", Kind.RANGE_VECTOR)),
    IQR_SCORE("iqr_score", p("range", Kind.RANGE_VECTOR)),
    EWMA_BAND("ewma_band", p("range", Kind.RANGE_VECTOR), p("alpha", Kind.NUMBER), p("k", Kind.NUMBER)),
    CUSUM("cusum", p("range", Kind.RANGE_VECTOR), p("k", Kind.NUMBER), p("h", Kind.NUMBER)),
    CUSUM_STATISTIC("cusum_statistic", p("range", Kind.RANGE_VECTOR), p("k", Kind.NUMBER)),
    PAGE_HINKLEY("page_hinkley", p("range", Kind.RANGE_VECTOR), p("delta", Kind.NUMBER), p("lambda", Kind.NUMBER)),
    PAGE_HINKLEY_STATISTIC("page_hinkley_statistic", p("range", Kind.RANGE_VECTOR), p("delta", Kind.NUMBER)),
    SEASONAL_SCORE("seasonal_score", p("selector", Kind.SELECTOR), p("period", Kind.DURATION),
            p("periods", Kind.NUMBER));

    /** What an argument must be. */
    public enum Kind {
        /** Any expression of type range vector. */
        RANGE_VECTOR("a range vector"),
        /** Any expression of type instant vector. */
        INSTANT_VECTOR("an instant vector"),
        /** Any expression of type scalar. */
        SCALAR("a scalar"),
        /** A number literal (possibly negative), checked at parse time. */
        NUMBER("a number literal"),
        /** A duration literal such as {@code 1d}. */
        DURATION("a duration such as 1d"),
        /** An instant vector selector {@code name{...}}, possibly with offset. */
        SELECTOR("a vector selector name{...}");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** One parameter: its name (for messages) and what it must be. */
    public record Param(String name, Kind kind) {
    }

    private final String functionName;
    private final List<Param> params;

    RuleFunction(String functionName, Param... params) {
        this.functionName = functionName;
        this.params = List.of(params);
    }

    private static Param p(String name, Kind kind) {
        return new Param(name, kind);
    }

    /** The name as written in expressions. */
    public String functionName() {
        return functionName;
    }

    public List<Param> params() {
        return params;
    }

    /** The function called {@code name}, or null. */
    public static RuleFunction byName(String name) {
        for (RuleFunction f : values()) {
            if (f.functionName.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
