package dev.modelwatch.server.alert.notify.template;

/**
 * Finds the incident an alert belongs to, for the link every notification of the alert carries
 * ({@code .IncidentURL} in templates, {@code incidentId}/{@code incidentURL} in the webhook payload).
 * Implemented by the incidents; consulted when a notification is rendered.
 */
@FunctionalInterface
public interface IncidentLinks {
    /** No incidents: no links. */
    IncidentLinks NONE = (alertId, startsAtMs) -> null;

    /** An incident's id and the dashboard page that shows it ("" when the server's external URL is not set). */
    record Link(String id, String url) {
        public Link {
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("id must not be empty");
            }
            url = url == null ? "" : url;
        }
    }

    /**
     * The incident of the alert {@code alertId} (16 hex digits) whose episode started at {@code startsAtMs},
     * or null when it belongs to none.
     */
    Link find(String alertId, long startsAtMs);
}
