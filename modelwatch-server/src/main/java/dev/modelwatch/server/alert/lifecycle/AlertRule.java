package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.Expr;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.ValueType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Prometheus-style alerting rule: a name, a {@link RuleExpression}, how long a breach must hold
 * before the alert fires ({@code for}), how long it keeps firing after the breach clears
 * ({@code keep_firing_for}), labels and annotation templates, and what to do on missing data and on
 * evaluation errors. Immutable, validated at construction; {@link AlertLifecycle} runs it.
 *
 * <p><b>What is a breach.</b> Two kinds of condition:
 * <ul>
 *   <li>a filter ({@code accuracy{model="fraud"} < 0.8}), as Prometheus: every series the expression
 *       returns is breaching with its value; a series not returned is clear;</li>
 *   <li>a {@code bool} comparison ({@code accuracy < bool 0.8}), as Grafana's conditions: a returned
 *       1 is a breach, 0 is clear (the series exists), NaN or a series that stopped being returned is
 *       no data ({@link NoDataState}). {@code $value} is then 0 or 1: use a filter when annotations
 *       need the measured value.</li>
 * </ul>
 *
 * <p><b>Alert labels</b> of a result series: its labels without {@code __name__}, then the rule's
 * labels (templates expanded; an empty result removes the label), then {@code alertname} = the rule
 * name, as Prometheus. Their {@link AlertFingerprint} identifies the alert instance. A label template
 * that uses {@code $value} gives a new alert for every new value (as in Prometheus): avoid it.
 * {@link #severity()} is the {@code severity} label.
 *
 * <p><b>Defaults</b>: {@code for} 0 (fire at the first breach), {@code keep_firing_for} 0,
 * {@code flap_window} {@value #DEFAULT_FLAP_WINDOW_MS} ms (10 minutes; 0 disables flap damping),
 * {@code no_data_state} {@link NoDataState#NO_DATA}, {@code error_state} {@link ErrorState#KEEP_LAST}.
 *
 * <p>Usage:
 * <pre>{@code
 * AlertRule rule = AlertRule.builder("AccuracyDrop", RuleExpression.parse("accuracy{model=\"fraud\"} < 0.8"))
 *         .forMs(120_000)
 *         .label("severity", "critical")
 *         .annotation("summary", "accuracy of {{ $labels.model }} is {{ $value | printf \"%.3f\" }}")
 *         .build();
 * }</pre>
 */
public record AlertRule(String name, RuleExpression expr, long forMs, long keepFiringForMs, long flapWindowMs,
        Map<String, AnnotationTemplate> labels, Map<String, AnnotationTemplate> annotations, NoDataState noDataState,
        ErrorState errorState) {
    /** Default flap window: an alert that fires again within 10 minutes of its resolution is flapping. */
    public static final long DEFAULT_FLAP_WINDOW_MS = 600_000L;
    /** The label holding the rule name. */
    public static final String ALERT_NAME = "alertname";
    /** The label that marks the rule-level instance raised by an evaluation error. */
    public static final String ALERT_STATE_LABEL = "alertstate";

    /**
     * @throws IllegalArgumentException naming the field: a name that is not a metric name, a null
     *                                  expression, a range-vector expression, a negative duration, a
     *                                  label or annotation name that is not a label name, a label
     *                                  {@code __name__}
     */
    public AlertRule {
        if (name == null || !SeriesLabels.isMetricName(name)) {
            throw new IllegalArgumentException("name '" + name + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        if (expr == null) {
            throw new IllegalArgumentException("expr must not be null");
        }
        if (expr.type() == ValueType.RANGE_VECTOR) {
            throw new IllegalArgumentException("expr must be an instant vector or a scalar, was a range vector");
        }
        requireNonNegative("for", forMs);
        requireNonNegative("keep_firing_for", keepFiringForMs);
        requireNonNegative("flap_window", flapWindowMs);
        labels = checkedNames("labels", labels);
        annotations = checkedNames("annotations", annotations);
        if (labels.containsKey(SeriesLabels.METRIC_NAME)) {
            throw new IllegalArgumentException("labels must not set " + SeriesLabels.METRIC_NAME);
        }
        if (noDataState == null) {
            throw new IllegalArgumentException("noDataState must not be null");
        }
        if (errorState == null) {
            throw new IllegalArgumentException("errorState must not be null");
        }
    }

    private static void requireNonNegative(String field, long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException(field + " must be >= 0 ms, was " + ms);
        }
    }

    private static Map<String, AnnotationTemplate> checkedNames(String field, Map<String, AnnotationTemplate> m) {
        if (m == null) {
            return Map.of();
        }
        Map<String, AnnotationTemplate> out = new TreeMap<>();
        for (Map.Entry<String, AnnotationTemplate> e : m.entrySet()) {
            if (!SeriesLabels.isLabelName(e.getKey())) {
                throw new IllegalArgumentException(field + ": '" + e.getKey() + "' must match [a-zA-Z_][a-zA-Z0-9_]*");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(field + ": template of '" + e.getKey() + "' must not be null");
            }
            out.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    /** A builder with the defaults listed above. */
    public static Builder builder(String name, RuleExpression expr) {
        return new Builder(name, expr);
    }

    /** The {@code severity} label when the rule sets it to a constant, else null. */
    public String severity() {
        AnnotationTemplate t = labels.get("severity");
        return t != null && t.isConstant() ? t.source() : null;
    }

    /**
     * Whether the condition is a {@code bool} comparison, whose result holds every existing series
     * (1 breach, 0 clear), so that a missing series is "no data".
     */
    public boolean reportsEverySeries() {
        Expr root = expr.root();
        return root instanceof Expr.Binary && ((Expr.Binary) root).op().isComparison()
                && ((Expr.Binary) root).returnBool();
    }

    /**
     * For a filter condition ({@code accuracy{model="fraud"} < 0.8}): the expression whose result lists
     * the series that exist (the vector side, here {@code accuracy{model="fraud"}}), for a caller who
     * wants missing data detected with {@link RuleEvaluation#of(java.util.List, java.util.Collection)};
     * null for other expressions.
     */
    public RuleExpression presenceExpression() {
        Expr root = expr.root();
        if (!(root instanceof Expr.Binary)) {
            return null;
        }
        Expr.Binary b = (Expr.Binary) root;
        if (!b.op().isComparison() || b.returnBool()) {
            return null;
        }
        Expr side = b.lhs().type() == ValueType.INSTANT_VECTOR ? b.lhs()
                : b.rhs().type() == ValueType.INSTANT_VECTOR ? b.rhs() : null;
        return side == null ? null : RuleExpression.parse(side.toString());
    }

    /** The alert labels of a result series with {@code value} (see the class comment). */
    public SeriesLabels alertLabels(SeriesLabels seriesLabels, double value) {
        Map<String, String> m = new LinkedHashMap<>(seriesLabels.withoutMetricName().asMap());
        for (Map.Entry<String, AnnotationTemplate> e : labels.entrySet()) {
            m.put(e.getKey(), e.getValue().expand(seriesLabels, value));
        }
        m.put(ALERT_NAME, name);
        return SeriesLabels.of(m);
    }

    /** The labels of the rule-level instance an evaluation error raises ({@link ErrorState}). */
    public SeriesLabels errorLabels() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, AnnotationTemplate> e : labels.entrySet()) {
            if (e.getValue().isConstant()) {
                m.put(e.getKey(), e.getValue().source());
            }
        }
        m.put(ALERT_NAME, name);
        m.put(ALERT_STATE_LABEL, "error");
        return SeriesLabels.of(m);
    }

    /** The annotations of a series with {@code value}, templates expanded. */
    public Map<String, String> expandAnnotations(SeriesLabels seriesLabels, double value) {
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, AnnotationTemplate> e : annotations.entrySet()) {
            m.put(e.getKey(), e.getValue().expand(seriesLabels, value));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Reads one rule of a rule file or of the {@code rules:} section of {@code modelwatch.yml}:
     * {@code alert, expr, for, keep_firing_for, flap_window, labels, annotations, no_data_state,
     * error_state}. Every problem (unknown key, bad duration, expression or template error, ...) is
     * recorded with its path; returns null when there is any.
     */
    public static AlertRule parse(ConfigNode node) {
        int before = node.problems().size();
        if (!node.allowKeys(Set.of("alert", "record", "expr", "for", "keep_firing_for", "flap_window", "labels",
                "annotations", "no_data_state", "error_state"))) {
            if (node.isUnset()) {
                node.problem("a rule must be a mapping with alert and expr");
            }
            return null;
        }
        if (node.get("record").isPresent()) {
            node.get("record").problem("recording rules are not supported; write an alerting rule (alert:)");
            return null;
        }
        String name = node.get("alert").requireString();
        if (name != null && !SeriesLabels.isMetricName(name)) {
            node.get("alert").problem("'" + name + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
            name = null;
        }
        ConfigNode exprNode = node.get("expr");
        String exprText = exprNode.requireString();
        RuleExpression expr = null;
        if (exprText != null) {
            try {
                expr = RuleExpression.parse(exprText);
                if (expr.type() == ValueType.RANGE_VECTOR) {
                    exprNode.problem("must be an instant vector or a scalar, was a range vector");
                    expr = null;
                }
            } catch (IllegalArgumentException e) {
                exprNode.problem(e.getMessage());
            }
        }
        Long forMs = node.get("for").asDurationMs();
        Long keepMs = node.get("keep_firing_for").asDurationMs();
        Long flapMs = node.get("flap_window").asDurationMs();
        Map<String, AnnotationTemplate> labels = templates(node.get("labels"), true);
        Map<String, AnnotationTemplate> annotations = templates(node.get("annotations"), false);
        NoDataState noData = NoDataState.NO_DATA;
        String nd = node.get("no_data_state").asString();
        if (nd != null) {
            noData = NoDataState.ofWireName(nd);
            if (noData == null) {
                node.get("no_data_state").problem("'" + nd + "' must be one of ok, no_data, alerting");
            }
        }
        ErrorState error = ErrorState.KEEP_LAST;
        String es = node.get("error_state").asString();
        if (es != null) {
            error = ErrorState.ofWireName(es);
            if (error == null) {
                node.get("error_state").problem("'" + es + "' must be one of keep_last, error, alerting, ok");
            }
        }
        if (node.problems().size() > before) {
            return null;
        }
        return new AlertRule(name, expr, forMs == null ? 0 : forMs, keepMs == null ? 0 : keepMs,
                flapMs == null ? DEFAULT_FLAP_WINDOW_MS : flapMs, labels, annotations, noData, error);
    }

    private static Map<String, AnnotationTemplate> templates(ConfigNode node, boolean isLabels) {
        Map<String, AnnotationTemplate> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
            ConfigNode v = e.getValue();
            if (!SeriesLabels.isLabelName(e.getKey())) {
                v.problem("'" + e.getKey() + "' is not a valid " + (isLabels ? "label" : "annotation")
                        + " name ([a-zA-Z_][a-zA-Z0-9_]*)");
                continue;
            }
            if (isLabels && e.getKey().equals(SeriesLabels.METRIC_NAME)) {
                v.problem("a rule must not set " + SeriesLabels.METRIC_NAME);
                continue;
            }
            if (v.isUnset()) {
                v.problem("must be a string, was null");
                continue;
            }
            String text = v.asString();
            if (text == null) {
                continue;
            }
            try {
                out.put(e.getKey(), AnnotationTemplate.parse(text));
            } catch (IllegalArgumentException ex) {
                v.problem(ex.getMessage());
            }
        }
        return out;
    }

    /** Builds an {@link AlertRule}; every setter is optional. */
    public static final class Builder {
        private final String name;
        private final RuleExpression expr;
        private long forMs;
        private long keepFiringForMs;
        private long flapWindowMs = DEFAULT_FLAP_WINDOW_MS;
        private final Map<String, AnnotationTemplate> labels = new LinkedHashMap<>();
        private final Map<String, AnnotationTemplate> annotations = new LinkedHashMap<>();
        private NoDataState noDataState = NoDataState.NO_DATA;
        private ErrorState errorState = ErrorState.KEEP_LAST;

        private Builder(String name, RuleExpression expr) {
            this.name = name;
            this.expr = expr;
        }

        /** How long a breach must hold before the alert fires. */
        public Builder forMs(long ms) {
            this.forMs = ms;
            return this;
        }

        /** How long the alert keeps firing after the breach clears. */
        public Builder keepFiringForMs(long ms) {
            this.keepFiringForMs = ms;
            return this;
        }

        /** The flap window; 0 disables flap damping. */
        public Builder flapWindowMs(long ms) {
            this.flapWindowMs = ms;
            return this;
        }

        /** A label (a template). */
        public Builder label(String name, String template) {
            labels.put(name, AnnotationTemplate.parse(template));
            return this;
        }

        /** An annotation template. */
        public Builder annotation(String name, String template) {
            annotations.put(name, AnnotationTemplate.parse(template));
            return this;
        }

        public Builder noDataState(NoDataState s) {
            this.noDataState = s;
            return this;
        }

        public Builder errorState(ErrorState s) {
            this.errorState = s;
            return this;
        }

        public AlertRule build() {
            return new AlertRule(name, expr, forMs, keepFiringForMs, flapWindowMs, labels, annotations, noDataState,
                    errorState);
        }
    }
}
