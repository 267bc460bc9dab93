package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code route:} and {@code receivers:} sections of {@code modelwatch.yml} (Alertmanager's
 * shapes). Receivers are read for their names only here (their integrations are read elsewhere): names
 * must be present and unique, and every receiver a route or an escalation names must be among them.
 *
 * <p>Problems are recorded with their paths ({@code route.routes[0].receiver: undefined receiver
 * 'pager' used in route (defined: ops, oncall)}); the caller checks {@code problems.isEmpty()} before
 * using {@link #tree()}. Without a {@code route:} section alerts are kept and shown but not routed
 * ({@link #route()} is null).
 *
 * <p>Usage:
 * <pre>{@code
 * ConfigProblems problems = new ConfigProblems();
 * RoutingConfig routing = RoutingConfig.parse(ConfigNode.root(yamlMap, "", problems));
 * List<InhibitRule> inhibit = InhibitRule.parseAll(ConfigNode.root(yamlMap, "", problems).get("inhibit_rules"));
 * if (problems.isEmpty() && routing.route() != null) dispatcher = Dispatcher.create(routing.tree());
 * }</pre>
 *
 * @param route     the routing tree as written, null when absent
 * @param receivers the receivers' names in file order
 */
public record RoutingConfig(RouteConfig route, List<String> receivers) {
    public RoutingConfig {
        receivers = receivers == null ? List.of() : List.copyOf(receivers);
    }

    /** Reads {@code route} and {@code receivers} of the configuration file {@code file}. */
    public static RoutingConfig parse(ConfigNode file) {
        RouteConfig route = RouteConfig.parse(file.get("route"));
        Set<String> names = new LinkedHashSet<>();
        for (ConfigNode r : file.get("receivers").items()) {
            if (!r.isMapping()) {
                r.problem("a receiver must be a mapping with a name");
                continue;
            }
            String name = r.get("name").requireString();
            if (name != null && !names.add(name)) {
                r.get("name").problem("receiver name '" + name + "' is not unique");
            }
        }
        if (route != null) {
            route.checkReceivers(names, file.childPath("route"), file.problems());
        } else if (!names.isEmpty() && file.get("route").isPresent()) {
            file.get("route").problem("must be a mapping with a receiver");
        }
        return new RoutingConfig(route, new ArrayList<>(names));
    }

    /**
     * The resolved routing tree.
     *
     * @throws IllegalStateException when there is no {@code route:} section
     */
    public Route tree() {
        if (route == null) {
            throw new IllegalStateException("the configuration has no route section");
        }
        return Route.of(route);
    }
}
