package dev.modelwatch.server.incident;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** An incident is open while any of its alerts fires, resolved when all of them resolved. */
public enum IncidentState {
    OPEN, RESOLVED;

    /** {@code open} or {@code resolved}, as the API and the store write it. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state named {@code name}; an {@link IllegalArgumentException} naming the choices otherwise. */
    @JsonCreator
    public static IncidentState ofWireName(String name) {
        for (IncidentState s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("state must be open or resolved, was '" + name + "'");
    }
}
