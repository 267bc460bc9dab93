package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The estimated heap of what one generation of the aggregation runtime buffers until its commit:
 * window profiles ({@link WindowProfile#estimatedBytes()}, with their keys and map entries),
 * pending predictions, early labels and the other rows. A profile is estimated again each time its
 * events and labels reach {@code 2^j} or {@code 3 * 2^j}, so that the estimate costs a few
 * evaluations per profile, not one per event; between two of them a profile grows by at most half,
 * which the estimate covers by counting each profile at 1.5 times its last estimate.
 */
final class BufferedBytes {
    /** A profile key, its map entry and its entry here, beyond the segment and version strings. */
    private static final long PER_PROFILE = 256;

    private final IdentityHashMap<WindowProfile, Long> accounted = new IdentityHashMap<>();
    private long profileBytes;
    private long rowBytes;

    /** Called after {@code profile} (under {@code key}) took an event or a label. */
    void profileUpdated(ProfileKey key, WindowProfile profile) {
        if (estimateDue(profile.count() + profile.labeled())) {
            account(key, profile);
        }
    }

    /** Whether a profile is estimated again once it has seen {@code n} events and labels: at 0, {@code 2^j}, {@code 3 * 2^j}. */
    static boolean estimateDue(long n) {
        long odd = n >>> Long.numberOfTrailingZeros(n);
        return n <= 0 || odd == 1 || odd == 3;
    }

    private void account(ProfileKey key, WindowProfile profile) {
        long estimate = PER_PROFILE + 2L * (key.segment().length() + key.version().length())
                + profile.estimatedBytes() * 3 / 2;
        Long before = accounted.put(profile, estimate);
        profileBytes += estimate - (before == null ? 0 : before);
    }

    /** Adds the estimate of a buffered row (a pending prediction, an early label, a joined id, an event). */
    void rowAdded(long bytes) {
        rowBytes += bytes;
    }

    /** Estimates every profile again, after the generation absorbed another one's profiles. */
    void recount(Map<ProfileKey, WindowProfile> deltas, long otherRowBytes) {
        accounted.clear();
        profileBytes = 0;
        deltas.forEach(this::account);
        rowBytes += otherRowBytes;
    }

    /** Forgets every profile (the generation has been committed). */
    void clear() {
        accounted.clear();
        profileBytes = 0;
        rowBytes = 0;
    }

    long rowBytes() {
        return rowBytes;
    }

    long total() {
        return profileBytes + rowBytes;
    }

    /**
     * An upper estimate of the heap of decoded events waiting in the queue: the event, its id, and per
     * feature a name reference, a kind, a number and a string value (names are the parser's shared
     * strings), per segment and class probability a map entry.
     */
    static long eventBytes(java.util.List<dev.modelwatch.core.event.Event> events) {
        long bytes = 64;
        for (dev.modelwatch.core.event.Event e : events) {
            bytes += 96;
            if (e instanceof dev.modelwatch.core.event.PredictionEvent p) {
                bytes += 64 + (p.id() == null ? 0 : 48 + 2L * p.id().length()) + 64L * p.segments().size();
                bytes += p.scores() == null ? 0 : 64 + 48L * p.scores().size();
                if (p.features() instanceof dev.modelwatch.core.event.FeatureVector v) {
                    bytes += 96 + 17L * v.size();
                    for (int i = 0; i < v.size(); i++) {
                        if (v.kind(i) == dev.modelwatch.core.event.FeatureVector.STRING) {
                            bytes += 48 + 2L * v.string(i).length();
                        }
                    }
                } else {
                    bytes += 96L * p.features().size();
                }
            } else if (e instanceof dev.modelwatch.core.event.LabelEvent l) {
                bytes += 48 + 2L * l.id().length();
            } else {
                bytes += 256;
            }
        }
        return bytes;
    }

    /** The estimate of a pending prediction or early label with this id (the row, its map entry, the id). */
    static long rowBytes(String id) {
        return 200 + 2L * (id == null ? 0 : id.length());
    }
}
