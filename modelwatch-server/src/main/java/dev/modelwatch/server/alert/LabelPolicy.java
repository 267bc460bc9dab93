package dev.modelwatch.server.alert;

/**
 * When an alert raised on realized performance with part of its labels is decided
 * ({@link ProvisionalAlerts}): once the windows it fired on are labelled at least
 * {@code completeCoverage}, or {@code labelDelayMs} after it fired, whichever comes first.
 * Configured as {@code alerting.label_coverage_complete} and {@code alerting.label_delay}.
 *
 * @param completeCoverage the label coverage from which an alert's windows count as labelled (0 < c <= 1)
 * @param labelDelayMs     how long after firing a provisional alert is decided on the labels there are (> 0)
 */
public record LabelPolicy(double completeCoverage, long labelDelayMs) {
    /** 90% of the predictions labelled, or a day. */
    public static final LabelPolicy DEFAULT = new LabelPolicy(0.9, 86_400_000L);

    public LabelPolicy {
        if (!(completeCoverage > 0 && completeCoverage <= 1)) {
            throw new IllegalArgumentException("label_coverage_complete: must be in (0, 1], was " + completeCoverage);
        }
        if (labelDelayMs <= 0) {
            throw new IllegalArgumentException("label_delay: must be positive, was " + labelDelayMs + " ms");
        }
    }
}
