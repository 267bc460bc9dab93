package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.template.GoTemplate;
import dev.modelwatch.server.alert.template.TemplateSyntaxException;
import dev.modelwatch.server.alert.template.TemplateType;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An alert label or annotation value as Prometheus rule files write it: a Go template
 * ({@link GoTemplate}, the server's one template engine) over the result series, parsed and checked
 * when the rule is loaded and expanded for each alert instance.
 *
 * <p>The root value has {@code .Labels} (a label map; a missing label is "", as Prometheus's string
 * map) and {@code .Value} (a float), also as the variables {@code $labels} and {@code $value}:
 * {@code {{ $labels.model }}}, {@code {{ $value }}} (Go's {@code %v} of a float64: {@code 0.7},
 * {@code 1e+06}, {@code NaN}), {@code {{ $value | printf "%.3f" }}},
 * {@code {{ printf "%s is %.1f%%" $labels.model $value }}}, {@code {{ index $labels "my-label" }}},
 * {@code {{ if gt $value 0.5 }}high{{ else }}low{{ end }}}, and the rest of the language described at
 * {@link GoTemplate}. Prometheus's {@code humanize} functions and {@code $externalLabels} are not
 * offered. A template that does not parse is an {@link IllegalArgumentException}
 * {@code template "...": REASON at column N} ({@code at line L, column N} past the first line).
 *
 * <p>Immutable; equal when the source text is equal.
 *
 * <p>Usage:
 * <pre>{@code
 * AnnotationTemplate t = AnnotationTemplate.parse("accuracy of {{ $labels.model }} is {{ $value | printf \"%.3f\" }}");
 * t.expand(SeriesLabels.of("model", "fraud"), 0.71234);   // "accuracy of fraud is 0.712"
 * }</pre>
 */
public final class AnnotationTemplate {
    /** The value a template is expanded over. */
    private record Series(Map<String, String> labels, double value) {
    }

    private static final TemplateType SERIES = TemplateType.struct("the alert's series")
            .field("Labels", TemplateType.LABELS, s -> ((Series) s).labels())
            .field("Value", TemplateType.FLOAT, s -> ((Series) s).value())
            .variable("labels", TemplateType.LABELS, s -> ((Series) s).labels())
            .variable("value", TemplateType.FLOAT, s -> ((Series) s).value());

    private final GoTemplate template;

    private AnnotationTemplate(GoTemplate template) {
        this.template = template;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException with the reason and the 1-based column of the first problem
     */
    public static AnnotationTemplate parse(String source) {
        if (source == null) {
            throw new IllegalArgumentException("template must not be null");
        }
        try {
            return new AnnotationTemplate(GoTemplate.parse(source, SERIES));
        } catch (TemplateSyntaxException e) {
            throw new IllegalArgumentException("template \"" + source + "\": " + e.reason() + " at "
                    + (e.line() > 1 ? "line " + e.line() + ", " : "") + "column " + e.column(), e);
        }
    }

    /** The text as written. */
    public String source() {
        return template.source();
    }

    /** Whether the template has no actions (it expands to itself). */
    public boolean isConstant() {
        return template.isConstant();
    }

    /** The text for a series with {@code labels} and {@code value}. */
    public String expand(SeriesLabels labels, double value) {
        return template.render(new Series(labels.asMap(), value), UnaryOperator.identity());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnnotationTemplate && ((AnnotationTemplate) o).template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    @Override
    public String toString() {
        return template.source();
    }
}
