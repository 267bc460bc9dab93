package dev.modelwatch.server.aggregate;

import dev.modelwatch.server.time.Times;

/**
 * The range a query actually covers. Profiles are kept per window, so a range query
 * {@code [from, to)} reads whole windows: {@code from} rounded down and {@code to} rounded up to the
 * window (or the step, for series), and every event of those windows counts, also those before the
 * requested {@code from} or at or after the requested {@code to}. Answers state it as
 * {@code "covered": {"from": .., "to": .., "windows": n}} next to the requested {@code from}/{@code to}.
 *
 * @param from    the start of the first window covered (RFC 3339)
 * @param to      the end of the last window covered, exclusive (RFC 3339)
 * @param windows how many of the model's windows that is
 */
public record CoveredRange(String from, String to, long windows) {

    /**
     * The range {@code [fromMs, toMs)} covers when widened to whole multiples of {@code alignMs} (the
     * model's window, or a series' step, itself a multiple of the window {@code windowMs}).
     */
    public static CoveredRange of(long fromMs, long toMs, long alignMs, long windowMs) {
        long from = alignDown(fromMs, alignMs);
        long to = alignUp(toMs, alignMs);
        return new CoveredRange(Times.format(from), Times.format(to), (to - from) / windowMs);
    }

    /** {@code t} rounded down to a multiple of {@code r}. */
    static long alignDown(long t, long r) {
        return Math.floorDiv(t, r) * r;
    }

    /** {@code t} rounded up to a multiple of {@code r}. */
    static long alignUp(long t, long r) {
        return Math.floorDiv(t + r - 1, r) * r;
    }
}
