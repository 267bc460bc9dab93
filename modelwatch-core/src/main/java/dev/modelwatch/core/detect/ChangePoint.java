package dev.modelwatch.core.detect;

/**
 * The outcome of a change-point test ({@link Cusum}, {@link PageHinkley}) over a window of values.
 *
 * @param statistic  the largest value the test statistic took over the window (0 when it never left 0);
 *                   NaN when the test could not run (then {@code reason} says why)
 * @param threshold  the alarm threshold; a change is detected when {@code statistic > threshold}
 * @param alarmIndex the index into the values array of the first value at which the statistic exceeded
 *                   the threshold, -1 when it never did
 * @param direction  +1 when the first alarm was for an upward change, -1 for a downward one, 0 without alarm
 * @param points     how many (non-NaN) values the test consumed
 * @param reason     null for an ordinary run; otherwise why the statistic is NaN, or which fallback
 *                   gave the standardizing spread
 */
public record ChangePoint(double statistic, double threshold, int alarmIndex, int direction, int points,
        String reason) {
    public ChangePoint {
        if (Double.isNaN(statistic) && reason == null) {
            throw new IllegalArgumentException("reason must be given when statistic is NaN");
        }
        if (alarmIndex < -1) {
            throw new IllegalArgumentException("alarmIndex must be >= -1, was " + alarmIndex);
        }
        if (direction < -1 || direction > 1 || (direction == 0) != (alarmIndex < 0)) {
            throw new IllegalArgumentException("direction must be +-1 with an alarm and 0 without, was " + direction);
        }
    }

    static ChangePoint undefined(double threshold, int points, String reason) {
        return new ChangePoint(Double.NaN, threshold, -1, 0, points, reason);
    }

    /** Whether the statistic exceeded the threshold somewhere in the window. */
    public boolean detected() {
        return alarmIndex >= 0;
    }

    /** 1 when a change was detected, 0 when not, NaN when the test could not run. */
    public double indicator() {
        if (Double.isNaN(statistic)) {
            return Double.NaN;
        }
        return detected() ? 1 : 0;
    }
}
