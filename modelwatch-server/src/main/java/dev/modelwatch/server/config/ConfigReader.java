package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads typed values out of the configuration file's tree, the one way every section is read: a
 * wrong value adds a problem naming its key path and the value, and the default is taken so that
 * reading goes on and every problem of the file is reported at once.
 */
final class ConfigReader {
    /** The problems found so far, each starting with its key path. */
    final List<String> problems = new ArrayList<>();

    JsonNode section(JsonNode root, String name, Set<String> keys) {
        JsonNode n = root.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        if (!n.isObject()) {
            problems.add(name + ": must be a mapping");
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        checkKeys(n, name + ".", keys);
        return n;
    }

    void checkKeys(JsonNode node, String prefix, Set<String> allowed) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                problems.add(prefix + k + ": unknown key; expected one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    int intValue(JsonNode n, String path, String key, int def, int min, int max) {
        return (int) longValue(n, path, key, def, min, max);
    }

    long longValue(JsonNode n, String path, String key, long def, long min, long max) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            problems.add(path + ": must be an integer, got '" + v.asText() + "'");
            return def;
        }
        long x = v.asLong();
        if (x < min || x > max) {
            problems.add(path + ": must be between " + min + " and " + max + ", got " + x);
            return def;
        }
        return x;
    }

    double doubleValue(JsonNode n, String path, String key, double def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            problems.add(path + ": must be a number, got '" + v.asText() + "'");
            return def;
        }
        return v.asDouble();
    }

    boolean boolValue(JsonNode n, String path, String key, boolean def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.isBoolean()) {
            problems.add(path + ": must be true or false, got '" + v.asText() + "'");
            return def;
        }
        return v.asBoolean();
    }

    String textValue(JsonNode n, String path, String key, String def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.isValueNode()) {
            problems.add(path + ": must be a string");
            return def;
        }
        return v.asText();
    }

    Duration durationValue(JsonNode n, String path, String key, Duration def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        try {
            return Duration.ofMillis(durationMillis(v.asText()));
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return def;
        }
    }

    /** {@code text} in the grammar of {@link dev.modelwatch.core.rules.Durations}; the problem names the value. */
    static long durationMillis(String text) {
        if (!dev.modelwatch.core.rules.Durations.isValid(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 10s, 1m, 2h, 7d");
        }
        return dev.modelwatch.core.rules.Durations.parseMillis(text);
    }
}
