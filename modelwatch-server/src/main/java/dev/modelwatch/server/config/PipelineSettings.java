package dev.modelwatch.server.config;

import dev.modelwatch.core.profile.SketchSettings;
import java.time.Duration;

/**
 * The sections of the path behind ingest: {@code log:}, {@code aggregation:}, {@code labels:},
 * {@code retention:} and {@code metrics:}.
 *
 * @param logSegmentBytes  {@code log.segment_bytes}
 * @param fsync            {@code log.fsync}
 * @param aggregation      {@code aggregation:} and {@code labels:}
 * @param retention        {@code retention:}
 * @param expositionWindow {@code metrics.exposition_window}
 */
public record PipelineSettings(long logSegmentBytes, boolean fsync, Aggregation aggregation, Retention retention,
                               Duration expositionWindow) {
    static final PipelineSettings DEFAULT = new PipelineSettings(64L << 20, true,
            new Aggregation(Duration.ofSeconds(2), SketchSettings.DEFAULT, Duration.ofMinutes(10), Duration.ofDays(7),
                    10_000_000L, 2),
            new Retention(Duration.ofDays(8), Duration.ofDays(90), Duration.ofDays(730)), Duration.ofMinutes(15));

    /**
     * {@code aggregation:} and {@code labels:}.
     *
     * @param parkAfter how long one model's writes may keep failing before its uncommitted events are
     *                  parked in {@code data_dir/dead-letter}
     * @param profileThreads {@code aggregation.profile_threads}: the threads that add events to window
     *                  profiles, the aggregation thread included (1: that thread alone)
     */
    public record Aggregation(Duration flushInterval, SketchSettings sketches, Duration parkAfter, Duration joinHorizon,
                              long idFilterCapacity, int profileThreads) {
    }

    /** {@code retention:}: how long profiles are kept at each resolution. */
    public record Retention(Duration base, Duration hour, Duration day) {
    }
}
