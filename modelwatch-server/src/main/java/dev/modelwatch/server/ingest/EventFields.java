package dev.modelwatch.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The readers of an event's fields, one per kind of value. Each reads the value the parser stands on
 * (the token {@code t}), consumes it whatever it is, and records a problem naming the field on the
 * {@link RawEvent} when the value is not of its kind; it returns null for JSON null or a problem.
 */
final class EventFields {
    private EventFields() {
    }

    static String text(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (s.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                r.fail(field + ": longer than " + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
                return null;
            }
            return s;
        }
        return notAString(p, t, field, r);
    }

    static String idText(JsonParser p, JsonToken t, RawEvent r) throws IOException {
        return idText(p, t, r, "id");
    }

    static String idText(JsonParser p, JsonToken t, RawEvent r, String field) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            String s = p.getText();
            if (s.isEmpty() || s.length() > IngestLimits.MAX_ID_LENGTH) {
                r.fail(field + ": must be 1 to " + IngestLimits.MAX_ID_LENGTH + " characters");
                return null;
            }
            return s;
        }
        return notAString(p, t, field, r);
    }

    /** A value that is not a string: null for JSON null, else a problem of {@code field} (consumed). */
    private static String notAString(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        if (t != JsonToken.VALUE_NULL) {
            r.fail(field + ": must be a string, got " + describe(t));
            p.skipChildren();
        }
        return null;
    }

    static Long timestamp(JsonParser p, JsonToken t, RawEvent r) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            double v = p.getDoubleValue();
            if (!Double.isFinite(v) || Math.abs(v) > 1e15) {
                r.fail("timestamp: must be a finite epoch-millisecond number or an RFC 3339 string, got " + p.getText());
                return null;
            }
            return (long) Math.floor(v);
        }
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                r.fail("timestamp: '" + abbreviate(s) + "' is not an RFC 3339 time like 2026-11-22T10:00:00Z");
                return null;
            }
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        r.fail("timestamp: must be an RFC 3339 string or epoch milliseconds, got " + describe(t));
        p.skipChildren();
        return null;
    }

    /** A number, allowing NaN and infinities (bare tokens or strings); null for JSON null. */
    static Double number(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            Double special = nonFinite(p.getText());
            if (special != null) {
                return special;
            }
            r.fail(field + ": must be a number, got the string '" + abbreviate(p.getText()) + "'");
            return null;
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        r.fail(field + ": must be a number, got " + describe(t));
        p.skipChildren();
        return null;
    }

    /** A prediction or label: a number, a string, or a boolean (read as "true"/"false"). */
    static Object scalar(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_STRING -> {
                String s = p.getText();
                Double special = nonFinite(s);
                if (special != null) {
                    return special;
                }
                if (s.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                    r.fail(field + ": longer than " + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
                    return null;
                }
                return s;
            }
            case VALUE_TRUE -> {
                return "true";
            }
            case VALUE_FALSE -> {
                return "false";
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> {
                r.fail(field + ": must be a number, string or boolean, got " + describe(t));
                p.skipChildren();
                return null;
            }
        }
    }

    /** {@code NaN}, {@code Infinity} and their spellings as the numbers they name; null for any other string. */
    public static Double nonFinite(String s) {
        switch (s) {
            case "NaN", "nan" -> {
                return Double.NaN;
            }
            case "Infinity", "+Infinity", "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Infinity", "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                return null;
            }
        }
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
