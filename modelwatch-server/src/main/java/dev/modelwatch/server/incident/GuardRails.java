package dev.modelwatch.server.incident;

import dev.modelwatch.server.time.Times;
import java.util.List;

/**
 * Whether an action may run by itself now: its cool-down since the last run and its daily maximum.
 * Pure: the earlier runs and the time are arguments. (The cause's score threshold and the dry run
 * are applied by {@link Incidents} before.)
 */
final class GuardRails {
    static final long DAY_MS = 86_400_000L;

    private GuardRails() {
    }

    /**
     * Null when {@code action} may run at {@code nowMs}, else why not, in words.
     *
     * @param runsMs when the action ran for the model before (runs that were not dry runs), any order
     */
    static String refusal(ActionConfig action, List<Long> runsMs, long nowMs) {
        long last = Long.MIN_VALUE;
        int inDay = 0;
        for (long t : runsMs) {
            last = Math.max(last, t);
            if (t > nowMs - DAY_MS && t <= nowMs) {
                inDay++;
            }
        }
        long cooldown = action.cooldown().toMillis();
        if (last != Long.MIN_VALUE && nowMs < last + cooldown) {
            return "cool-down: it last ran at " + Times.format(last) + ", it may run again from "
                    + Times.format(last + cooldown);
        }
        if (inDay >= action.maxPerDay()) {
            return "daily maximum: it ran " + inDay + " times in the last 24 hours (max_per_day "
                    + action.maxPerDay() + ")";
        }
        return null;
    }
}
