package dev.modelwatch.core.rules;

import java.util.List;

/**
 * A parsed, type-checked alert rule expression in a PromQL subset, evaluated at a time against a
 * {@link SeriesSource}. Parse once, evaluate many times: the object is immutable and thread-safe.
 *
 * <p><b>Language</b> (PromQL semantics unless stated):
 * <ul>
 *   <li>Literals: numbers ({@code 0.9}, {@code 1e-3}, {@code NaN}, {@code Inf}), durations
 *       ({@code 500ms 30s 5m 1h 1d 1w}, compound {@code 1h30m}).</li>
 *   <li>Selectors: {@code name{label="v", label!="v", label=~"re", label!~"re"}} (regexes fully
 *       anchored, see {@link LabelMatcher}), ranges {@code name{..}[5m]}, {@code offset 1h}.</li>
 *   <li>Operators, loosest first: {@code or}; {@code and unless}; {@code == != < > <= >=};
 *       {@code + -}; {@code * / %}; unary {@code -}; {@code ^} (right-associative). Comparisons
 *       filter (keeping the vector's value and {@code __name__}), or with {@code bool} return 0/1.
 *       Between two vectors, series match one-to-one on all labels but {@code __name__}, or on
 *       {@code on(l, ..)} / all but {@code ignoring(l, ..)}; many-to-one matching is refused
 *       ({@code group_left} at parse time, duplicate match groups at evaluation, with
 *       {@link RuleEvaluationException}).</li>
 *   <li>Aggregations {@code sum avg min max count}, {@code by (..)} / {@code without (..)} before or
 *       after the operand.</li>
 *   <li>Functions: see {@link RuleFunction}.</li>
 * </ul>
 * Types are checked at parse time ({@link ValueType}); every error is a {@link RuleParseException}
 * with the 1-based column. The normalised form of the tree is {@link #toString()}.
 *
 * <p><b>Evaluation</b> at time {@code t}:
 * <ul>
 *   <li>An instant selector takes each series' latest sample in {@code (t - offset - lookbackDelta,
 *       t - offset]}; a series with none there is stale and left out (default lookback 5 minutes,
 *       as Prometheus; there are no staleness markers).</li>
 *   <li>A range selector takes the samples in {@code (t - offset - range, t - offset]}.</li>
 *   <li>{@code rate}, {@code increase}, {@code delta} follow Prometheus 3's {@code extrapolatedRate}
 *       exactly: counter resets (any decrease) add the value before the reset back; the sampled
 *       interval between the first and last sample is extrapolated to each end of the range when the
 *       gap to it is under 1.1 average sample intervals, otherwise by half an average interval, and
 *       for counters never to before the counter's zero point; {@code rate} divides by the range in
 *       seconds. No native histograms.</li>
 *   <li>NaN: arithmetic propagates it; every comparison with NaN is false except {@code !=}, so
 *       filters drop NaN; {@code sum}/{@code avg} propagate it, {@code min}/{@code max} ignore it
 *       unless every value is NaN.</li>
 *   <li>Labels: arithmetic, negation, {@code bool} comparisons, aggregations and functions (except
 *       {@code last_over_time}) drop {@code __name__}; filtering comparisons and set operators keep
 *       the left side's labels; {@code on(..)} keeps only the listed labels on the result, as
 *       Prometheus. A result holding two series with the same labels is an error.</li>
 * </ul>
 * The result is an instant vector sorted by labels; a scalar expression gives one sample with empty
 * labels.
 *
 * <p>Usage:
 * <pre>{@code
 * RuleExpression rule = RuleExpression.parse("accuracy{model=\"fraud\"} < 0.9");
 * List<InstantSample> firing = rule.evaluate(store, nowMs, RuleExpression.DEFAULT_LOOKBACK_DELTA_MS);
 * }</pre>
 */
public final class RuleExpression {
    /** Prometheus's default lookback delta: 5 minutes. */
    public static final long DEFAULT_LOOKBACK_DELTA_MS = 300_000L;

    private final String text;
    private final Expr root;

    private RuleExpression(String text, Expr root) {
        this.text = text;
        this.root = root;
    }

    /**
     * Parses and type-checks {@code text}.
     *
     * @throws RuleParseException with the reason and column of the first error
     */
    public static RuleExpression parse(String text) {
        return new RuleExpression(text, RuleParser.parse(text));
    }

    /** The text as given. */
    public String text() {
        return text;
    }

    /** The syntax tree. */
    public Expr root() {
        return root;
    }

    /** Scalar or instant vector. */
    public ValueType type() {
        return root.type();
    }

    /**
     * The value of the expression at {@code evalTimeMs}.
     *
     * @param lookbackDeltaMs how far back an instant selector looks for a series' latest sample, {@code > 0}
     * @return the samples sorted by labels (unmodifiable); for a scalar expression one sample with no labels
     * @throws RuleEvaluationException when vector matching is many-to-one on the selected data
     */
    public List<InstantSample> evaluate(SeriesSource source, long evalTimeMs, long lookbackDeltaMs) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        if (lookbackDeltaMs <= 0) {
            throw new IllegalArgumentException("lookbackDeltaMs must be > 0, was " + lookbackDeltaMs);
        }
        return new Evaluator(source, evalTimeMs, lookbackDeltaMs).evaluate(root);
    }

    /** {@link #evaluate(SeriesSource, long, long)} with the default lookback delta of 5 minutes. */
    public List<InstantSample> evaluate(SeriesSource source, long evalTimeMs) {
        return evaluate(source, evalTimeMs, DEFAULT_LOOKBACK_DELTA_MS);
    }

    /** The normalised form (see {@link Expr}). */
    @Override
    public String toString() {
        return root.toString();
    }
}
