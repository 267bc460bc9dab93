/**
 * The alert rule expression language: a PromQL subset with detector functions, parsed once into a
 * type-checked tree ({@link dev.modelwatch.core.rules.RuleExpression}, {@link dev.modelwatch.core.rules.Expr})
 * and evaluated at a time over the series a {@link dev.modelwatch.core.rules.SeriesSource} selects
 * (the server implements it over the metric store) into an instant vector of
 * {@link dev.modelwatch.core.rules.InstantSample}s.
 *
 * <p>Series model: {@link dev.modelwatch.core.rules.SeriesLabels} (sorted labels with {@code __name__}),
 * {@link dev.modelwatch.core.rules.Sample}, {@link dev.modelwatch.core.rules.RangeSeries} (parallel
 * arrays), {@link dev.modelwatch.core.rules.LabelMatcher} ({@code = != =~ !~}).
 *
 * <p>Example rules:
 * <pre>
 *   accuracy{model="fraud"} &lt; 0.9
 *   avg by (model) (avg_over_time(latency_p95_ms[15m])) &gt; 250
 *   absent_over_time(count{model="fraud"}[30m])
 *   abs(mad_score(feature_mean{model="fraud", feature="amount"}[6h])) &gt; 3.5
 *   cusum(accuracy{model="fraud"}[12h], 0.5, 10) == 1
 *   seasonal_score(throughput_per_s{model="fraud"}, 1d, 7) &lt; -3
 * </pre>
 */
package dev.modelwatch.core.rules;
