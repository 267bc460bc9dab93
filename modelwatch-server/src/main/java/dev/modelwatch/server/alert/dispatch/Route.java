package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node of the resolved routing tree (Alertmanager's {@code dispatch.Route}): its matchers, its
 * {@link RouteOptions} after inheritance, {@code continue}, and its children. Immutable.
 *
 * <p><b>Inheritance</b>, exactly as Alertmanager's {@code NewRoute}: a child starts from its parent's
 * options (the root from Alertmanager's defaults: group_wait 30s, group_interval 5m, repeat_interval
 * 4h, no grouping) and overrides what it writes: {@code receiver} when not empty; {@code group_by}
 * when it lists labels (then {@code ...} is off), else {@code ...} alone turns "group by all" on, and
 * an absent or empty list inherits both; {@code group_wait}, {@code group_interval},
 * {@code repeat_interval} and {@code escalate} when written ({@code escalate: false} removes an
 * inherited one). {@code continue} and matchers are never inherited.
 *
 * <p><b>Matching</b> ({@link #match}): depth-first, left to right. A route whose matchers do not all
 * match returns nothing. Otherwise its children are tried in order: each matching child contributes
 * its own matches, and the search stops at the first matching child without {@code continue}. A route
 * none of whose children matched is itself the match. The root has no matchers, so every alert matches
 * at least one route.
 *
 * <p>Usage:
 * <pre>{@code
 * Route tree = Route.of(RouteConfig.parse(ConfigNode.root(yaml, "", problems).get("route")));
 * for (Route r : tree.match(alert.labels())) { GroupKey key = r.groupKey(alert.labels()); ... }
 * }</pre>
 */
public final class Route {
    private final Route parent;
    private final int position;
    private final List<LabelMatcher> matchers;
    private final RouteOptions options;
    private final boolean continueMatching;
    private final List<Route> routes;
    private final String key;
    private final String id;

    private Route(RouteConfig config, Route parent, int position) {
        this.parent = parent;
        this.position = position;
        RouteOptions p = parent == null ? null : parent.options;
        String receiver = config.receiver() != null ? config.receiver() : p == null ? null : p.receiver();
        if (receiver == null) {
            throw new IllegalArgumentException("the root route must have a receiver");
        }
        List<String> groupBy = p == null ? List.of() : p.groupBy();
        boolean groupByAll = p != null && p.groupByAll();
        if (config.groupBy() != null) {
            List<String> labels = new ArrayList<>(config.groupBy());
            boolean wildcard = labels.remove(RouteConfig.GROUP_BY_ALL);
            if (!labels.isEmpty()) {
                groupBy = labels;
                groupByAll = false;
            } else if (wildcard) {
                groupByAll = true;
            }
        }
        long wait = config.groupWaitMs() != null ? config.groupWaitMs()
                : p == null ? RouteOptions.DEFAULT_GROUP_WAIT_MS : p.groupWaitMs();
        long interval = config.groupIntervalMs() != null ? config.groupIntervalMs()
                : p == null ? RouteOptions.DEFAULT_GROUP_INTERVAL_MS : p.groupIntervalMs();
        long repeat = config.repeatIntervalMs() != null ? config.repeatIntervalMs()
                : p == null ? RouteOptions.DEFAULT_REPEAT_INTERVAL_MS : p.repeatIntervalMs();
        Escalation escalation = config.escalateDisabled() ? null
                : config.escalate() != null ? config.escalate() : p == null ? null : p.escalation();
        this.options = new RouteOptions(receiver, groupBy, groupByAll, wait, interval, repeat, escalation);
        List<LabelMatcher> ms = new ArrayList<>(config.matchers());
        ms.sort(MATCHER_ORDER);
        this.matchers = Collections.unmodifiableList(ms);
        this.continueMatching = config.continueMatching();
        this.key = (parent == null ? "" : parent.key + "/") + matchersString(matchers);
        this.id = parent == null ? key : key + "/" + position;
        List<Route> children = new ArrayList<>();
        for (int i = 0; i < config.routes().size(); i++) {
            children.add(new Route(config.routes().get(i), this, i));
        }
        this.routes = Collections.unmodifiableList(children);
    }

    /** Alertmanager sorts a route's matchers by name, then value, then type. */
    private static final Comparator<LabelMatcher> MATCHER_ORDER = Comparator.comparing(LabelMatcher::name)
            .thenComparing(LabelMatcher::value).thenComparing(LabelMatcher::type);

    /**
     * The tree of a parsed configuration.
     *
     * @throws IllegalArgumentException when the root has no receiver, a timer is out of range, or the
     *                                  root has matchers or {@code continue}
     */
    public static Route of(RouteConfig root) {
        if (root == null) {
            throw new IllegalArgumentException("root route must not be null");
        }
        if (!root.matchers().isEmpty()) {
            throw new IllegalArgumentException("root route must not have any matchers");
        }
        if (root.continueMatching()) {
            throw new IllegalArgumentException("cannot have continue in root route");
        }
        return new Route(root, null, 0);
    }

    private static String matchersString(List<LabelMatcher> ms) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ms.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ms.get(i));
        }
        return sb.append('}').toString();
    }

    /** The routes an alert with {@code labels} goes to (see the class comment); empty when this route does not match. */
    public List<Route> match(SeriesLabels labels) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels)) {
                return List.of();
            }
        }
        List<Route> all = new ArrayList<>();
        for (Route child : routes) {
            List<Route> matches = child.match(labels);
            all.addAll(matches);
            if (!matches.isEmpty() && !child.continueMatching) {
                break;
            }
        }
        if (all.isEmpty()) {
            all.add(this);
        }
        return all;
    }

    /** The aggregation group an alert with {@code labels} joins on this route. */
    public GroupKey groupKey(SeriesLabels labels) {
        SeriesLabels group = options.groupByAll() ? labels : labels.keepOnly(options.groupBy());
        return new GroupKey(id, group);
    }

    /** The path of matchers from the root, Alertmanager's {@code Route.Key()}: {@code {}/{severity="critical"}}. */
    public String key() {
        return key;
    }

    /** {@link #key()} plus the position among its siblings, unique in the tree: {@code {}/{severity="critical"}/0}. */
    public String id() {
        return id;
    }

    public RouteOptions options() {
        return options;
    }

    public List<LabelMatcher> matchers() {
        return matchers;
    }

    public boolean continueMatching() {
        return continueMatching;
    }

    public List<Route> routes() {
        return routes;
    }

    /** The parent, null for the root. */
    public Route parent() {
        return parent;
    }

    /** Position among the parent's children (0 for the root). */
    public int position() {
        return position;
    }

    /** Visits this route and its descendants, depth first. */
    public void walk(Consumer<Route> visit) {
        visit.accept(this);
        for (Route r : routes) {
            r.walk(visit);
        }
    }

    /** The route with this {@link #id()} in this tree, or null. */
    public Route find(String routeId) {
        Route[] found = new Route[1];
        walk(r -> {
            if (found[0] == null && r.id.equals(routeId)) {
                found[0] = r;
            }
        });
        return found[0];
    }

    @Override
    public String toString() {
        return id + " -> " + options.receiver();
    }
}
