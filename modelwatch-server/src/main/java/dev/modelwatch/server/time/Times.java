package dev.modelwatch.server.time;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Times as the server reads and shows them: RFC 3339 strings or epoch milliseconds. */
public final class Times {
    private Times() {
    }

    /**
     * Reads an RFC 3339 time ({@code 2026-11-22T10:00:00Z}) or epoch milliseconds.
     *
     * @param name what the value is, named in the error
     * @throws IllegalArgumentException naming {@code name} and the value when it is neither
     */
    public static long parse(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException ignored) {
            // not epoch milliseconds; try RFC 3339
        }
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": '" + value
                    + "' is neither an RFC 3339 time (2026-11-22T10:00:00Z) nor epoch milliseconds");
        }
    }

    /** Epoch milliseconds as an RFC 3339 UTC time. */
    public static String format(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }

    /** {@link #format}, or null for null. */
    public static String formatOrNull(Long ms) {
        return ms == null ? null : format(ms);
    }
}
