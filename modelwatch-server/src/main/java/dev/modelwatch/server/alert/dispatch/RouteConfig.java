package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A node of the routing tree as written in the configuration (Alertmanager's {@code config.Route}):
 * every option is null when not written, so that {@link Route} can inherit it from the parent.
 *
 * <pre>
 * route:
 *   receiver: ops                     # required at the root
 *   group_by: [model, alertname]      # ['...']: group by all labels; [] or absent: inherit
 *   group_wait: 30s                   # root defaults: 30s, 5m, 4h (Alertmanager's)
 *   group_interval: 5m
 *   repeat_interval: 4h
 *   escalate: {after: 15m, receiver: managers}   # false: do not inherit the parent's
 *   routes:
 *     - matchers: ['severity="critical"', 'team=~"ml|data"']
 *       match: {model: fraud}           # deprecated forms, as Alertmanager: equality
 *       match_re: {version: "v[0-9]+"}  # and anchored regular expressions
 *       receiver: oncall
 *       continue: true
 * </pre>
 *
 * @param receiver          the receiver, null to inherit
 * @param groupBy           the group_by list as written ({@code ...} included), null (or empty) to inherit
 * @param matchers          all must match (empty: matches every alert)
 * @param groupWaitMs       null to inherit
 * @param groupIntervalMs   null to inherit
 * @param repeatIntervalMs  null to inherit
 * @param continueMatching  whether siblings after a match are tried too
 * @param escalate          the escalation, null to inherit (unless {@code escalateDisabled})
 * @param escalateDisabled  {@code escalate: false}: no escalation here even if the parent has one
 * @param routes            the child routes in order
 */
public record RouteConfig(String receiver, List<String> groupBy, List<LabelMatcher> matchers, Long groupWaitMs,
        Long groupIntervalMs, Long repeatIntervalMs, boolean continueMatching, Escalation escalate,
        boolean escalateDisabled, List<RouteConfig> routes) {
    /** The {@code group_by} value meaning "all labels". */
    public static final String GROUP_BY_ALL = "...";

    public RouteConfig {
        groupBy = groupBy == null ? null : List.copyOf(groupBy);
        matchers = matchers == null ? List.of() : List.copyOf(matchers);
        routes = routes == null ? List.of() : List.copyOf(routes);
        if (receiver != null && receiver.isBlank()) {
            receiver = null;
        }
    }

    /** A leaf route: {@code matchers} to {@code receiver}, everything else inherited. */
    public static RouteConfig leaf(String receiver, List<LabelMatcher> matchers) {
        return new RouteConfig(receiver, null, matchers, null, null, null, false, null, false, List.of());
    }

    /**
     * Reads the {@code route:} tree at {@code node}; every problem is recorded with its path
     * ({@code route.routes[1].group_wait: '10x' is not a duration (...)}). Returns null when the node
     * is absent; the parts that could be read otherwise (problems make the configuration unusable, but
     * are all reported).
     */
    public static RouteConfig parse(ConfigNode node) {
        if (node.isUnset()) {
            return null;
        }
        return parse(node, true);
    }

    private static RouteConfig parse(ConfigNode node, boolean root) {
        if (!node.allowKeys(Set.of("receiver", "group_by", "matchers", "match", "match_re", "group_wait",
                "group_interval", "repeat_interval", "continue", "routes", "escalate"))) {
            return null;
        }
        String receiver = node.get("receiver").asString();
        List<String> groupBy = groupBy(node.get("group_by"));
        List<LabelMatcher> matchers = matchers(node);
        Long wait = node.get("group_wait").asDurationMs();
        Long interval = nonZero(node.get("group_interval"));
        Long repeat = nonZero(node.get("repeat_interval"));
        Boolean cont = node.get("continue").asBoolean();
        Escalation escalate = null;
        boolean escalateDisabled = false;
        ConfigNode esc = node.get("escalate");
        if (!esc.isUnset()) {
            Object raw = esc.raw();
            if (Boolean.FALSE.equals(raw) || "false".equals(raw) || "none".equals(raw) || "off".equals(raw)) {
                escalateDisabled = true;
            } else if (esc.allowKeys("after", "receiver")) {
                Long after = esc.get("after").asDurationMs();
                String to = esc.get("receiver").requireString();
                if (esc.get("after").isUnset()) {
                    esc.get("after").problem("is required");
                } else if (after != null && after == 0) {
                    esc.get("after").problem("must be > 0");
                } else if (after != null && to != null) {
                    escalate = new Escalation(after, to);
                }
            }
        }
        if (root) {
            if (receiver == null || receiver.isBlank()) {
                node.get("receiver").problem("root route must specify a default receiver");
            }
            if (!matchers.isEmpty() || node.get("matchers").isPresent() || node.get("match").isPresent()
                    || node.get("match_re").isPresent()) {
                node.problem("root route must not have any matchers");
            }
            if (Boolean.TRUE.equals(cont)) {
                node.get("continue").problem("cannot have continue in root route");
            }
        }
        List<RouteConfig> children = new ArrayList<>();
        for (ConfigNode c : node.get("routes").items()) {
            if (c.isUnset()) {
                c.problem("a route must be a mapping");
                continue;
            }
            RouteConfig child = parse(c, false);
            if (child != null) {
                children.add(child);
            }
        }
        return new RouteConfig(receiver, groupBy, matchers, wait, interval, repeat, Boolean.TRUE.equals(cont), escalate,
                escalateDisabled, children);
    }

    private static Long nonZero(ConfigNode n) {
        Long ms = n.asDurationMs();
        if (ms != null && ms == 0) {
            n.problem("cannot be zero");
            return null;
        }
        return ms;
    }

    private static List<String> groupBy(ConfigNode node) {
        if (node.isUnset()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ConfigNode item : node.items()) {
            String l = item.asString();
            if (l == null) {
                if (item.isUnset()) {
                    item.problem("must be a label name, was null");
                }
                continue;
            }
            if (!l.equals(GROUP_BY_ALL) && !SeriesLabels.isLabelName(l)) {
                item.problem("invalid label name '" + l + "' in group_by list");
                continue;
            }
            if (!seen.add(l)) {
                item.problem("duplicated label '" + l + "' in group_by");
                continue;
            }
            out.add(l);
        }
        if (out.contains(GROUP_BY_ALL) && out.size() > 1) {
            node.problem("cannot have wildcard group_by (`...`) and other labels at the same time");
        }
        return out;
    }

    private static List<LabelMatcher> matchers(ConfigNode node) {
        List<LabelMatcher> out = new ArrayList<>();
        for (ConfigNode item : node.get("matchers").items()) {
            String text = item.asString();
            if (text == null) {
                if (item.isUnset()) {
                    item.problem("must be a matcher like severity=\"critical\", was null");
                }
                continue;
            }
            try {
                out.addAll(MatcherParser.parseList(text));
            } catch (IllegalArgumentException e) {
                item.problem(e.getMessage());
            }
        }
        for (Map.Entry<String, ConfigNode> e : node.get("match").entries().entrySet()) {
            String v = e.getValue().asString();
            if (!SeriesLabels.isLabelName(e.getKey())) {
                e.getValue().problem("invalid label name '" + e.getKey() + "'");
            } else if (v != null) {
                out.add(LabelMatcher.equal(e.getKey(), v));
            }
        }
        for (Map.Entry<String, ConfigNode> e : node.get("match_re").entries().entrySet()) {
            String v = e.getValue().asString();
            if (!SeriesLabels.isLabelName(e.getKey())) {
                e.getValue().problem("invalid label name '" + e.getKey() + "'");
            } else if (v != null) {
                try {
                    Pattern.compile(v);
                    out.add(LabelMatcher.of(e.getKey(), LabelMatcher.Type.REGEX, v));
                } catch (PatternSyntaxException ex) {
                    e.getValue().problem("invalid regular expression \"" + v + "\": " + ex.getDescription());
                }
            }
        }
        return out;
    }

    /**
     * Records a problem for every receiver this tree names (routes and escalations) that is not in
     * {@code defined}; {@code path} is where this node is ({@code "route"} for the root).
     */
    public void checkReceivers(Set<String> defined, String path, ConfigProblems problems) {
        if (receiver != null && !defined.contains(receiver)) {
            problems.add(path + ".receiver", "undefined receiver '" + receiver + "' used in route" + definedList(defined));
        }
        if (escalate != null && !defined.contains(escalate.receiver())) {
            problems.add(path + ".escalate.receiver", "undefined receiver '" + escalate.receiver() + "'" + definedList(defined));
        }
        for (int i = 0; i < routes.size(); i++) {
            routes.get(i).checkReceivers(defined, path + ".routes[" + i + "]", problems);
        }
    }

    private static String definedList(Set<String> defined) {
        return defined.isEmpty() ? " (no receivers are defined)" : " (defined: " + String.join(", ", defined) + ")";
    }
}
