package dev.modelwatch.server.alert;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.Route;
import dev.modelwatch.server.alert.dispatch.RouteConfig;
import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.SilenceCounts;
import dev.modelwatch.server.alert.dispatch.MatcherParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One value of each stored alerting document, with every optional field both set and unset somewhere,
 * a non-finite value and a fingerprint past 2^63 (unsigned order): what the stored-format fixtures
 * under {@code fixtures/alert-state} hold.
 */
final class StoredFormatSamples {
    static final long T0 = 1_800_000_000_000L;
    static final String ROUTE = String.join("\n", "receiver: ops", "group_by: [model]", "group_wait: 10s",
            "group_interval: 1m", "repeat_interval: 4h", "escalate: {after: 30m, receiver: oncall}", "routes:",
            "- {matchers: ['severity=\"critical\"'], receiver: oncall, continue: true}");

    private StoredFormatSamples() {
    }

    static Route route() {
        try {
            Object tree = new YAMLMapper().readValue(ROUTE, Object.class);
            ConfigProblems problems = new ConfigProblems();
            RouteConfig cfg = RouteConfig.parse(ConfigNode.root(tree, "route", problems));
            if (!problems.isEmpty()) {
                throw new AssertionError(problems.toString());
            }
            return Route.of(cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SeriesLabels labels(String... kv) {
        return SeriesLabels.of(kv);
    }

    static Map<String, RuleState> rules() {
        SeriesLabels firingLabels = labels("alertname", "Drift", "model", "fraud", "severity", "critical");
        AlertInstance firing = new AlertInstance(AlertFingerprint.of(firingLabels), firingLabels,
                labels("__name__", "psi", "model", "fraud"), Map.of("summary", "PSI is high", "value", "0.31"),
                AlertState.FIRING, 0.31, T0 - 60_000, T0 - 360_000, T0 - 60_000, T0 - 900_000, T0 - 5_000,
                T0 - 60_000, T0 - 800_000, true, T0 + 120_000, new Acknowledgement("ana", "looking at it", T0 - 1_000),
                T0);
        SeriesLabels noDataLabels = labels("alertname", "NoTraffic", "model", "churn");
        AlertInstance noData = new AlertInstance(AlertFingerprint.of(noDataLabels), noDataLabels, noDataLabels,
                Map.of(), AlertState.NO_DATA, Double.NaN, T0, null, null, null, null, null, null, false, null, null,
                null);
        SeriesLabels infLabels = labels("alertname", "Latency", "model", "ranker");
        AlertInstance pending = new AlertInstance(AlertFingerprint.of(infLabels), infLabels, infLabels, Map.of(),
                AlertState.PENDING, Double.POSITIVE_INFINITY, T0, T0, null, null, null, null, null, false, null, null,
                T0);
        Map<String, RuleState> out = new LinkedHashMap<>();
        out.put("Drift", new RuleState("Drift", Map.of(firing.fingerprint(), firing), T0, null, null));
        out.put("NoTraffic", new RuleState("NoTraffic", Map.of(noData.fingerprint(), noData, pending.fingerprint(),
                pending), T0, "query failed: no such metric", T0 - 30_000));
        out.put("Idle", RuleState.initial("Idle"));
        return out;
    }

    static Alert firingAlert() {
        return new Alert(AlertFingerprint.of(labels("alertname", "Drift", "model", "fraud", "severity", "critical")),
                labels("alertname", "Drift", "model", "fraud", "severity", "critical"), Map.of("summary", "PSI is high"),
                T0 - 60_000, null, "ana");
    }

    static Alert resolvedAlert() {
        return Alert.firing(labels("alertname", "Skew", "model", "fraud"), Map.of(), T0 - 600_000).resolve(T0 - 10_000);
    }

    static Dispatcher dispatcher() {
        Dispatcher d = Dispatcher.create(route()).ingest(List.of(firingAlert(),
                Alert.firing(labels("alertname", "Skew", "model", "fraud"), Map.of(), T0 - 600_000),
                Alert.firing(labels("alertname", "Muted", "model", "churn"), Map.of(), T0)),
                Map.of("silenced", (l, n) -> "Muted".equals(l.get("alertname"))), T0);
        d = d.tick(T0 + 10_000, r -> true).dispatcher();
        d = d.ingest(List.of(resolvedAlert()), T0 + 20_000);
        return d;
    }

    static List<Silence> silences() {
        return List.of(
                new Silence("5f0c", List.of(MatcherParser.parse("model=\"fraud\""), MatcherParser.parse("severity=~\"crit.*\"")),
                        T0 - 3_600_000, T0 + 3_600_000, "ana", "retraining"),
                new Silence("77aa", List.of(MatcherParser.parse("alertname=\"Muted\"")), T0, T0 + 60_000, "bo", ""));
    }

    static SilenceCounts silenceCounts() {
        long big = AlertFingerprint.of(labels("alertname", "Muted", "model", "churn"));
        return new SilenceCounts(Map.of("5f0c", Set.of(big, 42L, -2L), "77aa", Set.of()));
    }

    static Notification notification() {
        Dispatcher d = dispatcher();
        Dispatcher.Tick t = d.tick(T0 + 70_000, r -> true);
        return t.notifications().get(0);
    }
}
