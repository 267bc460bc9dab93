/**
 * Silences ({@link dev.modelwatch.server.alert.silence.Silence}: matchers and a time range, validated
 * as Alertmanager does) and the {@link dev.modelwatch.server.alert.silence.Silencer}, a
 * {@link dev.modelwatch.server.alert.dispatch.Muter} that also counts the distinct alerts each silence
 * muted ({@link dev.modelwatch.server.alert.silence.SilenceCounts}).
 */
package dev.modelwatch.server.alert.silence;
