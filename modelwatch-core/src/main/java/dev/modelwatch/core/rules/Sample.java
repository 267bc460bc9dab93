package dev.modelwatch.core.rules;

/**
 * One value of a metric series at a time.
 *
 * @param timestampMs milliseconds since the epoch
 * @param value       the value; NaN is a value (a metric that could not be computed), not a gap
 */
public record Sample(long timestampMs, double value) {
}
