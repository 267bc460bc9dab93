package dev.modelwatch.core.training;

/**
 * A pathology a detector found in a training run.
 *
 * @param kind     what was found: {@code nan_loss}, {@code nan_gradient}, {@code divergence}, {@code plateau},
 *                 {@code overfitting}, {@code exploding_gradients}, {@code vanishing_gradients},
 *                 {@code update_ratio}, {@code dead_relu}, {@code saturated_activations},
 *                 {@code lr_oscillation}, {@code slow_steps}, {@code memory_growth}, {@code stalled}
 * @param severity {@code critical} (the run is wasting its resources: stop it) or {@code warning}
 * @param step     the step at which it was found
 * @param metric   the metric that shows it (e.g. {@code loss}, {@code grad_norm/fc1})
 * @param value    the value of the detector's statistic at that step
 * @param message  what happened, in words, with the numbers that show it
 * @param atMs     when: the time of the event that showed it (for {@code stalled}, when the stall was
 *                 noticed); 0 while not yet known
 */
public record TrainingProblem(String kind, String severity, long step, String metric, double value, String message,
                              long atMs) {
    public static final String CRITICAL = "critical";
    public static final String WARNING = "warning";

    /** A problem whose time is not yet known (see {@link #at}). */
    public TrainingProblem(String kind, String severity, long step, String metric, double value, String message) {
        this(kind, severity, step, metric, value, message, 0);
    }

    /** This problem, found at {@code ms}. */
    public TrainingProblem at(long ms) {
        return new TrainingProblem(kind, severity, step, metric, value, message, ms);
    }

    public TrainingProblem {
        if (kind == null || metric == null || message == null) {
            throw new IllegalArgumentException("kind, metric and message are required");
        }
        if (!CRITICAL.equals(severity) && !WARNING.equals(severity)) {
            throw new IllegalArgumentException("severity: must be critical or warning, got " + severity);
        }
    }
}
