package dev.modelwatch.server.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance of each model name, version and segment map the decoding threads have seen lately:
 * events hand these to the aggregation thread, which compares and looks them up by the instance
 * (an equality check that finds the same instance answers at once) and so does not read a fresh
 * copy that another core has just written. The lookups here are made where the values were just
 * decoded, on the threads that decode in parallel.
 *
 * <p>Bounded: a string longer than {@link #MAX_LENGTH} characters is returned as it is; past
 * {@link #MAX_ENTRIES} values of a kind the kind starts again empty (values of high cardinality
 * only cost a lookup). Thread-safe.
 */
final class DecodedValues {
    static final int MAX_ENTRIES = 4_096;
    static final int MAX_LENGTH = 256;

    private final ConcurrentHashMap<String, String> strings = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Map<String, String>, Map<String, String>> maps = new ConcurrentHashMap<>();

    /** The kept instance equal to {@code s} (kept from now on if none was); null for null. */
    String text(String s) {
        if (s == null || s.length() > MAX_LENGTH) {
            return s;
        }
        String kept = strings.get(s);
        if (kept != null) {
            return kept;
        }
        if (strings.size() >= MAX_ENTRIES) {
            strings.clear();
        }
        kept = strings.putIfAbsent(s, s);
        return kept != null ? kept : s;
    }

    /** The kept immutable map equal to {@code m}, its keys and values kept too; null for null. */
    Map<String, String> segments(Map<String, String> m) {
        if (m == null || m.isEmpty()) {
            return m == null ? null : Map.of();
        }
        Map<String, String> kept = maps.get(m);
        if (kept != null) {
            return kept;
        }
        Map<String, String> copy = new HashMap<>(m.size() * 2);
        m.forEach((k, v) -> copy.put(text(k), text(v)));
        Map<String, String> frozen = Map.copyOf(copy);
        if (maps.size() >= MAX_ENTRIES) {
            maps.clear();
        }
        kept = maps.putIfAbsent(frozen, frozen);
        return kept != null ? kept : frozen;
    }
}
