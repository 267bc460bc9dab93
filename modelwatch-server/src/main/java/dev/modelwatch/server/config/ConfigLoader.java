package dev.modelwatch.server.config;

import dev.modelwatch.server.ingest.Limits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.incident.IncidentConfig;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.lifecycle.RuleGroup;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.drift.DriftConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code modelwatch.yml}. Every problem is collected and reported at once, each naming the
 * key path, so that a user fixes the file in one pass. Unknown keys are errors (a typo must not be
 * silently ignored).
 */
public final class ConfigLoader {
    private final ConfigReader r = new ConfigReader();
    /** Environment variables, where secrets named in the file ({@code *_env}) are read. */
    private final java.util.function.Function<String, String> env;

    private ConfigLoader(java.util.function.Function<String, String> env) {
        this.env = env;
    }

    public static ServerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(text, file.toString());
    }

    public static ServerConfig parse(String yaml, String source) {
        return parse(yaml, source, System::getenv);
    }

    /** {@link #parse(String, String)} with the environment variables secrets are read from. */
    public static ServerConfig parse(String yaml, String source, java.util.function.Function<String, String> env) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage() + locationOf(e)));
        }
        ConfigLoader loader = new ConfigLoader(env);
        ServerConfig config = loader.read(root);
        if (!loader.r.problems.isEmpty()) {
            YamlLines lines = YamlLines.of(yaml);
            List<String> located = new ArrayList<>();
            for (String problem : loader.r.problems) {
                int line = lines.lineOf(problem);
                located.add(line > 0 ? "line " + line + ": " + problem : problem);
            }
            throw new ConfigException(source, located);
        }
        return config;
    }

    /**
     * Checks a rule file: a Prometheus-style file with {@code groups:}, or a whole
     * {@code modelwatch.yml}. Returns a one-line summary of what it holds.
     *
     * @throws ConfigException with every problem, each with its line
     */
    @SuppressWarnings("unchecked")
    public static String checkRules(String yaml, String source) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage() + locationOf(e)));
        }
        if (root != null && root.isObject() && root.has("groups")) {
            ConfigProblems problems = new ConfigProblems();
            Map<String, Object> file = dev.modelwatch.server.json.Json.MAPPER.convertValue(root, Map.class);
            List<RuleGroup> groups = RuleGroup.parseFile(file, "", problems);
            if (!problems.isEmpty()) {
                YamlLines lines = YamlLines.of(yaml);
                List<String> located = new ArrayList<>();
                for (String p : problems.list()) {
                    String problem = p.startsWith(": ") ? p.substring(2) : p;
                    int line = lines.lineOf(problem);
                    located.add(line > 0 ? "line " + line + ": " + problem : problem);
                }
                throw new ConfigException(source, located);
            }
            int rules = groups.stream().mapToInt(g -> g.rules().size()).sum();
            return rules + " rule(s) in " + groups.size() + " group(s)";
        }
        ServerConfig c = parse(yaml, source);
        return c.alerting().rules().size() + " rule(s), " + c.alerting().receivers().size() + " receiver(s)"
                + (c.alerting().route() == null ? ", no route" : "");
    }

    private static String locationOf(com.fasterxml.jackson.core.JsonProcessingException e) {
        if (e.getLocation() != null) {
            return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return "";
    }

    private ServerConfig read(JsonNode root) {
        ServerConfig d = ServerConfig.defaults();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return d;
        }
        if (!root.isObject()) {
            r.problems.add("the file must be a mapping of sections (server, ingest, ...)");
            return d;
        }
        r.checkKeys(root, "", Set.of("server", "ingest", "log", "aggregation", "labels", "retention", "metrics",
                "models", "drift", "alerting", "rules", "route", "receivers", "inhibit_rules", "limits", "training", "incidents"));
        AlertingConfig alerting = AlertingSection.read(r, root, env);
        JsonNode server = r.section(root, "server", Set.of("port", "bind", "data_dir", "db", "auth", "insecure_no_auth",
                "external_url", "tls", "shutdown_grace"));
        JsonNode ingest = r.section(root, "ingest", Set.of("max_body_bytes", "max_events_per_request", "max_features",
                "max_future_skew", "max_queued_events", "max_queue_wait"));
        JsonNode log = r.section(root, "log", Set.of("segment_bytes", "fsync"));
        JsonNode agg = r.section(root, "aggregation", Set.of("flush_interval", "sketch", "park_after", "profile_threads"));
        JsonNode sketch = agg.path("sketch");
        if (!sketch.isMissingNode()) {
            r.checkKeys(sketch, "aggregation.sketch.", Set.of("kll_k", "feature_kll_k", "items_map_size", "hll_lg_k"));
        }
        JsonNode labels = r.section(root, "labels", Set.of("join_horizon", "id_filter_capacity"));
        JsonNode retention = r.section(root, "retention", Set.of("base", "hour", "day"));
        JsonNode metrics = r.section(root, "metrics", Set.of("exposition_window"));

        int port = r.intValue(server, "server.port", "port", d.port(), 0, 65535);
        String bind = r.textValue(server, "server.bind", "bind", d.bind());
        String dataDir = r.textValue(server, "server.data_dir", "data_dir", d.dataDir().toString());
        String db = r.textValue(server, "server.db", "db", null);
        if (db != null && !(db.startsWith("jdbc:sqlite:") || db.startsWith("jdbc:postgresql:")
                || db.startsWith("jdbc:mysql:") || db.startsWith("jdbc:mariadb:"))) {
            r.problems.add("server.db: '" + db + "' is not a jdbc:sqlite:, jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb: URL");
        }
        AccessConfig access = AccessSection.read(r, server);
        long maxBody = r.longValue(ingest, "ingest.max_body_bytes", "max_body_bytes", d.maxBodyBytes(), 1024, 1L << 31);
        int maxEvents = r.intValue(ingest, "ingest.max_events_per_request", "max_events_per_request",
                d.maxEventsPerRequest(), 1, 10_000_000);
        int maxFeatures = r.intValue(ingest, "ingest.max_features", "max_features", d.maxFeatures(), 1, 100_000);
        Duration skew = r.durationValue(ingest, "ingest.max_future_skew", "max_future_skew", d.maxFutureSkew());
        long maxQueued = r.longValue(ingest, "ingest.max_queued_events", "max_queued_events", d.maxQueuedEvents(), 1000,
                Long.MAX_VALUE);
        Duration maxQueueWait = r.durationValue(ingest, "ingest.max_queue_wait", "max_queue_wait", d.maxQueueWait());
        long segment = r.longValue(log, "log.segment_bytes", "segment_bytes", d.logSegmentBytes(), 1 << 16, 1L << 34);
        boolean fsync = r.boolValue(log, "log.fsync", "fsync", d.fsync());
        Duration flush = r.durationValue(agg, "aggregation.flush_interval", "flush_interval", d.flushInterval());
        Duration parkAfter = r.durationValue(agg, "aggregation.park_after", "park_after", d.parkAfter());
        int profileThreads = r.intValue(agg, "aggregation.profile_threads", "profile_threads", d.profileThreads(), 1, 64);
        Duration shutdownGrace = r.durationValue(server, "server.shutdown_grace", "shutdown_grace", d.shutdownGrace());
        if (parkAfter.isZero() || parkAfter.isNegative()) {
            r.problems.add("aggregation.park_after: must be positive");
        }
        if (shutdownGrace.isZero() || shutdownGrace.isNegative()) {
            r.problems.add("server.shutdown_grace: must be positive");
        }
        int kllK = r.intValue(sketch, "aggregation.sketch.kll_k", "kll_k", d.sketches().kllK(), 8, 65535);
        int featureKllK = r.intValue(sketch, "aggregation.sketch.feature_kll_k", "feature_kll_k",
                d.sketches().featureKllK(), 8, 65535);
        int mapSize = r.intValue(sketch, "aggregation.sketch.items_map_size", "items_map_size",
                d.sketches().itemsMapSize(), 8, 1 << 20);
        int lgK = r.intValue(sketch, "aggregation.sketch.hll_lg_k", "hll_lg_k", d.sketches().hllLgK(), 4, 21);
        SketchSettings sketches = d.sketches();
        try {
            sketches = new SketchSettings(kllK, featureKllK, mapSize, lgK);
        } catch (IllegalArgumentException e) {
            r.problems.add("aggregation.sketch: " + e.getMessage());
        }
        Duration horizon = r.durationValue(labels, "labels.join_horizon", "join_horizon", d.joinHorizon());
        long idFilter = r.longValue(labels, "labels.id_filter_capacity", "id_filter_capacity", d.idFilterCapacity(), 1_000,
                2_000_000_000L);
        Duration rBase = r.durationValue(retention, "retention.base", "base", d.retentionBase());
        Duration rHour = r.durationValue(retention, "retention.hour", "hour", d.retentionHour());
        Duration rDay = r.durationValue(retention, "retention.day", "day", d.retentionDay());
        Duration exposition = r.durationValue(metrics, "metrics.exposition_window", "exposition_window",
                d.expositionWindow());
        if (flush.isZero() || flush.isNegative()) {
            r.problems.add("aggregation.flush_interval: must be positive");
        }
        JsonNode driftNode = r.section(root, "drift", Set.of("baseline"));
        Duration baseline = r.durationValue(driftNode, "drift.baseline", "baseline", DriftConfig.DEFAULT_BASELINE);
        if (baseline.isZero() || baseline.isNegative()) {
            r.problems.add("drift.baseline: must be positive");
            baseline = DriftConfig.DEFAULT_BASELINE;
        }
        ModelsSection.Declared declared = ModelsSection.read(r, root);
        Map<String, ModelSpec> models = declared.models();
        Limits limits = LimitsSection.read(r, root, models.size());
        IncidentConfig incidents = IncidentsSection.read(r, root);
        return new ServerConfig(
                new ServerSettings(port, bind, Path.of(dataDir), db, shutdownGrace, access),
                new IngestSettings(maxBody, maxEvents, maxFeatures, skew, maxQueued, maxQueueWait),
                new PipelineSettings(segment, fsync, new PipelineSettings.Aggregation(flush, sketches, parkAfter, horizon,
                        idFilter, profileThreads), new PipelineSettings.Retention(rBase, rHour, rDay), exposition),
                models, new DriftConfig(baseline, declared.drift()), alerting, limits,
                TrainingSection.read(r, root), incidents);
    }

    /**
     * Reads a model declaration (the body of {@code PUT /api/v1/models/{m}} or an entry of
     * {@code models:}); problems are added to {@code problems}, each prefixed with {@code path}.
     */
    public static ModelSpec modelSpec(String name, JsonNode node, String path, List<String> problems) {
        return ModelsSection.modelSpec(name, node, path, problems);
    }

}
