package dev.modelwatch.server.alert.silence;

import java.util.Locale;

/** Where a silence is in time, as Alertmanager: before its start, between start and end, after its end. */
public enum SilenceState {
    PENDING, ACTIVE, EXPIRED;

    /** As the API writes it: {@code pending active expired}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
