package dev.modelwatch.server.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Query-parameter times: RFC 3339 strings or epoch milliseconds. */
public final class Times {
    private Times() {
    }

    public static long parse(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException ignored) {
            // not epoch milliseconds; try RFC 3339
        }
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ApiException(400, name + ": '" + value
                    + "' is neither an RFC 3339 time (2026-11-22T10:00:00Z) nor epoch milliseconds");
        }
    }

    public static String format(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
