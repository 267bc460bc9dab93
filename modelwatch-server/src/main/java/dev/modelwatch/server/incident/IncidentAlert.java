package dev.modelwatch.server.incident;

import java.util.Map;
import java.util.TreeMap;

/**
 * An alert of an incident as the incident last saw it.
 *
 * @param id          the alert's id (16 hex digits)
 * @param rule        its rule ({@code alertname})
 * @param labels      its labels
 * @param severity    its {@code severity} label, or null
 * @param firing      whether it fires (else it resolved)
 * @param startedAtMs when its latest episode started (receivers were told it fires)
 * @param resolvedAtMs when it resolved, null while it fires
 */
public record IncidentAlert(String id, String rule, Map<String, String> labels, String severity, boolean firing,
                            long startedAtMs, Long resolvedAtMs) {
    public IncidentAlert {
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }
}
