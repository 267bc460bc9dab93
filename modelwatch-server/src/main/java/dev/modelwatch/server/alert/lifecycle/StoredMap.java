package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read view of a stored state map (what a {@code toMap()} wrote, possibly after a round trip
 * through JSON, where a {@code long} may come back as an {@code Integer}) with typed getters that
 * throw {@link IllegalArgumentException} naming the field when it is missing or of the wrong type.
 *
 * <p>The encoding conventions shared by every {@code toMap()} of the alert packages:
 * <ul>
 *   <li>times are epoch milliseconds ({@code Long}), absent times are absent keys;</li>
 *   <li>64-bit fingerprints are 16 lower-case hex digits (a JSON number would lose precision past
 *       2<sup>53</sup> in JavaScript);</li>
 *   <li>doubles are numbers, except non-finite ones, written {@code "NaN"}, {@code "+Inf"},
 *       {@code "-Inf"};</li>
 *   <li>labels are a mapping of name to value.</li>
 * </ul>
 *
 * <p>Usage: {@code StoredMap m = StoredMap.of(map, "alert"); long t = m.requireLong("starts_at");}
 */
public final class StoredMap {
    private final Map<?, ?> map;
    private final String what;

    private StoredMap(Map<?, ?> map, String what) {
        this.map = map;
        this.what = what;
    }

    /** A view of {@code map}, described as {@code what} in error messages. */
    public static StoredMap of(Object map, String what) {
        if (!(map instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a map, was " + ConfigNode.describe(map));
        }
        return new StoredMap((Map<?, ?>) map, what);
    }

    public boolean has(String key) {
        return map.get(key) != null;
    }

    public Object raw(String key) {
        return map.get(key);
    }

    private IllegalArgumentException wrong(String key, String expected) {
        return new IllegalArgumentException(what + "." + key + " must be " + expected + ", was "
                + ConfigNode.describe(map.get(key)));
    }

    public String requireString(String key) {
        Object v = map.get(key);
        if (!(v instanceof String)) {
            throw wrong(key, "a string");
        }
        return (String) v;
    }

    public String optString(String key) {
        return map.get(key) == null ? null : requireString(key);
    }

    public long requireLong(String key) {
        Object v = map.get(key);
        if (!(v instanceof Number) || v instanceof Double || v instanceof Float) {
            throw wrong(key, "an integer");
        }
        return ((Number) v).longValue();
    }

    public Long optLong(String key) {
        return map.get(key) == null ? null : requireLong(key);
    }

    public boolean optBoolean(String key, boolean dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean)) {
            throw wrong(key, "a boolean");
        }
        return (Boolean) v;
    }

    public double requireDouble(String key) {
        Object v = map.get(key);
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if ("NaN".equals(v)) {
            return Double.NaN;
        }
        if ("+Inf".equals(v)) {
            return Double.POSITIVE_INFINITY;
        }
        if ("-Inf".equals(v)) {
            return Double.NEGATIVE_INFINITY;
        }
        throw wrong(key, "a number");
    }

    /** A 64-bit fingerprint written as 16 hex digits. */
    public long requireFingerprint(String key) {
        try {
            return AlertFingerprint.parse(requireString(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + "." + key + ": " + e.getMessage(), e);
        }
    }

    public Map<String, String> requireStringMap(String key) {
        Object v = map.get(key);
        if (!(v instanceof Map)) {
            throw wrong(key, "a map");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new IllegalArgumentException(what + "." + key + "." + e.getKey() + " must be a string");
            }
            out.put(String.valueOf(e.getKey()), (String) e.getValue());
        }
        return out;
    }

    public SeriesLabels requireLabels(String key) {
        return SeriesLabels.of(requireStringMap(key));
    }

    public StoredMap requireMap(String key) {
        Object v = map.get(key);
        if (!(v instanceof Map)) {
            throw wrong(key, "a map");
        }
        return new StoredMap((Map<?, ?>) v, what + "." + key);
    }

    public StoredMap optMap(String key) {
        return map.get(key) == null ? null : requireMap(key);
    }

    public List<Object> requireList(String key) {
        Object v = map.get(key);
        if (!(v instanceof List)) {
            throw wrong(key, "a list");
        }
        return new ArrayList<>((List<?>) v);
    }

    /** The keys of the map at {@code key}, in its order. */
    public List<String> requireStringKeys(String key) {
        List<String> out = new ArrayList<>();
        for (Object k : requireMap(key).map.keySet()) {
            out.add(String.valueOf(k));
        }
        return out;
    }

    /** The entries of the map at {@code key}, each value as a map view. */
    public Map<String, StoredMap> requireMapOfMaps(String key) {
        StoredMap m = requireMap(key);
        Map<String, StoredMap> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.map.entrySet()) {
            out.put(String.valueOf(e.getKey()), StoredMap.of(e.getValue(), m.what + "." + e.getKey()));
        }
        return out;
    }

    /** Encodes a double as {@link #requireDouble} reads it back exactly. */
    public static Object encodeDouble(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v;
    }

    /** Puts {@code value} under {@code key} unless it is null (absent times are absent keys). */
    public static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
