package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.incident.ActionConfig;
import dev.modelwatch.server.incident.IncidentConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code incidents:} section: {@code reopen_within}, {@code diagnosis_lookback}, {@code keep} and
 * {@code actions} (model name to a list of actions), as docs/incidents.md describes them.
 */
final class IncidentsSection {
    /** A hook's timeout when none is given. */
    static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(10);

    private IncidentsSection() {
    }

    static IncidentConfig read(ConfigReader r, JsonNode root) {
        IncidentConfig d = IncidentConfig.DEFAULT;
        JsonNode n = r.section(root, "incidents", Set.of("reopen_within", "diagnosis_lookback", "actions", "keep"));
        Duration keep = positive(r, r.durationValue(n, "incidents.keep", "keep", d.keep()), "incidents.keep", d.keep(),
                false);
        Duration reopen = positive(r, r.durationValue(n, "incidents.reopen_within", "reopen_within", d.reopenWithin()),
                "incidents.reopen_within", d.reopenWithin(), true);
        Duration lookback = positive(r, r.durationValue(n, "incidents.diagnosis_lookback", "diagnosis_lookback",
                d.diagnosisLookback()), "incidents.diagnosis_lookback", d.diagnosisLookback(), false);
        Map<String, List<ActionConfig>> actions = new LinkedHashMap<>();
        JsonNode models = n.path("actions");
        if (!models.isMissingNode() && !models.isNull()) {
            if (!models.isObject()) {
                r.problems.add("incidents.actions: must be a mapping of model name to a list of actions");
            } else {
                for (Map.Entry<String, JsonNode> m : models.properties()) {
                    String path = "incidents.actions." + m.getKey();
                    if (!m.getValue().isArray()) {
                        r.problems.add(path + ": must be a list of actions ({name, webhook | command, ...})");
                        continue;
                    }
                    List<ActionConfig> list = new ArrayList<>();
                    Set<String> names = new HashSet<>();
                    for (int i = 0; i < m.getValue().size(); i++) {
                        ActionConfig a = action(r, m.getValue().get(i), path + "[" + i + "]");
                        if (a != null && !names.add(a.name())) {
                            r.problems.add(path + "[" + i + "].name: '" + a.name() + "' is already an action of "
                                    + m.getKey());
                        } else if (a != null) {
                            list.add(a);
                        }
                    }
                    actions.put(m.getKey(), List.copyOf(list));
                }
            }
        }
        return new IncidentConfig(reopen, lookback, actions, keep);
    }

    private static Duration positive(ConfigReader r, Duration v, String path, Duration def, boolean zeroAllowed) {
        if (v.isNegative() || (!zeroAllowed && v.isZero())) {
            r.problems.add(path + ": must be " + (zeroAllowed ? "zero or positive" : "positive"));
            return def;
        }
        return v;
    }

