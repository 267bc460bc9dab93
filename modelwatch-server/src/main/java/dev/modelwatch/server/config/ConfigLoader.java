package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.rules.Durations;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.AlertingConfig;
import dev.modelwatch.server.alert.DefaultRules;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.receiver.Notifiers;
import dev.modelwatch.server.alert.notify.receiver.ReceiverConfig;
import dev.modelwatch.server.alert.dispatch.Route;
import dev.modelwatch.server.alert.dispatch.RoutingConfig;
import dev.modelwatch.server.alert.inhibit.InhibitRule;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.lifecycle.RuleGroup;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.AuthMode;
import dev.modelwatch.server.auth.TlsConfig;
import dev.modelwatch.server.drift.DriftConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code modelwatch.yml}. Every problem is collected and reported at once, each naming the
 * key path, so that a user fixes the file in one pass. Unknown keys are errors (a typo must not be
 * silently ignored).
 */
public final class ConfigLoader {
    private final List<String> problems = new ArrayList<>();
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
        if (!loader.problems.isEmpty()) {
            YamlLines lines = YamlLines.of(yaml);
            List<String> located = new ArrayList<>();
            for (String problem : loader.problems) {
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
            Map<String, Object> file = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(root, Map.class);
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
            problems.add("the file must be a mapping of sections (server, ingest, ...)");
            return d;
        }
        checkKeys(root, "", Set.of("server", "ingest", "log", "aggregation", "labels", "retention", "metrics",
                "models", "drift", "alerting", "rules", "route", "receivers", "inhibit_rules", "limits"));
        AlertingConfig alerting = alerting(root);
        JsonNode server = section(root, "server", Set.of("port", "bind", "data_dir", "db", "auth", "insecure_no_auth",
                "external_url", "tls", "shutdown_grace"));
        JsonNode ingest = section(root, "ingest", Set.of("max_body_bytes", "max_events_per_request", "max_features",
                "max_future_skew", "max_queued_events", "max_queue_wait"));
        JsonNode log = section(root, "log", Set.of("segment_bytes", "fsync"));
        JsonNode agg = section(root, "aggregation", Set.of("flush_interval", "sketch", "park_after"));
        JsonNode sketch = agg.path("sketch");
        if (!sketch.isMissingNode()) {
            checkKeys(sketch, "aggregation.sketch.", Set.of("kll_k", "feature_kll_k", "items_map_size", "hll_lg_k"));
        }
        JsonNode labels = section(root, "labels", Set.of("join_horizon", "id_filter_capacity"));
        JsonNode retention = section(root, "retention", Set.of("base", "hour", "day"));
        JsonNode metrics = section(root, "metrics", Set.of("exposition_window"));

        int port = intValue(server, "server.port", "port", d.port(), 0, 65535);
        String bind = textValue(server, "server.bind", "bind", d.bind());
        String dataDir = textValue(server, "server.data_dir", "data_dir", d.dataDir().toString());
        String db = textValue(server, "server.db", "db", null);
        if (db != null && !(db.startsWith("jdbc:sqlite:") || db.startsWith("jdbc:postgresql:")
                || db.startsWith("jdbc:mysql:") || db.startsWith("jdbc:mariadb:"))) {
            problems.add("server.db: '" + db + "' is not a jdbc:sqlite:, jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb: URL");
        }
        AccessConfig access = access(server);
        long maxBody = longValue(ingest, "ingest.max_body_bytes", "max_body_bytes", d.maxBodyBytes(), 1024, 1L << 31);
        int maxEvents = intValue(ingest, "ingest.max_events_per_request", "max_events_per_request",
                d.maxEventsPerRequest(), 1, 10_000_000);
        int maxFeatures = intValue(ingest, "ingest.max_features", "max_features", d.maxFeatures(), 1, 100_000);
        Duration skew = durationValue(ingest, "ingest.max_future_skew", "max_future_skew", d.maxFutureSkew());
        long maxQueued = longValue(ingest, "ingest.max_queued_events", "max_queued_events", d.maxQueuedEvents(), 1000,
                Long.MAX_VALUE);
        Duration maxQueueWait = durationValue(ingest, "ingest.max_queue_wait", "max_queue_wait", d.maxQueueWait());
        long segment = longValue(log, "log.segment_bytes", "segment_bytes", d.logSegmentBytes(), 1 << 16, 1L << 34);
        boolean fsync = boolValue(log, "log.fsync", "fsync", d.fsync());
        Duration flush = durationValue(agg, "aggregation.flush_interval", "flush_interval", d.flushInterval());
        Duration parkAfter = durationValue(agg, "aggregation.park_after", "park_after", d.parkAfter());
        Duration shutdownGrace = durationValue(server, "server.shutdown_grace", "shutdown_grace", d.shutdownGrace());
        if (parkAfter.isZero() || parkAfter.isNegative()) {
            problems.add("aggregation.park_after: must be positive");
        }
        if (shutdownGrace.isZero() || shutdownGrace.isNegative()) {
            problems.add("server.shutdown_grace: must be positive");
        }
        int kllK = intValue(sketch, "aggregation.sketch.kll_k", "kll_k", d.sketches().kllK(), 8, 65535);
        int featureKllK = intValue(sketch, "aggregation.sketch.feature_kll_k", "feature_kll_k",
                d.sketches().featureKllK(), 8, 65535);
        int mapSize = intValue(sketch, "aggregation.sketch.items_map_size", "items_map_size",
                d.sketches().itemsMapSize(), 8, 1 << 20);
        int lgK = intValue(sketch, "aggregation.sketch.hll_lg_k", "hll_lg_k", d.sketches().hllLgK(), 4, 21);
        SketchSettings sketches = d.sketches();
        try {
            sketches = new SketchSettings(kllK, featureKllK, mapSize, lgK);
        } catch (IllegalArgumentException e) {
            problems.add("aggregation.sketch: " + e.getMessage());
        }
        Duration horizon = durationValue(labels, "labels.join_horizon", "join_horizon", d.joinHorizon());
        long idFilter = longValue(labels, "labels.id_filter_capacity", "id_filter_capacity", d.idFilterCapacity(), 1_000,
                2_000_000_000L);
        Duration rBase = durationValue(retention, "retention.base", "base", d.retentionBase());
        Duration rHour = durationValue(retention, "retention.hour", "hour", d.retentionHour());
        Duration rDay = durationValue(retention, "retention.day", "day", d.retentionDay());
        Duration exposition = durationValue(metrics, "metrics.exposition_window", "exposition_window",
                d.expositionWindow());
        if (flush.isZero() || flush.isNegative()) {
            problems.add("aggregation.flush_interval: must be positive");
        }
        JsonNode driftNode = section(root, "drift", Set.of("baseline"));
        Duration baseline = durationValue(driftNode, "drift.baseline", "baseline", DriftConfig.DEFAULT_BASELINE);
        if (baseline.isZero() || baseline.isNegative()) {
            problems.add("drift.baseline: must be positive");
            baseline = DriftConfig.DEFAULT_BASELINE;
        }
        Map<String, DriftConfig.ModelDrift> modelDrift = new LinkedHashMap<>();
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        JsonNode modelsNode = root.path("models");
        if (!modelsNode.isMissingNode() && !modelsNode.isNull()) {
            if (!modelsNode.isObject()) {
                problems.add("models: must be a mapping of model name to declaration");
            } else {
                for (Map.Entry<String, JsonNode> e : modelsNode.properties()) {
                    JsonNode declaration = e.getValue();
                    if (declaration != null && declaration.isObject() && declaration.has("drift")) {
                        DriftConfig.ModelDrift md = modelDrift(declaration.get("drift"), "models." + e.getKey() + ".drift");
                        if (md != null) {
                            modelDrift.put(e.getKey(), md);
                        }
                        declaration = ((com.fasterxml.jackson.databind.node.ObjectNode) declaration.deepCopy()).without("drift");
                    }
                    ModelSpec spec = modelSpec(e.getKey(), declaration, "models." + e.getKey(), problems);
                    if (spec != null) {
                        models.put(e.getKey(), spec);
                    }
                }
            }
        }
        Limits limits = limits(root, models.size());
        return new ServerConfig(port, bind, Path.of(dataDir), db, maxBody, maxEvents, maxFeatures, skew, maxQueued,
                maxQueueWait, segment, fsync, flush, sketches, horizon, idFilter, rBase, rHour, rDay, exposition, models,
                new DriftConfig(baseline, modelDrift), alerting, shutdownGrace, parkAfter, access, limits);
    }

