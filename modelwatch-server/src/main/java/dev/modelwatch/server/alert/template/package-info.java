/**
 * The server's one template engine, {@link dev.modelwatch.server.alert.template.GoTemplate}: the subset
 * of Go's {@code text/template} that Prometheus rule annotations and Alertmanager notification
 * templates use, type-checked against a {@link dev.modelwatch.server.alert.template.TemplateType}
 * schema when parsed, with Go's {@code printf} ({@link dev.modelwatch.server.alert.template.GoFormat}).
 * It depends on nothing else in {@code alert}: {@code lifecycle.AnnotationTemplate} and
 * {@code notify.template.MessageTemplate} bind it to their data.
 */
package dev.modelwatch.server.alert.template;
