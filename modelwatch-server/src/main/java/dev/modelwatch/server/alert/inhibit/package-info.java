/**
 * Inhibition rules ({@link dev.modelwatch.server.alert.inhibit.InhibitRule}, Alertmanager's
 * {@code inhibit_rules}) and the {@link dev.modelwatch.server.alert.inhibit.Inhibitor}, a
 * {@link dev.modelwatch.server.alert.dispatch.Muter} over the currently firing alerts.
 */
package dev.modelwatch.server.alert.inhibit;
