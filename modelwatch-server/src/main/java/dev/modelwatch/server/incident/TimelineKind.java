package dev.modelwatch.server.incident;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a {@link TimelineEntry} records. */
public enum TimelineKind {
    /** The incident opened (its first alert fired). */
    OPENED,
    /** An alert of the incident started firing (a new episode). */
    ALERT_FIRING,
    /** An alert of the incident resolved. */
    ALERT_RESOLVED,
    /** All its alerts resolved. */
    RESOLVED,
    /** An alert of the model fired within {@code incidents.reopen_within} of the resolution. */
    REOPENED,
    /** Someone acknowledged one of its alerts. */
    ACKNOWLEDGED,
    /** A person's note. */
    NOTE,
    /** The owner changed. */
    OWNER,
    /** A remediation action: requested, run, dry run, skipped by a guard rail, or its outcome. */
    ACTION,
    /** The diagnosis changed (or could not be computed). */
    DIAGNOSIS;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TimelineKind ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