    /** {@code server.auth}, {@code server.insecure_no_auth}, {@code server.external_url}. */
    private AccessConfig access(JsonNode server) {
        AccessConfig d = AccessConfig.DEFAULT;
        AuthMode mode = d.mode();
        String modeText = textValue(server, "server.auth", "auth", null);
        if (modeText != null) {
            try {
                mode = AuthMode.parse(modeText);
            } catch (IllegalArgumentException e) {
                problems.add("server.auth: " + e.getMessage());
            }
        }
        boolean insecure = boolValue(server, "server.insecure_no_auth", "insecure_no_auth", d.insecureNoAuth());
        String external = textValue(server, "server.external_url", "external_url", d.externalUrl());
        if (external != null) {
            try {
                AccessConfig.originOf(external);
            } catch (IllegalArgumentException e) {
                problems.add("server.external_url: " + e.getMessage());
                external = null;
            }
        }
        TlsConfig tls = null;
        JsonNode tlsNode = server.path("tls");
        if (!tlsNode.isMissingNode() && !tlsNode.isNull()) {
            checkKeys(tlsNode, "server.tls.", Set.of("cert_file", "key_file", "keystore_file", "keystore_password_env"));
            String cert = textValue(tlsNode, "server.tls.cert_file", "cert_file", null);
            String key = textValue(tlsNode, "server.tls.key_file", "key_file", null);
            String keystore = textValue(tlsNode, "server.tls.keystore_file", "keystore_file", null);
            tls = new TlsConfig(cert == null ? null : Path.of(cert), key == null ? null : Path.of(key),
                    keystore == null ? null : Path.of(keystore),
                    textValue(tlsNode, "server.tls.keystore_password_env", "keystore_password_env", null));
            if (tls.problem() != null) {
                problems.add("server.tls: " + tls.problem());
                tls = null;
            }
        }
        return new AccessConfig(mode, insecure, external, tls);
    }
                
