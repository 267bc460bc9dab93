package dev.modelwatch.server.config;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.SketchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole server configuration, every key documented in {@code docs/configuration.md}.
 *
 * @param db JDBC URL, or {@code null} for the embedded SQLite file under {@code dataDir}
 */
public record ServerConfig(
        int port,
        String bind,
        Path dataDir,
        String db,
        long maxBodyBytes,
        int maxEventsPerRequest,
        int maxFeatures,
        Duration maxFutureSkew,
        long maxQueuedEvents,
        long logSegmentBytes,
        boolean fsync,
        Duration flushInterval,
        SketchSettings sketches,
        Duration joinHorizon,
        Duration retentionBase,
        Duration retentionHour,
        Duration retentionDay,
        Duration expositionWindow,
        Map<String, ModelSpec> models) {

    public static ServerConfig defaults() {
        return new ServerConfig(8080, "127.0.0.1", Path.of("data"), null, 16L << 20, 100_000, 1_000,
                Duration.ofMinutes(10), 2_000_000, 64L << 20, true, Duration.ofSeconds(2), SketchSettings.DEFAULT,
                Duration.ofDays(7), Duration.ofDays(8), Duration.ofDays(90), Duration.ofDays(730),
                Duration.ofMinutes(15), Map.of());
    }

    /** The JDBC URL actually used. */
    public String jdbcUrl() {
        return db != null ? db : "jdbc:sqlite:" + dataDir.resolve("modelwatch.db").toAbsolutePath();
    }

    /** How far back an event may lie: the longest profile retention. */
    public Duration maxEventAge() {
        Duration max = retentionBase;
        if (retentionHour.compareTo(max) > 0) {
            max = retentionHour;
        }
        if (retentionDay.compareTo(max) > 0) {
            max = retentionDay;
        }
        return max;
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(p, bind, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, retentionBase,
                retentionHour, retentionDay, expositionWindow, models);
    }

    public ServerConfig withDataDir(Path d) {
        return new ServerConfig(port, bind, d, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, retentionBase,
                retentionHour, retentionDay, expositionWindow, models);
    }

    public ServerConfig withDb(String url) {
        return new ServerConfig(port, bind, dataDir, url, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, retentionBase,
                retentionHour, retentionDay, expositionWindow, models);
    }

    public ServerConfig withBind(String b) {
        return new ServerConfig(port, b, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, retentionBase,
                retentionHour, retentionDay, expositionWindow, models);
    }

    public ServerConfig withFlushInterval(Duration d) {
        return new ServerConfig(port, bind, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, logSegmentBytes, fsync, d, sketches, joinHorizon, retentionBase,
                retentionHour, retentionDay, expositionWindow, models);
    }

    public ServerConfig withMaxBodyBytes(long n) {
        return new ServerConfig(port, bind, dataDir, db, n, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, retentionBase,
                retentionHour, retentionDay, expositionWindow, models);
    }
}
