package dev.modelwatch.server.aggregate;

import java.util.HashMap;
import java.util.Map;

/**
 * One shared instance of each version, class name and segment map the aggregation runtime works
 * with: the profile slots of a segment map, its admission and the pending rows' encoder find them
 * by identity. Events mostly carry the instances the decoding threads keep ({@code DecodedValues}),
 * which become the shared ones here; an event built elsewhere (by a test, say) carries fresh
 * copies, found here by equality.
 *
 * <p>Bounded: past {@link #MAX_ENTRIES} distinct values of a kind, and for a string longer than
 * {@link #MAX_SHARED_LENGTH} characters, values are returned as they are (high-cardinality and long
 * values gain nothing from sharing); at most about 4 MiB of strings and 16 MiB of segment maps (of
 * 16 keys and values of 128 characters each, the ingest limits) are kept. Owned by one thread.
 */
final class SharedValues {
    static final int MAX_ENTRIES = 4_096;
    static final int MAX_SHARED_LENGTH = 256;

    private final Map<String, String> strings = new HashMap<>();
    private final Map<Map<String, String>, Map<String, String>> maps = new HashMap<>();
    /**
     * The shared strings last found or added: most lookups (a model's few versions, its class
     * names) find one of these, by an equality check, which costs less than hashing the fresh copy.
     */
    private final String[] recent = new String[RECENT];
    private static final int RECENT = 4;
    private int nextRecent;
    /**
     * The shared maps last found or added: the decoding threads hand over the instances they keep
     * ({@code DecodedValues}), which become the shared ones here, so that most lookups find the
     * instance itself among these and need not hash it.
     */
    private final Map<?, ?>[] recentMaps = new Map<?, ?>[RECENT_MAPS];
    private static final int RECENT_MAPS = 8;
    private int nextRecentMap;

    /** The shared instance equal to {@code s}; null for null. */
    String intern(String s) {
        if (s == null) {
            return null;
        }
        for (String r : recent) {
            if (s.equals(r)) {
                return r;
            }
        }
        String shared = strings.get(s);
        if (shared != null) {
            remember(shared);
            return shared;
        }
        if (strings.size() < MAX_ENTRIES && s.length() <= MAX_SHARED_LENGTH) {
            strings.put(s, s);
            remember(s);
        }
        return s;
    }

    private void remember(String shared) {
        recent[nextRecent] = shared;
        nextRecent = (nextRecent + 1) % RECENT;
    }

    /** The shared instance equal to {@code m} when there is one already (the empty map for an empty one); else null. */
    Map<String, String> sharedOrNull(Map<String, String> m) {
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        for (Map<?, ?> r : recentMaps) {
            if (r == m) {
                return m;
            }
        }
        Map<String, String> shared = maps.get(m);
        if (shared != null) {
            rememberMap(shared);
        }
        return shared;
    }

    private void rememberMap(Map<String, String> shared) {
        recentMaps[nextRecentMap] = shared;
        nextRecentMap = (nextRecentMap + 1) % RECENT_MAPS;
    }

    /** The shared immutable map equal to {@code m}, its keys and values shared too. */
    Map<String, String> intern(Map<String, String> m) {
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        Map<String, String> shared = sharedOrNull(m);
        if (shared != null) {
            return shared;
        }
        if (maps.size() >= MAX_ENTRIES) {
            return m;
        }
        Map<String, String> copy = new HashMap<>(m.size() * 2);
        boolean sharedParts = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            String k = intern(e.getKey());
            String v = intern(e.getValue());
            sharedParts &= k == e.getKey() && v == e.getValue();
            copy.put(k, v);
        }
        // an unmodifiable map of shared strings (one the decoding threads keep) is shared as it is
        Map<String, String> frozen = Map.copyOf(sharedParts ? m : copy);
        maps.put(frozen, frozen);
        rememberMap(frozen);
        return frozen;
    }
}
