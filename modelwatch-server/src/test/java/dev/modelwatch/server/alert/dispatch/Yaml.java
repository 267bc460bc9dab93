package dev.modelwatch.server.alert.dispatch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Test helpers: YAML text to the map a configuration loader hands to the parsers. */
final class Yaml {
    private Yaml() {
    }

    static Map<String, Object> map(String yaml) {
        try {
            Map<String, Object> m = new YAMLMapper().readValue(yaml, new TypeReference<Map<String, Object>>() { });
            return m == null ? Map.of() : m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The routing tree of a {@code route:} body, failing on any problem. */
    static Route tree(String routeYaml) {
        ConfigProblems problems = new ConfigProblems();
        RouteConfig cfg = RouteConfig.parse(ConfigNode.root(map(routeYaml), "route", problems));
        if (!problems.isEmpty()) {
            throw new AssertionError("unexpected problems:\n" + problems);
        }
        return Route.of(cfg);
    }
}
