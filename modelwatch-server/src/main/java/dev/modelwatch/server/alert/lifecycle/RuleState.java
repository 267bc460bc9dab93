package dev.modelwatch.server.alert.lifecycle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a rule remembers between evaluations: its alert instances by fingerprint, and the time
 * and outcome of its last evaluation. Immutable; {@link AlertLifecycle#step} returns the next one.
 *
 * <p>Storage: {@link StoredRuleState}.
 *
 * @param rule             the rule's name
 * @param instances        the alert instances by fingerprint (iteration in unsigned fingerprint order)
 * @param lastEvaluationMs the time of the last step, null before the first
 * @param lastError        the error of the last step, null when it succeeded
 * @param lastErrorMs      when the last error happened, null if never
 */
public record RuleState(String rule, Map<Long, AlertInstance> instances, Long lastEvaluationMs, String lastError,
        Long lastErrorMs) {
    public RuleState {
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("rule must name the rule");
        }
        Map<Long, AlertInstance> sorted = new TreeMap<>(Long::compareUnsigned);
        if (instances != null) {
            for (Map.Entry<Long, AlertInstance> e : instances.entrySet()) {
                if (e.getValue().fingerprint() != e.getKey()) {
                    throw new IllegalArgumentException("instances: key " + AlertFingerprint.format(e.getKey())
                            + " is not the fingerprint of its instance");
                }
                sorted.put(e.getKey(), e.getValue());
            }
        }
        instances = Collections.unmodifiableMap(sorted);
    }

    /** The state of a rule never evaluated. */
    public static RuleState initial(String rule) {
        return new RuleState(rule, Map.of(), null, null, null);
    }

    /** The instance with this API id (16 hex digits), or null. */
    public AlertInstance instance(String id) {
        return instances.get(AlertFingerprint.parse(id));
    }

    /** The instances receivers consider firing. */
    public List<AlertInstance> notifying() {
        List<AlertInstance> out = new ArrayList<>();
        for (AlertInstance a : instances.values()) {
            if (a.notifying()) {
                out.add(a);
            }
        }
        return out;
    }

    /** A state with the same evaluation record and these instances. */
    public RuleState withInstances(Collection<AlertInstance> list) {
        Map<Long, AlertInstance> m = new LinkedHashMap<>();
        for (AlertInstance a : list) {
            m.put(a.fingerprint(), a);
        }
        return new RuleState(rule, m, lastEvaluationMs, lastError, lastErrorMs);
    }
}
