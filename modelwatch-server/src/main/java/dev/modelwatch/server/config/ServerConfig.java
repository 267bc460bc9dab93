package dev.modelwatch.server.config;

import dev.modelwatch.server.training.TrainingConfig;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.drift.DriftConfig;
import dev.modelwatch.server.incident.IncidentConfig;
import dev.modelwatch.server.ingest.IngestLimits;
import dev.modelwatch.server.ingest.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole server configuration, one record per section of {@code modelwatch.yml}, every key
 * documented in {@code docs/configuration.md}. The flat accessors ({@link #port()},
 * {@link #maxBodyBytes()}, ...) read a key of a section.
 */
public record ServerConfig(ServerSettings server, IngestSettings ingest, PipelineSettings pipeline,
                           Map<String, ModelSpec> models, DriftConfig drift, AlertingConfig alerting, Limits limits,
                           TrainingConfig training, IncidentConfig incidents) {
    /** A configuration with the default {@code training:} and {@code incidents:} sections. */
    public ServerConfig(ServerSettings server, IngestSettings ingest, PipelineSettings pipeline,
                        Map<String, ModelSpec> models, DriftConfig drift, AlertingConfig alerting, Limits limits) {
        this(server, ingest, pipeline, models, drift, alerting, limits, TrainingConfig.DEFAULT, IncidentConfig.DEFAULT);
    }

    /** A configuration with the default {@code incidents:} section. */
    public ServerConfig(ServerSettings server, IngestSettings ingest, PipelineSettings pipeline,
                        Map<String, ModelSpec> models, DriftConfig drift, AlertingConfig alerting, Limits limits,
                        TrainingConfig training) {
        this(server, ingest, pipeline, models, drift, alerting, limits, training, IncidentConfig.DEFAULT);
    }

    /** A configuration with the default {@code training:} section. */
    public ServerConfig(ServerSettings server, IngestSettings ingest, PipelineSettings pipeline,
                        Map<String, ModelSpec> models, DriftConfig drift, AlertingConfig alerting, Limits limits,
                        IncidentConfig incidents) {
        this(server, ingest, pipeline, models, drift, alerting, limits, TrainingConfig.DEFAULT, incidents);
    }


    public static ServerConfig defaults() {
        return new ServerConfig(ServerSettings.DEFAULT, IngestSettings.DEFAULT, PipelineSettings.DEFAULT, Map.of(),
                DriftConfig.DEFAULT, AlertingConfig.NONE, Limits.DEFAULT, TrainingConfig.DEFAULT, IncidentConfig.DEFAULT);
    }

    // ---- the keys of the sections ----

    public int port() {
        return server.port();
    }

    public String bind() {
        return server.bind();
    }

    public Path dataDir() {
        return server.dataDir();
    }

    /** JDBC URL, or {@code null} for the embedded SQLite file under {@code dataDir}. */
    public String db() {
        return server.db();
    }

    public Duration shutdownGrace() {
        return server.shutdownGrace();
    }

    public AccessConfig access() {
        return server.access();
    }

    public long maxBodyBytes() {
        return ingest.maxBodyBytes();
    }

    public int maxEventsPerRequest() {
        return ingest.maxEventsPerRequest();
    }

    public int maxFeatures() {
        return ingest.maxFeatures();
    }

    public Duration maxFutureSkew() {
        return ingest.maxFutureSkew();
    }

    public long maxQueuedEvents() {
        return ingest.maxQueuedEvents();
    }

    public Duration maxQueueWait() {
        return ingest.maxQueueWait();
    }

    public long logSegmentBytes() {
        return pipeline.logSegmentBytes();
    }

    public boolean fsync() {
        return pipeline.fsync();
    }

    public Duration flushInterval() {
        return pipeline.aggregation().flushInterval();
    }

    public SketchSettings sketches() {
        return pipeline.aggregation().sketches();
    }

    public Duration parkAfter() {
        return pipeline.aggregation().parkAfter();
    }

    public Duration joinHorizon() {
        return pipeline.aggregation().joinHorizon();
    }

    public long idFilterCapacity() {
        return pipeline.aggregation().idFilterCapacity();
    }

    /** {@code aggregation.profile_threads}. */
    public int profileThreads() {
        return pipeline.aggregation().profileThreads();
    }

    public Duration retentionBase() {
        return pipeline.retention().base();
    }

    public Duration retentionHour() {
        return pipeline.retention().hour();
    }

    public Duration retentionDay() {
        return pipeline.retention().day();
    }

    public Duration expositionWindow() {
        return pipeline.expositionWindow();
    }

    /** The JDBC URL actually used. */
    public String jdbcUrl() {
        return db() != null ? db() : "jdbc:sqlite:" + dataDir().resolve("modelwatch.db").toAbsolutePath();
    }

    /** How far back an event may lie: the longest profile retention. */
    public Duration maxEventAge() {
        Duration max = retentionBase();
        if (retentionHour().compareTo(max) > 0) {
            max = retentionHour();
        }
        if (retentionDay().compareTo(max) > 0) {
            max = retentionDay();
        }
        return max;
    }

    /** The limits applied to request bodies and events at ingest. */
    public IngestLimits ingestLimits() {
        return new IngestLimits(maxBodyBytes(), maxEventsPerRequest(), maxFeatures(), maxEventAge(), maxFutureSkew());
    }

    // ---- changed copies ----

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

    /** These settings with another drift configuration. */
    public ServerConfig withDrift(DriftConfig d) {
        return new ServerConfig(server, ingest, pipeline, models, d, alerting, limits, training, incidents);
    }

    /** These settings with another alerting configuration. */
    public ServerConfig withAlerting(AlertingConfig a) {
        return new ServerConfig(server, ingest, pipeline, models, drift, a, limits, training, incidents);
    }

    /** These settings with another access configuration ({@code server.auth}, {@code server.external_url}, ...). */
    public ServerConfig withAccess(AccessConfig a) {
        ServerSettings s = server;
        return new ServerConfig(new ServerSettings(s.port(), s.bind(), s.dataDir(), s.db(), s.shutdownGrace(), a), ingest,
                pipeline, models, drift, alerting, limits, training, incidents);
    }

    /** These settings with another {@code training:} section. */
    public ServerConfig withTraining(TrainingConfig t) {
        return new ServerConfig(server, ingest, pipeline, models, drift, alerting, limits, t, incidents);
    }

    /** These settings with another {@code incidents:} section. */
    public ServerConfig withIncidents(IncidentConfig i) {
        return new ServerConfig(server, ingest, pipeline, models, drift, alerting, limits, training, i);
    }

    /** These settings with other limits. */
    public ServerConfig withLimits(Limits l) {
        return new ServerConfig(server, ingest, pipeline, models, drift, alerting, l, training, incidents);
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
            this.port = c.port();
            this.bind = c.bind();
            this.dataDir = c.dataDir();
            this.db = c.db();
            this.maxBodyBytes = c.maxBodyBytes();
            this.flushInterval = c.flushInterval();
            this.shutdownGrace = c.shutdownGrace();
            this.parkAfter = c.parkAfter();
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
            IngestSettings i = c.ingest;
            PipelineSettings p = c.pipeline;
            PipelineSettings.Aggregation a = p.aggregation();
            return new ServerConfig(
                    new ServerSettings(port, bind, dataDir, db, shutdownGrace, c.access()),
                    new IngestSettings(maxBodyBytes, i.maxEventsPerRequest(), i.maxFeatures(), i.maxFutureSkew(),
                            i.maxQueuedEvents(), i.maxQueueWait()),
                    new PipelineSettings(p.logSegmentBytes(), p.fsync(), new PipelineSettings.Aggregation(flushInterval,
                            a.sketches(), parkAfter, a.joinHorizon(), a.idFilterCapacity(), a.profileThreads()),
                            p.retention(),
                            p.expositionWindow()),
                    c.models, c.drift, c.alerting, c.limits, c.training, c.incidents);
        }
    }
}
