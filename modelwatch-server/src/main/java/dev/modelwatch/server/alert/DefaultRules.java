package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.lifecycle.RuleGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule pack every model gets unless {@code alerting.default_rules: false}: performance against the
 * model's own reference, drift, data quality, errors, latency and traffic. Each rule covers every
 * model (its series carry the {@code model} label), and every training run (the {@code training_problem}
 * series) and is labelled {@code pack="default"}; a rule of
 * the configuration with the same name replaces it. Thresholds and durations are documented in
 * {@code docs/alerting.md}.
 *
 * <p>Every rule that compares a window with its reference asks for a change both large enough to matter
 * (the threshold) and unlikely between two samples of one distribution (its p-value below 0.01, or a
 * drift decision that is already calibrated, see {@code docs/drift.md}): a window of 100 labels is 5
 * points below its reference's accuracy in 12-16% of clean windows, far less often significantly.
 *
 * <p>Realized performance is decided on only once {@value #MIN_LABEL_COVERAGE} of a window's predictions
 * are labelled ({@code label_coverage}); before that the estimate from scores decides. An alert raised
 * on realized performance with fewer than all labels is provisional and confirmed or retracted when they
 * come in ({@link ProvisionalAlerts}). Labels that come windows late leave the newest window unlabelled:
 * {@code ModelLabelledAccuracyDrop} decides on the newest windows whose labels are in
 * ({@link LabelledPerformance}), against the reference or the model's own earlier windows;
 * {@code ModelVersionAccuracyDrop} decides the same per version, against the model's other versions.
 */
public final class DefaultRules {
    /** The label coverage from which the pack's realized-performance rules decide (and the estimate stops). */
    public static final String MIN_LABEL_COVERAGE = "0.05";
    private static final String LABELLED = " and label_coverage >= " + MIN_LABEL_COVERAGE;
    private static final String UNLABELLED = " and label_coverage < " + MIN_LABEL_COVERAGE;

    /** {@code ModelLabelledAccuracyDrop}: the least drop that matters over the pooled labelled windows. */
    public static final String LABELLED_DROP = "0.02";
    /** {@code ModelLabelledAccuracyDrop}: its p-value level, for a pool decided again at every window's close. */
    public static final String LABELLED_LEVEL = "0.0001";
    /** {@code ModelLabelledAccuracyDrop}: its {@code for}, in minutes. */
    public static final int LABELLED_FOR = 10;
    /** {@code ModelFeatureDriftStrong}: the least KS statistic (a shift of about half a standard deviation). */
    public static final String STRONG_KS = "0.2";
    /** {@code ModelFeatureDriftStrong}: its p-value level. */
    public static final String STRONG_LEVEL = "0.000001";

    private DefaultRules() {
    }

    private static Map<String, Object> rule(String name, String expr, String forDuration, String severity,
                                            String summary) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("alert", name);
        r.put("expr", expr);
        r.put("for", forDuration);
        r.put("labels", Map.of("severity", severity, "pack", "default"));
        r.put("annotations", Map.of("summary", summary));
        return r;
    }

    /** The pack as rule definitions, in the configuration file's shape. */
    static List<Map<String, Object>> definitions() {
        List<Map<String, Object>> rules = new ArrayList<>();
        rules.add(rule("ModelAccuracyDrop", "accuracy_drop > 0.05 and accuracy_drop_p_value < 0.01" + LABELLED, "5m", "critical",
                "accuracy of {{ $labels.model }} is {{ $value | printf \"%.3f\" }} below its reference"));
        rules.add(rule("ModelF1Drop", "f1_drop > 0.05 and f1_drop_p_value < 0.01" + LABELLED, "5m", "warning",
                "F1 of {{ $labels.model }} is {{ $value | printf \"%.3f\" }} below its reference"));
        rules.add(rule("ModelRmseIncrease", "rmse_ratio > 1.25 and rmse_ratio_p_value < 0.01" + LABELLED, "5m", "warning",
                "RMSE of {{ $labels.model }} is {{ $value | printf \"%.2f\" }} times its reference's"));
        // labels that come windows late: the newest labelled windows pooled, against the reference or the
        // model's own earlier labelled windows (LabelledPerformance); the level is calibrated for windows
        // decided on at every close (docs/alerting.md)
        rules.add(rule("ModelLabelledAccuracyDrop", "labelled_accuracy_drop > " + LABELLED_DROP
                        + " and labelled_accuracy_drop_p_value < " + LABELLED_LEVEL, LABELLED_FOR + "m", "critical",
                "accuracy of {{ $labels.model }} over its newest labelled windows is {{ $value | printf \"%.3f\" }} "
                        + "below its baseline"));
        // the same decision per version, against the model's other versions (LabelledPerformance.byVersion):
        // a bad version at its share of the traffic; its p-value is adjusted for the versions decided
        rules.add(rule("ModelVersionAccuracyDrop", "version_labelled_accuracy_drop > " + LABELLED_DROP
                        + " and version_labelled_accuracy_drop_p_value < " + LABELLED_LEVEL, LABELLED_FOR + "m", "critical",
                "accuracy of version {{ $labels.version }} of {{ $labels.model }} over its newest labelled windows is "
                        + "{{ $value | printf \"%.3f\" }} below the other versions'"));
        rules.add(rule("ModelEstimatedAccuracyDrop",
                "estimated_accuracy_drop > 0.05 and estimated_accuracy_drop_p_value < 0.01" + UNLABELLED, "10m", "warning",
                "estimated accuracy of {{ $labels.model }} (no labels yet) is {{ $value | printf \"%.3f\" }} below its reference"));
        rules.add(rule("ModelDriftShareHigh", "drift_share > 0.3", "5m", "warning",
                "a share of {{ $value | printf \"%.2f\" }} of the features of {{ $labels.model }} drifted"));
        rules.add(rule("ModelFeatureDrift", "drift_detected == 1", "10m", "warning",
                "feature {{ $labels.feature }} of {{ $labels.model }} drifted from its reference"));
        // a drift episode shorter than ModelFeatureDrift's 10m: a large shift, far beyond chance
        rules.add(rule("ModelFeatureDriftStrong", "drift_ks_statistic > " + STRONG_KS + " and drift_ks_p_value < "
                        + STRONG_LEVEL, "2m", "warning",
                "feature {{ $labels.feature }} of {{ $labels.model }} shifted strongly (KS {{ $value | printf \"%.2f\" }})"));
        rules.add(rule("ModelMultivariateDrift", "multivariate_drift_detected == 1", "10m", "warning",
                "the joint distribution of the features of {{ $labels.model }} changed"));
        rules.add(rule("ModelMissingRateJump", "data_quality_issues{issue=\"missing_rate\"} > 0", "5m", "warning",
                "missing values jumped in {{ $value }} feature(s) of {{ $labels.model }}"));
        rules.add(rule("ModelNewCategories", "data_quality_issues{issue=\"new_category\"} > 0", "5m", "warning",
                "categories not in the reference in {{ $value }} feature(s) of {{ $labels.model }}"));
        rules.add(rule("ModelNonFiniteValues", "data_quality_issues{issue=\"non_finite\"} > 0", "2m", "critical",
                "NaN or infinite values in {{ $value }} feature(s) or outputs of {{ $labels.model }}"));
        rules.add(rule("ModelErrorRateHigh", "error_rate > 0.05", "5m", "critical",
                "a share of {{ $value | printf \"%.3f\" }} of the predictions of {{ $labels.model }} failed"));
        rules.add(rule("ModelLatencyP99High", "latency_p99_ms > 2 * avg_over_time(latency_p99_ms[1h] offset 10m)", "5m",
                "warning", "p99 latency of {{ $labels.model }} is {{ $value }} ms, twice its last hour's"));
        rules.add(rule("ModelTrafficDrop", "avg_over_time(count[10m]) < 0.3 * avg_over_time(count[1h] offset 10m)", "10m",
                "warning", "traffic of {{ $labels.model }} fell below 30% of the hour before"));
        rules.add(rule("ModelNoTraffic", "sum_over_time(count[10m]) == 0", "0s", "critical",
                "no predictions of {{ $labels.model }} for 10 minutes"));
        // a training run's problem is a sample at the time it was found, valued with its step
        rules.add(rule("TrainingRunCritical", "training_problem{severity=\"critical\"} >= 0", "0s", "critical",
                "training run {{ $labels.run }} of {{ $labels.model }}: {{ $labels.kind }} at step {{ $value }} "
                        + "({{ $labels.message }})"));
        rules.add(rule("TrainingRunWarning", "training_problem{severity=\"warning\"} >= 0", "0s", "warning",
                "training run {{ $labels.run }} of {{ $labels.model }}: {{ $labels.kind }} at step {{ $value }} "
                        + "({{ $labels.message }})"));
        return rules;
    }

    /** The pack's rules. */
    public static List<AlertRule> rules() {
        ConfigProblems problems = new ConfigProblems();
        List<AlertRule> rules = RuleGroup.parseRuleList(ConfigNode.root(definitions(), "default_rules", problems));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the default rule pack does not parse: " + problems);
        }
        return rules;
    }

    /** The pack's rules that the configured ones do not replace, then the configured ones. */
    public static List<AlertRule> merge(List<AlertRule> configured) {
        List<AlertRule> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        configured.forEach(r -> names.add(r.name()));
        for (AlertRule r : rules()) {
            if (!names.contains(r.name())) {
                out.add(r);
            }
        }
        out.addAll(configured);
        return out;
    }
}
