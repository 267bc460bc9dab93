/**
 * Receivers: the {@code receivers:} section of the configuration file read into
 * {@link dev.modelwatch.server.alert.notify.receiver.ReceiverConfig}s (every problem at once, with its
 * path; secrets from the environment), and the factory of a receiver's notifiers
 * ({@link dev.modelwatch.server.alert.notify.receiver.Notifiers#forReceiver}).
 */
package dev.modelwatch.server.alert.notify.receiver;
