package dev.modelwatch.server.alert.notify;

/**
 * What {@link RetryPolicy#decide} tells the delivery loop after an attempt.
 *
 * @param action          what to do
 * @param nextAttemptAtMs when to try again (epoch milliseconds); -1 unless {@link Action#RETRY}
 * @param reason          why (for the delivery log): the last error, or why the loop gives up
 */
public record RetryDecision(Action action, long nextAttemptAtMs, String reason) {
    /** The three outcomes. */
    public enum Action {
        /** Delivered: forget it. */
        DELIVERED,
        /** Try again at {@link #nextAttemptAtMs}. */
        RETRY,
        /** Stop trying: the failure is permanent, or attempts or age ran out. */
        GIVE_UP
    }

    public RetryDecision {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
        if ((action == Action.RETRY) != (nextAttemptAtMs >= 0)) {
            throw new IllegalArgumentException("nextAttemptAtMs must be set exactly when the action is RETRY");
        }
    }

    static RetryDecision delivered() {
        return new RetryDecision(Action.DELIVERED, -1, null);
    }

    static RetryDecision retryAt(long atMs, String reason) {
        return new RetryDecision(Action.RETRY, atMs, reason);
    }

    static RetryDecision giveUp(String reason) {
        return new RetryDecision(Action.GIVE_UP, -1, reason);
    }
}