    /** The {@code limits:} section; the declared models must fit in {@code max_models}. */
    private Limits limits(JsonNode root, int declaredModels) {
        Limits d = Limits.DEFAULT;
        JsonNode l = section(root, "limits", Set.of("max_models", "max_versions_per_model",
                "max_segment_keys_per_model", "max_segment_values_per_key", "max_features_per_model",
                "max_classes_per_model", "max_buffered_profile_bytes", "max_queued_event_bytes"));
        int models = intValue(l, "limits.max_models", "max_models", d.maxModels(), 1, 10_000_000);
        int versions = intValue(l, "limits.max_versions_per_model", "max_versions_per_model", d.maxVersionsPerModel(),
                1, 1_000_000);
        int keys = intValue(l, "limits.max_segment_keys_per_model", "max_segment_keys_per_model",
                d.maxSegmentKeysPerModel(), 1, 1_000);
        int values = intValue(l, "limits.max_segment_values_per_key", "max_segment_values_per_key",
                d.maxSegmentValuesPerKey(), 1, 1_000_000);
        int features = intValue(l, "limits.max_features_per_model", "max_features_per_model",
                d.maxFeaturesPerModel(), 1, 100_000);
        int classes = intValue(l, "limits.max_classes_per_model", "max_classes_per_model", d.maxClassesPerModel(),
                2, 100_000);
        long buffered = longValue(l, "limits.max_buffered_profile_bytes", "max_buffered_profile_bytes",
                d.maxBufferedProfileBytes(), 1L << 20, 1L << 40);
        long queued = longValue(l, "limits.max_queued_event_bytes", "max_queued_event_bytes",
                d.maxQueuedEventBytes(), 1L << 20, 1L << 40);
        if (declaredModels > models) {
            problems.add("limits.max_models: " + declaredModels + " models are declared under models:, more than "
                    + models);
        }
        try {
            return new Limits(models, versions, keys, values, features, classes, buffered, queued);
        } catch (IllegalArgumentException e) {
            problems.add("limits: " + e.getMessage());
            return d;
        }
    }