    private static ActionConfig action(ConfigReader r, JsonNode n, String path) {
        if (!n.isObject()) {
            r.problems.add(path + ": must be a mapping {name, webhook | command, auto, dry_run, cooldown, max_per_day}");
            return null;
        }
        int before = r.problems.size();
        r.checkKeys(n, path + ".", Set.of("name", "webhook", "command", "auto", "dry_run", "cooldown", "max_per_day"));
        String name = r.textValue(n, path + ".name", "name", null);
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            r.problems.add(path + ".name: required, 1 to 64 letters, digits, '_', '.' or '-' (e.g. rollback)");
        }
        ActionConfig.Hook hook = null;
        boolean webhook = n.hasNonNull("webhook");
        boolean command = n.hasNonNull("command");
        if (webhook == command) {
            r.problems.add(path + ": needs exactly one of webhook {url, timeout} or command {run, timeout}");
        } else if (webhook) {
            hook = webhook(r, n.get("webhook"), path + ".webhook");
        } else {
            hook = command(r, n.get("command"), path + ".command");
        }
        ActionConfig.AutoRun auto = n.hasNonNull("auto") ? auto(r, n.get("auto"), path + ".auto") : null;
        boolean dryRun = r.boolValue(n, path + ".dry_run", "dry_run", false);
        Duration cooldown = positive(r, r.durationValue(n, path + ".cooldown", "cooldown", ActionConfig.DEFAULT_COOLDOWN),
                path + ".cooldown", ActionConfig.DEFAULT_COOLDOWN, true);
        int maxPerDay = r.intValue(n, path + ".max_per_day", "max_per_day", ActionConfig.DEFAULT_MAX_PER_DAY, 1, 10_000);
        if (r.problems.size() > before || hook == null) {
            return null;
        }
        return new ActionConfig(name, hook, auto, dryRun, cooldown, maxPerDay);
    }

    private static ActionConfig.Hook webhook(ConfigReader r, JsonNode n, String path) {
        if (!n.isObject()) {
            r.problems.add(path + ": must be a mapping {url, timeout}");
            return null;
        }
        r.checkKeys(n, path + ".", Set.of("url", "timeout"));
        String url = r.textValue(n, path + ".url", "url", null);
        Duration timeout = timeout(r, n, path);
        if (url == null) {
            r.problems.add(path + ".url: required, the http(s) URL that receives the incident as JSON");
            return null;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                r.problems.add(path + ".url: '" + url + "' is not an http(s) URL with a host");
                return null;
            }
            return new ActionConfig.WebhookHook(uri, timeout);
        } catch (URISyntaxException e) {
            r.problems.add(path + ".url: '" + url + "' is not a URL: " + e.getReason());
            return null;
        }
    }

    private static ActionConfig.Hook command(ConfigReader r, JsonNode n, String path) {
        if (!n.isObject()) {
            r.problems.add(path + ": must be a mapping {run: [program, arg, ...], timeout}");
            return null;
        }
        r.checkKeys(n, path + ".", Set.of("run", "timeout"));
        JsonNode run = n.path("run");
        Duration timeout = timeout(r, n, path);
        if (!run.isArray() || run.isEmpty()) {
            r.problems.add(path + ".run: required, the program and its arguments as a list, e.g. [/opt/hooks/rollback.sh, fraud]");
            return null;
        }
        List<String> argv = new ArrayList<>();
        for (JsonNode a : run) {
            if (!a.isValueNode() || a.asText().isEmpty()) {
                r.problems.add(path + ".run: every element must be a non-empty string");
                return null;
            }
            argv.add(a.asText());
        }
        return new ActionConfig.CommandHook(argv, timeout);
    }

    private static Duration timeout(ConfigReader r, JsonNode n, String path) {
        Duration t = r.durationValue(n, path + ".timeout", "timeout", DEFAULT_HOOK_TIMEOUT);
        return positive(r, t, path + ".timeout", DEFAULT_HOOK_TIMEOUT, false);
    }

    private static ActionConfig.AutoRun auto(ConfigReader r, JsonNode n, String path) {
        if (!n.isObject()) {
            r.problems.add(path + ": must be a mapping {causes, severities, min_score}");
            return null;
        }
        r.checkKeys(n, path + ".", Set.of("causes", "severities", "min_score"));
        Set<CauseKind> causes = new LinkedHashSet<>();
        JsonNode c = n.path("causes");
        if (!c.isArray() || c.isEmpty()) {
            r.problems.add(path + ".causes: required, a list of cause kinds (" + kinds() + ")");
        } else {
            for (JsonNode k : c) {
                CauseKind kind = null;
                for (CauseKind x : CauseKind.values()) {
                    if (x.wireName().equals(k.asText())) {
                        kind = x;
                    }
                }
                if (kind == null) {
                    r.problems.add(path + ".causes: '" + k.asText() + "' is not a cause kind; expected one of " + kinds());
                } else {
                    causes.add(kind);
                }
            }
        }
        Set<String> severities = new LinkedHashSet<>();
        JsonNode s = n.path("severities");
        if (!s.isMissingNode() && !s.isNull()) {
            if (!s.isArray()) {
                r.problems.add(path + ".severities: must be a list of severity labels, e.g. [critical]");
            } else {
                s.forEach(x -> severities.add(x.asText()));
            }
        }
        double minScore = 0.5;
        JsonNode m = n.path("min_score");
        if (!m.isMissingNode() && !m.isNull()) {
            if (!m.isNumber() || !(m.asDouble() >= 0 && m.asDouble() <= 1)) {
                r.problems.add(path + ".min_score: must be a number from 0 to 1, got '" + m.asText() + "'");
            } else {
                minScore = m.asDouble();
            }
        }
        if (causes.isEmpty()) {
            return null;
        }
        return new ActionConfig.AutoRun(causes, severities, minScore);
    }

    private static String kinds() {
        List<String> out = new ArrayList<>();
        for (CauseKind k : CauseKind.values()) {
            out.add(k.wireName());
        }
        return String.join(", ", out);
    }
}
