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
 * @param keep              a resolved incident is forgotten (from memory and the database) this long after its last change
 */
public record IncidentConfig(Duration reopenWithin, Duration diagnosisLookback, Map<String, List<ActionConfig>> actions,
                             Duration keep) {
    /** The default of {@code incidents.keep}. */
    public static final Duration DEFAULT_KEEP = Duration.ofDays(90);
    public static final IncidentConfig DEFAULT = new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(6), Map.of());

    public IncidentConfig {
        Objects.requireNonNull(reopenWithin, "reopenWithin");
        Objects.requireNonNull(diagnosisLookback, "diagnosisLookback");
        Objects.requireNonNull(keep, "keep");
        actions = Map.copyOf(actions);
    }

    /** A configuration that keeps resolved incidents {@link #DEFAULT_KEEP}. */
    public IncidentConfig(Duration reopenWithin, Duration diagnosisLookback, Map<String, List<ActionConfig>> actions) {
        this(reopenWithin, diagnosisLookback, actions, DEFAULT_KEEP);
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
