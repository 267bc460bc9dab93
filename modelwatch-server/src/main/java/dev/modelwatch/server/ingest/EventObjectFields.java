package dev.modelwatch.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.event.FeatureVector;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The readers of an event's object fields — features, maps of numbers (scores, training metrics) and
 * of strings (segments, labels) — each entry checked as {@link EventFields} checks a single value, and
 * the number of entries bounded.
 */
final class EventObjectFields {
    private EventObjectFields() {
    }

    /**
     * A prediction's features: numbers (NaN and infinities allowed), strings, booleans (as strings)
     * and nulls (missing), at most {@code maxFeatures} of them (ingest.max_features).
     */
    static Map<String, Object> features(JsonParser p, JsonToken t, RawEvent r, int maxFeatures) throws IOException {
        if (!isObject(p, t, "features", "value", r)) {
            return null;
        }
        FeatureVector.Builder out = FeatureVector.builder(32);
        int n = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            n++;
            if (n > maxFeatures) {
                p.skipChildren();
                continue;
            }
            if (name.isEmpty() || name.length() > IngestLimits.MAX_FEATURE_NAME_LENGTH) {
                r.fail("features: a feature name must be 1 to " + IngestLimits.MAX_FEATURE_NAME_LENGTH + " characters");
                p.skipChildren();
                continue;
            }
            switch (v) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.number(name, p.getDoubleValue());
                case VALUE_STRING -> {
                    String s = p.getText();
                    Double special = EventFields.nonFinite(s);
                    if (special != null) {
                        out.number(name, special);
                    } else if (s.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                        r.fail("features." + EventFields.abbreviate(name) + ": string longer than "
                                + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
                    } else {
                        out.string(name, s);
                    }
                }
                case VALUE_TRUE -> out.string(name, "true");
                case VALUE_FALSE -> out.string(name, "false");
                case VALUE_NULL -> out.missing(name);
                default -> {
                    r.fail("features." + EventFields.abbreviate(name) + ": must be a number, string, boolean or null, got "
                            + EventFields.describe(v));
                    p.skipChildren();
                }
            }
        }
        if (n > maxFeatures) {
            r.fail("features: " + n + " features exceed the limit of " + maxFeatures + " (ingest.max_features)");
        }
        String repeated = out.repeatedName();
        if (repeated != null) {
            r.fail("features." + EventFields.abbreviate(repeated) + ": given more than once");
        }
        return out.build();
    }

    /**
     * Whether the current token starts an object to read; null is "absent", anything else a
     * problem of {@code field} (consumed).
     */
    private static boolean isObject(JsonParser p, JsonToken t, String field, String valueKind, RawEvent r)
            throws IOException {
        if (t == JsonToken.START_OBJECT) {
            return true;
        }
        if (t != JsonToken.VALUE_NULL) {
            r.fail(field + ": must be an object of name to " + valueKind + ", got " + EventFields.describe(t));
            p.skipChildren();
        }
        return false;
    }

    static Map<String, Double> numberMap(JsonParser p, JsonToken t, String field, RawEvent r, int max)
            throws IOException {
        return entries(p, t, field, "number", r, max, new LinkedHashMap<>(),
                (name, v) -> EventFields.number(p, v, field + "." + EventFields.abbreviate(name), r));
    }

    static Map<String, String> stringMap(JsonParser p, JsonToken t, String field, RawEvent r, int max)
            throws IOException {
        return entries(p, t, field, "string", r, max, new HashMap<>(), (name, v) -> {
            if (name.isEmpty() || name.length() > IngestLimits.MAX_NAME_LENGTH || name.indexOf(':') >= 0) {
                r.fail(field + ": a key must be 1 to " + IngestLimits.MAX_NAME_LENGTH + " characters without ':'");
                p.skipChildren();
                return null;
            }
            String s;
            switch (v) {
                case VALUE_STRING -> s = p.getText();
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> s = ClassNames.of(p.getDoubleValue());
                case VALUE_TRUE -> s = "true";
                case VALUE_FALSE -> s = "false";
                default -> {
                    r.fail(field + "." + EventFields.abbreviate(name) + ": must be a string, got "
                            + EventFields.describe(v));
                    p.skipChildren();
                    return null;
                }
            }
            if (s.isEmpty() || s.length() > IngestLimits.MAX_NAME_LENGTH) {
                r.fail(field + "." + EventFields.abbreviate(name) + ": must be 1 to " + IngestLimits.MAX_NAME_LENGTH
                        + " characters");
                return null;
            }
            return s;
        });
    }

    /** Reads one entry's value (the parser on its token {@code v}), consuming it; null leaves the entry out. */
    private interface EntryReader<V> {
        V read(String name, JsonToken v) throws IOException;
    }

    /**
     * The entries of the object {@code field} (null when absent or not an object), each value read by
     * {@code entry}, at most {@code max} of them (past that a problem, the rest skipped).
     */
    private static <V> Map<String, V> entries(JsonParser p, JsonToken t, String field, String valueKind, RawEvent r,
                                              int max, Map<String, V> out, EntryReader<V> entry) throws IOException {
        if (!isObject(p, t, field, valueKind, r)) {
            return null;
        }
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            if (out.size() >= max) {
                r.fail(field + ": more than " + max + " entries");
                p.skipChildren();
                continue;
            }
            V value = entry.read(name, v);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }
}
