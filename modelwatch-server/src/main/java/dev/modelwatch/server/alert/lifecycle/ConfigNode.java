package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.Durations;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One value of a parsed YAML (or JSON) document as Jackson converts it to plain Java values ({@code Map},
 * {@code List}, {@code String}, {@code Number}, {@code Boolean}, {@code null}), with its path from the
 * root and the shared {@link ConfigProblems} where every reader reports what is wrong with it.
 *
 * <p>Readers never throw on bad input: they record {@code path: what is wrong} and return null (or an
 * empty collection), so that a parser goes on and reports every problem of the file at once. Paths are
 * written {@code route.routes[1].group_wait}.
 *
 * <p>Usage:
 * <pre>{@code
 * ConfigNode route = ConfigNode.root(yaml, "", problems).get("route");
 * route.allowKeys("receiver", "group_by", "group_wait", "routes");
 * Long waitMs = route.get("group_wait").asDurationMs();   // null and a problem when malformed
 * }</pre>
 */
public final class ConfigNode {

    private final String path;
    private final Object value;
    private final boolean present;
    private final ConfigProblems problems;

    private ConfigNode(String path, Object value, boolean present, ConfigProblems problems) {
        this.path = path;
        this.value = value;
        this.present = present;
        this.problems = problems;
    }

    /** The document (or a section of it) at {@code path} ({@code ""} for the whole file). */
    public static ConfigNode root(Object value, String path, ConfigProblems problems) {
        if (problems == null) {
            throw new IllegalArgumentException("problems must not be null");
        }
        return new ConfigNode(path == null ? "" : path, value, true, problems);
    }

    public String path() {
        return path;
    }

    /** The raw value (null when absent or written as null). */
    public Object raw() {
        return value;
    }

    /** Whether the key was written (even as {@code null}). */
    public boolean isPresent() {
        return present;
    }

    /** Whether the key is absent or its value is null: both mean "not set". */
    public boolean isUnset() {
        return value == null;
    }

    public ConfigProblems problems() {
        return problems;
    }

    /** Records a problem at this node's path. */
    public void problem(String message) {
        problems.add(path, message);
    }

    /** The path of {@code key} under this node. */
    public String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether this node is a mapping. */
    public boolean isMapping() {
        return value instanceof Map;
    }

    /**
     * The value of {@code key} of this mapping: absent when this node is unset or has no such key; when
     * this node is set but not a mapping, a problem is recorded once by {@link #entries()} or here.
     */
    public ConfigNode get(String key) {
        if (value instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) value;
            return new ConfigNode(childPath(key), m.get(key), m.containsKey(key), problems);
        }
        return new ConfigNode(childPath(key), null, false, problems);
    }

    /**
     * The entries of this mapping in file order; empty (and a problem) when the node is set but not a
     * mapping, empty without a problem when unset.
     */
    public Map<String, ConfigNode> entries() {
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        if (!(value instanceof Map)) {
            problem("must be a mapping, was " + describe(value));
            return out;
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            String key = String.valueOf(e.getKey());
            out.put(key, new ConfigNode(childPath(key), e.getValue(), true, problems));
        }
        return out;
    }

    /**
     * Checks that this node is a mapping (when set) whose keys are all among {@code allowed}; each
     * unknown key is a problem (a typo must not be silently ignored). Returns whether the node is a
     * usable mapping.
     */
    public boolean allowKeys(Collection<String> allowed) {
        if (value == null) {
            return false;
        }
        if (!(value instanceof Map)) {
            problem("must be a mapping, was " + describe(value));
            return false;
        }
        for (Object k : ((Map<?, ?>) value).keySet()) {
            String key = String.valueOf(k);
            if (!allowed.contains(key)) {
                problems.add(childPath(key), "unknown key (known: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
        return true;
    }

    /** {@link #allowKeys(Collection)} with the keys given. */
    public boolean allowKeys(String... allowed) {
        return allowKeys(Set.of(allowed));
    }

    /**
     * The items of this list; empty (and a problem) when set but not a list. Item paths are
     * {@code path[i]}.
     */
    public List<ConfigNode> items() {
        List<ConfigNode> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (!(value instanceof List)) {
            problem("must be a list, was " + describe(value));
            return out;
        }
        List<?> list = (List<?>) value;
        for (int i = 0; i < list.size(); i++) {
            out.add(new ConfigNode(path + "[" + i + "]", list.get(i), true, problems));
        }
        return out;
    }

    /**
     * The value as a string: strings as they are; numbers and booleans as YAML wrote them (YAML reads
     * {@code severity: 1} as a number, but a label value is text). Null when unset; null and a problem
     * for a mapping or a list.
     */
    public String asString() {
        if (value == null) {
            return null;
        }
        if (value instanceof String) {
            return (String) value;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        problem("must be a string, was " + describe(value));
        return null;
    }

    /** {@link #asString()}, with a problem when unset or blank. */
    public String requireString() {
        if (value == null) {
            problem("is required");
            return null;
        }
        String s = asString();
        if (s != null && s.isBlank()) {
            problem("must not be empty");
            return null;
        }
        return s;
    }

    /** The value as a boolean; null when unset; null and a problem when not {@code true}/{@code false}. */
    public Boolean asBoolean() {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof String) {
            String s = ((String) value).trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return Boolean.valueOf(s);
            }
        }
        problem("must be true or false, was " + describe(value));
        return null;
    }

    /**
     * The value as a duration in milliseconds, written as Prometheus does ({@code 500ms 30s 5m 1h 1d 1w
     * 1y}, units largest first, combined as {@code 1h30m}, or {@code 0}). Null when unset; null and a
     * problem ({@code '10x' is not a duration}) when malformed.
     */
    public Long asDurationMs() {
        if (value == null) {
            return null;
        }
        String text = value instanceof String ? (String) value : null;
        if (value instanceof Number && ((Number) value).doubleValue() == 0) {
            return 0L;
        }
        Long ms = text == null ? null : parseDurationMs(text);
        if (ms == null) {
            problem("'" + value + "' is not a duration (like 500ms, 30s, 5m, 1h30m, 7d)");
        }
        return ms;
    }

    /**
     * Parses a duration in the grammar of {@link Durations} ({@code 1h30m}, {@code 500ms}, {@code 0});
     * null when malformed or beyond {@code Long.MAX_VALUE} milliseconds.
     */
    public static Long parseDurationMs(String text) {
        return Durations.isValid(text) ? Durations.parseMillis(text) : null;
    }

    /** The mapping as label names to string values; an invalid label name or a non-string value is a problem. */
    public Map<String, String> asStringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : entries().entrySet()) {
            String v = e.getValue().asString();
            if (e.getValue().raw() == null) {
                e.getValue().problem("must be a string, was null");
            } else if (v != null) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    /** A short description of a YAML value's type, for problem messages. */
    public static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String) {
            return "'" + v + "'";
        }
        return String.valueOf(v);
    }
}
