package dev.modelwatch.server.config;

import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.drift.DriftConfig;
import dev.modelwatch.server.ingest.IngestLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole server configuration, every key documented in {@code docs/configuration.md}.
 *
 * @param db JDBC URL, or {@code null} for the embedded SQLite file under {@code dataDir}
 * @param shutdownGrace how long closing may take at most: what is not done by then is left in the ingest log
 * @param parkAfter how long one model's writes may keep failing before its uncommitted events are parked in
 *                  {@code data_dir/dead-letter}
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
        Duration maxQueueWait,
        long logSegmentBytes,
        boolean fsync,
        Duration flushInterval,
        SketchSettings sketches,
        Duration joinHorizon,
        long idFilterCapacity,
        Duration retentionBase,
        Duration retentionHour,
        Duration retentionDay,
        Duration expositionWindow,
        Map<String, ModelSpec> models,
        DriftConfig drift,
        AlertingConfig alerting,
        Duration shutdownGrace,
        Duration parkAfter,
        AccessConfig access,
        Limits limits) {

    public static ServerConfig defaults() {
        return new ServerConfig(8080, "127.0.0.1", Path.of("data"), null, 16L << 20, 100_000, 1_000,
                Duration.ofMinutes(10), 50_000, Duration.ofSeconds(5), 64L << 20, true, Duration.ofSeconds(2), SketchSettings.DEFAULT,
                Duration.ofDays(7), 10_000_000L, Duration.ofDays(8), Duration.ofDays(90), Duration.ofDays(730),
                Duration.ofMinutes(15), Map.of(), DriftConfig.DEFAULT, AlertingConfig.NONE, Duration.ofSeconds(30),
                Duration.ofMinutes(10), AccessConfig.DEFAULT, Limits.DEFAULT);
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
        return toBuilder().port(p).build();
    }

    public ServerConfig withDataDir(Path d) {
        return toBuilder().dataDir(d).build();
    }

    public ServerConfig withDb(String url) {
        return toBuilder().db(url).build();
    }

    public ServerConfig withBind(String b) {
        return toBuilder().bind(b).build();
    }

    public ServerConfig withFlushInterval(Duration d) {
        return toBuilder().flushInterval(d).build();
    }

    public ServerConfig withMaxBodyBytes(long n) {
        return toBuilder().maxBodyBytes(n).build();
    }

    /** The limits applied to request bodies and events at ingest. */
    public IngestLimits ingestLimits() {
        return new IngestLimits(maxBodyBytes, maxEventsPerRequest, maxFeatures, maxEventAge(), maxFutureSkew);
    }

    /** These settings with another drift configuration. */
    public ServerConfig withDrift(DriftConfig d) {
        return new ServerConfig(port, bind, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, maxQueueWait, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, idFilterCapacity,
                retentionBase, retentionHour, retentionDay, expositionWindow, models, d, alerting, shutdownGrace, parkAfter, access,
                limits);
    }

    /** These settings with another alerting configuration. */
    public ServerConfig withAlerting(AlertingConfig a) {
        return new ServerConfig(port, bind, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, maxQueueWait, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, idFilterCapacity,
                retentionBase, retentionHour, retentionDay, expositionWindow, models, drift, a, shutdownGrace, parkAfter, access,
                limits);
    }

    /** These settings with another access configuration ({@code server.auth}, {@code server.external_url}, ...). */
    public ServerConfig withAccess(AccessConfig a) {
        return new ServerConfig(port, bind, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, maxQueueWait, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, idFilterCapacity,
                retentionBase, retentionHour, retentionDay, expositionWindow, models, drift, alerting, shutdownGrace, parkAfter, a,
                limits);
    }

    /** These settings with other limits. */
    public ServerConfig withLimits(Limits l) {
        return new ServerConfig(port, bind, dataDir, db, maxBodyBytes, maxEventsPerRequest, maxFeatures, maxFutureSkew,
                maxQueuedEvents, maxQueueWait, logSegmentBytes, fsync, flushInterval, sketches, joinHorizon, idFilterCapacity,
                retentionBase, retentionHour, retentionDay, expositionWindow, models, drift, alerting, shutdownGrace, parkAfter,
                access, l);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some keys of a configuration, keeping the others. */
    public static final class Builder {
        private int port;
        private String bind;
        private Path dataDir;
        private String db;
        private long maxBodyBytes;
        private Duration flushInterval;
        private Duration shutdownGrace;
        private Duration parkAfter;
        private final ServerConfig from;

        private Builder(ServerConfig c) {
            this.from = c;
            this.port = c.port;
            this.bind = c.bind;
            this.dataDir = c.dataDir;
            this.db = c.db;
            this.maxBodyBytes = c.maxBodyBytes;
            this.flushInterval = c.flushInterval;
            this.shutdownGrace = c.shutdownGrace;
            this.parkAfter = c.parkAfter;
        }

        public Builder shutdownGrace(Duration d) {
            this.shutdownGrace = d;
            return this;
        }

        public Builder parkAfter(Duration d) {
            this.parkAfter = d;
            return this;
        }

        public Builder port(int p) {
            this.port = p;
            return this;
        }

        public Builder bind(String b) {
            this.bind = b;
            return this;
        }

        public Builder dataDir(Path d) {
            this.dataDir = d;
            return this;
        }

        public Builder db(String url) {
            this.db = url;
            return this;
        }

        public Builder maxBodyBytes(long n) {
            this.maxBodyBytes = n;
            return this;
        }

        public Builder flushInterval(Duration d) {
            this.flushInterval = d;
            return this;
        }

        public ServerConfig build() {
            ServerConfig c = from;
            return new ServerConfig(port, bind, dataDir, db, maxBodyBytes, c.maxEventsPerRequest, c.maxFeatures,
                    c.maxFutureSkew, c.maxQueuedEvents, c.maxQueueWait, c.logSegmentBytes, c.fsync, flushInterval, c.sketches,
                    c.joinHorizon, c.idFilterCapacity, c.retentionBase, c.retentionHour, c.retentionDay, c.expositionWindow, c.models,
                    c.drift, c.alerting, shutdownGrace, parkAfter, c.access, c.limits);
        }
    }
}
