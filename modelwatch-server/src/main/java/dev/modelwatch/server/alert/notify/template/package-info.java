/**
 * The message template language of notifications (a type-checked subset of Go's
 * {@code text/template}, as Alertmanager users write it), the data templates see
 * ({@link dev.modelwatch.server.alert.notify.template.TemplateData}, Alertmanager's
 * {@code template.Data}), each channel's escaping, and the default messages.
 */
package dev.modelwatch.server.alert.notify.template;
