/**
 * The alert lifecycle: alerting rules ({@link dev.modelwatch.server.alert.lifecycle.AlertRule}, read
 * from rule files by {@link dev.modelwatch.server.alert.lifecycle.RuleGroup}) and the pure state
 * machine that turns each evaluation of a rule into alert instance states and transitions
 * ({@link dev.modelwatch.server.alert.lifecycle.AlertLifecycle}: inactive, pending, firing, resolved,
 * no data, error; {@code for}, {@code keep_firing_for}, flap damping, acknowledgements).
 *
 * <p>Pure logic: the time is an argument, the state an immutable value
 * ({@link dev.modelwatch.server.alert.lifecycle.RuleState}) stored exactly as a Jackson record
 * ({@link dev.modelwatch.server.alert.lifecycle.StoredRuleState}). Also home of what the alert
 * packages share: the alert {@link dev.modelwatch.server.alert.lifecycle.AlertFingerprint}, configuration reading with
 * every problem reported by path ({@link dev.modelwatch.server.alert.lifecycle.ConfigNode},
 * {@link dev.modelwatch.server.alert.lifecycle.ConfigProblems}) and the conventions of the stored
 * documents ({@link dev.modelwatch.server.alert.lifecycle.StoredValues}).
 *
 * <p>Dependencies point one way: {@code lifecycle} ← {@code dispatch} ← {@code silence},
 * {@code inhibit}.
 */
package dev.modelwatch.server.alert.lifecycle;
