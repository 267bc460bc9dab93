package dev.modelwatch.server.alert.lifecycle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The problems found while reading an alerting configuration, each written {@code path: message}
 * ({@code route.routes[1].group_wait: '10x' is not a duration}), in the order they were found.
 *
 * <p>One collector is shared by every section's parser (rules, route, receivers, inhibit rules) so that
 * a user sees every problem of the file at once. Line numbers are the caller's job: the path names the
 * key, which is enough to find it. Not thread-safe: one parse at a time.
 *
 * <p>Usage:
 * <pre>{@code
 * ConfigProblems problems = new ConfigProblems();
 * List<RuleGroup> groups = RuleGroup.parseFile(yamlMap, "rules.yml", problems);
 * RoutingConfig routing = RoutingConfig.parse(ConfigNode.root(yamlMap, "", problems));
 * if (!problems.isEmpty()) throw new ConfigException("modelwatch.yml", problems.list());
 * }</pre>
 */
public final class ConfigProblems {
    private final List<String> problems = new ArrayList<>();

    /** Records {@code path: message} ({@code message} alone when the path is empty). */
    public void add(String path, String message) {
        problems.add(path == null || path.isEmpty() ? message : path + ": " + message);
    }

    /** The problems so far, unmodifiable, in the order found. */
    public List<String> list() {
        return Collections.unmodifiableList(new ArrayList<>(problems));
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public int size() {
        return problems.size();
    }

    @Override
    public String toString() {
        return String.join("\n", problems);
    }
}
