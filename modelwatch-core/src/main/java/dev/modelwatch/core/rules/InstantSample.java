package dev.modelwatch.core.rules;

/**
 * One element of an evaluated rule expression: a series' labels and its value at the evaluation time.
 * A scalar result is one sample with {@link SeriesLabels#EMPTY} labels.
 *
 * @param labels the series' labels ({@code __name__} kept or dropped as PromQL does)
 * @param value  the value; NaN where a function or detector could not compute one
 */
public record InstantSample(SeriesLabels labels, double value) {
    public InstantSample {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
    }

    @Override
    public String toString() {
        return labels + " " + Expr.formatNumber(value);
    }
}
