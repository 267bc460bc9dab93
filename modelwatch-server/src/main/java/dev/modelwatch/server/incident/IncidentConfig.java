package dev.modelwatch.server.incident;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code incidents:} section of {@code modelwatch.yml} (docs/incidents.md).
 *
 * @param reopenWithin      a model's alert firing within this long after its incident resolved reopens it
 * @param diagnosisLookback the diagnosis examines this long before the incident's onset
 * @param actions           the remediation actions of each model
 */
public record IncidentConfig(Duration reopenWithin, Duration diagnosisLookback, Map<String, List<ActionConfig>> actions) {
    public static final IncidentConfig DEFAULT = new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(6), Map.of());

    public IncidentConfig {
        Objects.requireNonNull(reopenWithin, "reopenWithin");
        Objects.requireNonNull(diagnosisLookback, "diagnosisLookback");
        actions = Map.copyOf(actions);
    }

    /** The actions of {@code model} (empty when none). */
    public List<ActionConfig> actionsOf(String model) {
        return actions.getOrDefault(model, List.of());
    }

    /** The action {@code name} of {@code model}, or null. */
    public ActionConfig action(String model, String name) {
        for (ActionConfig a : actionsOf(model)) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
