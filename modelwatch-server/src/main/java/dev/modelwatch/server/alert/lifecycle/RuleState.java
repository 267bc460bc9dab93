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
 * <p>Storage: {@link #toMap()} writes {@code {"rule": .., "instances": [AlertInstance.toMap(), ..],
 * "last_evaluation": ms, "last_error": "..", "last_error_at": ms}} (absent keys for unset values, the
 * instances in fingerprint order) and {@link #fromMap} reads it back to an equal state, so a restart
 * resumes pending timers, held resolutions and acknowledgements exactly.
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
    RuleState withInstances(Collection<AlertInstance> list) {
        Map<Long, AlertInstance> m = new LinkedHashMap<>();
        for (AlertInstance a : list) {
            m.put(a.fingerprint(), a);
        }
        return new RuleState(rule, m, lastEvaluationMs, lastError, lastErrorMs);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule);
        List<Object> list = new ArrayList<>();
        for (AlertInstance a : instances.values()) {
            list.add(a.toMap());
        }
        m.put("instances", list);
        StoredMap.putIfSet(m, "last_evaluation", lastEvaluationMs);
        StoredMap.putIfSet(m, "last_error", lastError);
        StoredMap.putIfSet(m, "last_error_at", lastErrorMs);
        return m;
    }

    /**
     * Reads what {@link #toMap()} wrote.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static RuleState fromMap(Map<?, ?> map) {
        StoredMap m = StoredMap.of(map, "rule_state");
        Map<Long, AlertInstance> instances = new LinkedHashMap<>();
        for (Object o : m.requireList("instances")) {
            if (!(o instanceof Map)) {
                throw new IllegalArgumentException("rule_state.instances: each instance must be a map");
            }
            AlertInstance a = AlertInstance.fromMap((Map<?, ?>) o);
            instances.put(a.fingerprint(), a);
        }
        return new RuleState(m.requireString("rule"), instances, m.optLong("last_evaluation"), m.optString("last_error"),
                m.optLong("last_error_at"));
    }
}
