/**
 * Notification message templates ({@link dev.modelwatch.server.alert.notify.template.MessageTemplate}:
 * the server's template engine, {@code alert.template.GoTemplate}, bound to the notification), the
 * data templates see
 * ({@link dev.modelwatch.server.alert.notify.template.TemplateData}, Alertmanager's
 * {@code template.Data}), each channel's escaping, and the default messages.
 */
package dev.modelwatch.server.alert.notify.template;