    /**
     * The alerting sections, read by the alert pipeline's own parsers (Prometheus rule and
     * Alertmanager route syntax); their problems join this file's, each with its path.
     */
    @SuppressWarnings("unchecked")
    private AlertingConfig alerting(JsonNode root) {
        JsonNode settings = section(root, "alerting", Set.of("evaluation_interval", "lookback_delta", "default_rules"));
        boolean defaultRules = boolValue(settings, "alerting.default_rules", "default_rules", true);
        Duration interval = durationValue(settings, "alerting.evaluation_interval", "evaluation_interval",
                Duration.ofMillis(AlertingConfig.DEFAULT_EVALUATION_INTERVAL_MS));
        Duration lookback = durationValue(settings, "alerting.lookback_delta", "lookback_delta",
                Duration.ofMillis(AlertingConfig.DEFAULT_LOOKBACK_DELTA_MS));
        if (interval.toMillis() < 100) {
            problems.add("alerting.evaluation_interval: must be at least 100ms");
            interval = Duration.ofMillis(AlertingConfig.DEFAULT_EVALUATION_INTERVAL_MS);
        }
        Map<String, Object> file = new LinkedHashMap<>();
        for (String k : List.of("rules", "route", "receivers", "inhibit_rules")) {
            if (root.has(k) && !root.get(k).isNull()) {
                file.put(k, new com.fasterxml.jackson.databind.ObjectMapper().convertValue(root.get(k), Object.class));
            }
        }
        ConfigProblems found = new ConfigProblems();
        ConfigNode node = ConfigNode.root(file, "", found);
        List<AlertRule> rules = node.get("rules").isPresent() ? RuleGroup.parseRuleList(node.get("rules")) : List.of();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (AlertRule r : rules) {
            if (!names.add(r.name())) {
                found.add("rules", "two rules are named '" + r.name() + "'; rule names must be unique");
            }
        }
        RoutingConfig routing = RoutingConfig.parse(node);
        List<InhibitRule> inhibit = node.get("inhibit_rules").isPresent()
                ? InhibitRule.parseAll(node.get("inhibit_rules")) : List.of();
        problems.addAll(found.list());
        int reported = found.size();
        Map<String, List<Notifier>> receivers = new LinkedHashMap<>();
        List<ReceiverConfig> receiverConfigs = node.get("receivers").isPresent()
                ? ReceiverConfig.parse(node.get("receivers"), env) : List.of();
        problems.addAll(found.list().subList(Math.min(found.size(), reported), found.size()));
        java.net.http.HttpClient http = receiverConfigs.isEmpty() ? null : Notifiers.httpClient(Duration.ofSeconds(5));
        for (ReceiverConfig r : receiverConfigs) {
            receivers.put(r.name(), Notifiers.forReceiver(r, http, java.time.Clock.systemUTC()));
        }
        for (String r : routing.receivers()) {
            receivers.putIfAbsent(r, List.of());
        }
        Route route = null;
        if (routing.route() != null && found.isEmpty()) {
            route = routing.tree();
        }
        return new AlertingConfig(defaultRules ? DefaultRules.merge(rules) : rules, route, receivers, inhibit,
                interval.toMillis(), lookback.toMillis());
    }

