package dev.modelwatch.bench.micro;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.DefaultRules;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Rule evaluation: one pass of every rule of the default pack ({@link DefaultRules}) at one
 * time over the series of {@code models} models, each series with a sample a minute over the last
 * two hours (the longest range the pack reads is {@code [1h] offset 10m}); per model 20 features'
 * {@code drift_detected} series, one {@code data_quality_issues} series per issue kind, and one series
 * per other metric the pack reads. The series are held in memory and sliced to each selector's range
 * (copied, as a store's answer is), so the time is the evaluator's and the selection's, not a
 * database's.
 */
public class RuleEvaluationBenchmark extends HotPathBenchmark {
    /** Models whose series the pack reads, each with its own series of every metric. */
    @Param({"10", "1000"})
    public int models;

    static final long STEP_MS = 60_000;
    static final int SAMPLES = 120;
    static final String[] MODEL_METRICS = {"accuracy_drop", "accuracy_drop_p_value", "f1_drop", "f1_drop_p_value",
        "rmse_ratio", "rmse_ratio_p_value", "estimated_accuracy_drop", "estimated_accuracy_drop_p_value",
        "drift_share", "multivariate_drift_detected", "error_rate", "latency_p99_ms", "count"};
    static final String[] QUALITY_ISSUES = {"missing_rate", "non_finite", "out_of_range", "new_category"};
    static final int FEATURES = 20;

    private List<AlertRule> rules;
    private SeriesSource source;
    private long now;

    @Setup
    public void setUp() {
        rules = DefaultRules.rules();
        now = MicroInputs.NOW_MS;
        Map<String, List<RangeSeries>> byMetric = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int m = 0; m < models; m++) {
            String model = "model-" + m;
            for (String metric : MODEL_METRICS) {
                add(byMetric, SeriesLabels.of(SeriesLabels.METRIC_NAME, metric, "model", model), random);
            }
            for (String issue : QUALITY_ISSUES) {
                add(byMetric, SeriesLabels.of(SeriesLabels.METRIC_NAME, "data_quality_issues", "model", model,
                        "issue", issue), random);
            }
            for (int f = 0; f < FEATURES; f++) {
                add(byMetric, SeriesLabels.of(SeriesLabels.METRIC_NAME, "drift_detected", "model", model,
                        "feature", "f" + f), random);
            }
        }
        source = (metricName, matchers, fromMsExclusive, toMsInclusive) -> {
            List<RangeSeries> out = new ArrayList<>();
            for (RangeSeries s : byMetric.getOrDefault(metricName, List.of())) {
                boolean all = true;
                for (LabelMatcher matcher : matchers) {
                    all &= matcher.matches(s.labels());
                }
                int from = s.firstAfter(fromMsExclusive);
                int to = s.firstAfter(toMsInclusive);
                if (all && from < to) {
                    out.add(new RangeSeries(s.labels(), Arrays.copyOfRange(s.timestampsMs(), from, to),
                            Arrays.copyOfRange(s.values(), from, to)));
                }
            }
            return out;
        };
        if (rules.stream().allMatch(r -> r.expr().evaluate(source, now).isEmpty())) {
            throw new IllegalStateException("no rule of the default pack selects the generated series");
        }
    }

    private void add(Map<String, List<RangeSeries>> byMetric, SeriesLabels labels, SplittableRandom random) {
        long[] times = new long[SAMPLES];
        double[] values = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            times[i] = now - (SAMPLES - 1 - i) * STEP_MS;
            values[i] = random.nextDouble();
        }
        byMetric.computeIfAbsent(labels.metricName(), k -> new ArrayList<>()).add(new RangeSeries(labels, times, values));
    }

    /** One pass: every rule of the pack evaluated once. */
    @Benchmark
    public void evaluatePack(Blackhole sink) {
        for (AlertRule rule : rules) {
            List<InstantSample> result = rule.expr().evaluate(source, now);
            sink.consume(result);
        }
    }
}
