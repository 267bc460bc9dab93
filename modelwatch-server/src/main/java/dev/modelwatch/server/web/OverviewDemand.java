package dev.modelwatch.server.web;

import java.time.Duration;

/**
 * Whether anyone is using the dashboard's overview: it was asked for within the last {@code idleAfter}
 * (on the server's clock). The overview's background refresh works only then, so that a server nobody
 * looks at spends nothing on it; the first answer after an idle spell builds what changed on demand.
 * A clock that moved backwards since the last answer counts as recent use. Thread-safe.
 */
final class OverviewDemand {
    /** How long after the last answer the overview is still kept up to date in the background. */
    static final Duration DEFAULT_IDLE_AFTER = Duration.ofMinutes(5);

    private final long idleAfterMs;
    private long lastAskedMs;
    private boolean asked;

    OverviewDemand(Duration idleAfter) {
        if (idleAfter.isNegative()) {
            throw new IllegalArgumentException("idleAfter must not be negative, was " + idleAfter);
        }
        this.idleAfterMs = idleAfter.toMillis();
    }

    /** Records that the overview was asked for at {@code nowMs}. */
    synchronized void asked(long nowMs) {
        lastAskedMs = asked ? Math.max(lastAskedMs, nowMs) : nowMs;
        asked = true;
    }

    /** Whether the overview was asked for within the idle limit before {@code nowMs}. */
    synchronized boolean inUse(long nowMs) {
        return asked && nowMs - lastAskedMs <= idleAfterMs;
    }
}