    /**
     * A model's {@code drift:} entry: {@code baseline}, {@code method} and {@code thresholds} (method
     * name to threshold) for every feature, {@code features} (name to {@code method}/{@code thresholds}
     * of its own), {@code feature_importances} (name to a weight >= 0) and {@code multiple_testing}
     * ({@code benjamini_hochberg}, {@code bonferroni} or {@code none}).
     */
    private DriftConfig.ModelDrift modelDrift(JsonNode n, String path) {
        if (!n.isObject()) {
            problems.add(path + ": must be a mapping");
            return null;
        }
        int before = problems.size();
        checkKeys(n, path + ".", Set.of("baseline", "method", "thresholds", "features", "feature_importances",
                "multiple_testing"));
        Duration baseline = n.has("baseline") ? durationValue(n, path + ".baseline", "baseline", null) : null;
        if (baseline != null && (baseline.isZero() || baseline.isNegative())) {
            problems.add(path + ".baseline: must be positive");
        }
        dev.modelwatch.core.drift.DriftPolicy.Builder policy = dev.modelwatch.core.drift.DriftPolicy.builder();
        dev.modelwatch.core.drift.DriftOverride all = driftOverride(n, path);
        if (all != null) {
            policy.model(all);
        }
        JsonNode adjustment = n.get("multiple_testing");
        if (adjustment != null && !adjustment.isNull()) {
            try {
                policy.multipleTesting(dev.modelwatch.core.drift.MultipleTesting.fromWireName(adjustment.asText()));
            } catch (IllegalArgumentException e) {
                problems.add(path + ".multiple_testing: " + e.getMessage());
            }
        }
        JsonNode features = n.path("features");
        if (!features.isMissingNode() && !features.isNull()) {
            if (!features.isObject()) {
                problems.add(path + ".features: must be a mapping of feature name to {method, thresholds}");
            } else {
                for (Map.Entry<String, JsonNode> f : features.properties()) {
                    String fp = path + ".features." + f.getKey();
                    if (!f.getValue().isObject()) {
                        problems.add(fp + ": must be a mapping with method and/or thresholds");
                        continue;
                    }
                    checkKeys(f.getValue(), fp + ".", Set.of("method", "thresholds"));
                    dev.modelwatch.core.drift.DriftOverride o = driftOverride(f.getValue(), fp);
                    if (o != null) {
                        policy.feature(f.getKey(), o);
                    }
                }
            }
        }
        Map<String, Double> importances = new LinkedHashMap<>();
        JsonNode imp = n.path("feature_importances");
        if (!imp.isMissingNode() && !imp.isNull()) {
            if (!imp.isObject()) {
                problems.add(path + ".feature_importances: must be a mapping of feature name to a number >= 0");
            } else {
                for (Map.Entry<String, JsonNode> w : imp.properties()) {
                    if (!w.getValue().isNumber() || !(w.getValue().asDouble() >= 0)) {
                        problems.add(path + ".feature_importances." + w.getKey() + ": must be a number >= 0");
                    } else {
                        importances.put(w.getKey(), w.getValue().asDouble());
                    }
                }
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new DriftConfig.ModelDrift(baseline, policy.build(), importances);
    }

    /** {@code method} and {@code thresholds} of a model's or a feature's drift entry; null when absent or wrong. */
    private dev.modelwatch.core.drift.DriftOverride driftOverride(JsonNode n, String path) {
        dev.modelwatch.core.drift.DriftMethod method = null;
        JsonNode m = n.get("method");
        if (m != null && !m.isNull()) {
            try {
                method = dev.modelwatch.core.drift.DriftMethod.fromWireName(m.asText());
            } catch (IllegalArgumentException e) {
                problems.add(path + ".method: " + e.getMessage());
            }
        }
        Map<dev.modelwatch.core.drift.DriftMethod, Double> thresholds = new LinkedHashMap<>();
        JsonNode t = n.get("thresholds");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) {
                problems.add(path + ".thresholds: must be a mapping of method (ks, wasserstein, psi, jensen_shannon,"
                        + " chi_square) to threshold");
            } else {
                for (Map.Entry<String, JsonNode> e : t.properties()) {
                    try {
                        dev.modelwatch.core.drift.DriftMethod dm = dev.modelwatch.core.drift.DriftMethod.fromWireName(e.getKey());
                        if (!e.getValue().isNumber()) {
                            problems.add(path + ".thresholds." + e.getKey() + ": must be a number");
                            continue;
                        }
                        dm.checkThreshold(e.getValue().asDouble());
                        thresholds.put(dm, e.getValue().asDouble());
                    } catch (IllegalArgumentException ex) {
                        problems.add(path + ".thresholds." + e.getKey() + ": " + ex.getMessage());
                    }
                }
            }
        }
        if (method == null && thresholds.isEmpty()) {
            return null;
        }
        try {
            return new dev.modelwatch.core.drift.DriftOverride(method, thresholds);
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Reads a model declaration (the body of {@code PUT /api/v1/models/{m}} or an entry of
     * {@code models:}); problems are added to {@code problems}, each prefixed with {@code path}.
     */
    public static ModelSpec modelSpec(String name, JsonNode node, String path, List<String> problems) {
        int before = problems.size();
        if (!dev.modelwatch.server.ingest.EventDecoder.isModelName(name)) {
            problems.add(path + ": model name " + dev.modelwatch.server.ingest.EventDecoder.modelNameProblem(name));
        }
        if (node == null || !node.isObject()) {
            problems.add(path + ": must be an object with task, positive_class, window");
            return null;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!Set.of("task", "positive_class", "window").contains(k)) {
                problems.add(path + "." + k + ": unknown key; expected task, positive_class, window");
            }
        }
        ModelTask task = null;
        JsonNode t = node.get("task");
        if (t == null || !t.isTextual()) {
            problems.add(path + ".task: required, one of binary_classification, multiclass_classification, regression");
        } else {
            try {
                task = ModelTask.fromWireName(t.asText());
            } catch (IllegalArgumentException e) {
                problems.add(path + ".task: " + e.getMessage());
            }
        }
        String positive = ModelSpec.DEFAULT_POSITIVE_CLASS;
        JsonNode pc = node.get("positive_class");
        if (pc != null && !pc.isNull()) {
            if (pc.isTextual() || pc.isNumber() || pc.isBoolean()) {
                positive = pc.isNumber() ? dev.modelwatch.core.event.ClassNames.of(pc.asDouble()) : pc.asText();
                String unstorable = dev.modelwatch.server.ingest.StorableText.problem(positive);
                if (unstorable != null) {
                    problems.add(path + ".positive_class: " + unstorable);
                }
            } else {
                problems.add(path + ".positive_class: must be a string or a number");
            }
        }
        long windowMs = ModelSpec.DEFAULT_WINDOW_MS;
        JsonNode w = node.get("window");
        if (w != null && !w.isNull()) {
            try {
                windowMs = durationMillis(w.asText());
            } catch (IllegalArgumentException e) {
                problems.add(path + ".window: " + e.getMessage());
            }
        }
        if (problems.size() > before || task == null) {
            return null;
        }
        try {
            return new ModelSpec(name, task, positive, windowMs, true);
        } catch (IllegalArgumentException e) {
            problems.add(path + ".window: " + e.getMessage() + " (for example 1s, 10s, 1m, 5m, 1h)");
            return null;
        }
    }

    private JsonNode section(JsonNode root, String name, Set<String> keys) {
        JsonNode n = root.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        if (!n.isObject()) {
            problems.add(name + ": must be a mapping");
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        checkKeys(n, name + ".", keys);
        return n;
    }

    private void checkKeys(JsonNode node, String prefix, Set<String> allowed) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                problems.add(prefix + k + ": unknown key; expected one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    private int intValue(JsonNode n, String path, String key, int def, int min, int max) {
        return (int) longValue(n, path, key, def, min, max);
    }

    private long longValue(JsonNode n, String path, String key, long def, long min, long max) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            problems.add(path + ": must be an integer, got '" + v.asText() + "'");
            return def;
        }
        long x = v.asLong();
        if (x < min || x > max) {
            problems.add(path + ": must be between " + min + " and " + max + ", got " + x);
            return def;
        }
        return x;
    }

    private boolean boolValue(JsonNode n, String path, String key, boolean def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.isBoolean()) {
            problems.add(path + ": must be true or false, got '" + v.asText() + "'");
            return def;
        }
        return v.asBoolean();
    }

    private String textValue(JsonNode n, String path, String key, String def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.isValueNode()) {
            problems.add(path + ": must be a string");
            return def;
        }
        return v.asText();
    }

    private Duration durationValue(JsonNode n, String path, String key, Duration def) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        try {
            return Duration.ofMillis(durationMillis(v.asText()));
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return def;
        }
    }

    /** {@code text} in the grammar of {@link Durations}; the problem names the value. */
    private static long durationMillis(String text) {
        if (!Durations.isValid(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 10s, 1m, 2h, 7d");
        }
        return Durations.parseMillis(text);
    }
}
