/**
 * Delivery of the notification outbox: one {@link dev.modelwatch.server.alert.delivery.DeliveryQueue}
 * per receiver integration, each on its own worker, so that a slow or dead receiver never delays
 * another; per group the newest notification supersedes older undelivered ones; retries follow the
 * {@link dev.modelwatch.server.alert.notify.RetryPolicy}.
 */
package dev.modelwatch.server.alert.delivery;
