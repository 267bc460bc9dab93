package dev.modelwatch.store;

import java.util.List;

/**
 * Stored profiles of several ranges read in one statement, and the checkpoint of the same
 * snapshot: which commits they include. A reader that also holds uncommitted changes tagged with
 * the log position of their commit counts each change exactly once — from storage when
 * {@code checkpointLsn} has reached that position, from memory otherwise.
 *
 * @param profiles      the profiles, ordered by resolution, then window start, then version
 * @param checkpointLsn the checkpoint when the read found profiles; {@link #UNKNOWN} when it found
 *                      none (no change the reader holds for these ranges can then be in storage)
 */
public record ProfileRead(List<StoredProfile> profiles, long checkpointLsn) {
    public static final long UNKNOWN = Long.MIN_VALUE;

    public ProfileRead {
        profiles = List.copyOf(profiles);
    }

    /** Whether the commit that ends at log position {@code lsn} is in these profiles. */
    public boolean includesCommitAt(long lsn) {
        return checkpointLsn != UNKNOWN && checkpointLsn >= lsn;
    }

    /** A range of windows of one resolution: those starting in {@code [fromMs, toMs)}. */
    public record Range(long resolutionMs, long fromMs, long toMs) {
    }

    /** One model's ranges in a read of several models ({@link Store#profiles(String, List)}). */
    public record ModelRanges(String model, List<Range> ranges) {
        public ModelRanges {
            java.util.Objects.requireNonNull(model, "model");
            ranges = List.copyOf(ranges);
        }
    }
}
