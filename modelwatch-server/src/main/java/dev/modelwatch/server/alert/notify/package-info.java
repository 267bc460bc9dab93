/**
 * Notification delivery, as Alertmanager's {@code notify}: the {@link
 * dev.modelwatch.server.alert.notify.Notifier} interface every integration implements
 * ({@code send(Notification) -> NotifyResult}, with a {@code retryable} flag), the
 * {@link dev.modelwatch.server.alert.notify.RetryPolicy} (exponential backoff with full jitter) that the
 * outbox's delivery loop applies to results, and what integrations share: secrets read from the environment
 * ({@link dev.modelwatch.server.alert.notify.Secret}, {@link dev.modelwatch.server.alert.notify.Redactor}),
 * endpoint URLs, an HTTP POST with time-outs and classification
 * ({@link dev.modelwatch.server.alert.notify.HttpDelivery}), chat robots' JSON answers.
 *
 * <p>Sub-packages: {@code template} (the message template language over
 * {@link dev.modelwatch.server.alert.notify.template.TemplateData}), one per integration
 * ({@code webhook}, {@code email}, {@code dingtalk}, {@code wecom}, {@code feishu}, {@code slack}:
 * each a config record with its {@code parse} and a notifier), and {@code receiver}
 * ({@code ReceiverConfig.parse} for the {@code receivers:} section, {@code Notifiers.forReceiver}).
 *
 * <p>Dependencies point one way: {@code dispatch} (the {@code Notification}) ← {@code notify} ←
 * {@code notify.template} ← integrations ← {@code notify.receiver}. Nothing here keeps state
 * between sends: the outbox and its delivery loop, which send through the notifiers and ask
 * {@code RetryPolicy.decide} when to try again, live in {@code alert.delivery}.
 */
package dev.modelwatch.server.alert.notify;
