package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.SeriesLabels;

/**
 * Decides whether an alert is muted (silenced, inhibited) at a time: the one question the
 * {@link Dispatcher} asks before grouping, as Alertmanager's {@code notify.Muter}. A muted alert is
 * dropped before grouping (and counted); it is not notified, neither firing nor resolved.
 *
 * <p>Implementations: {@code silence.Silencer}, {@code inhibit.Inhibitor}.
 */
@FunctionalInterface
public interface Muter {
    /** Mutes nothing. */
    Muter NONE = (labels, nowMs) -> false;

    /** Whether an alert with these labels is muted at {@code nowMs}. */
    boolean mutes(SeriesLabels alertLabels, long nowMs);
}
