package dev.modelwatch.server.alert.notify.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON body of a webhook notification, exactly Alertmanager's webhook payload version 4
 * ({@code notify/webhook.Message}: {@code template.Data} plus {@code version}, {@code groupKey},
 * {@code truncatedAlerts}):
 * <pre>{@code
 * {"version": "4", "groupKey": "<route>:{model=\"fraud\"}", "truncatedAlerts": 0,
 *  "status": "firing" | "resolved", "receiver": "ops",
 *  "groupLabels": {..}, "commonLabels": {..}, "commonAnnotations": {..}, "externalURL": "",
 *  "alerts": [{"status": "firing", "labels": {..}, "annotations": {..},
 *              "startsAt": "2026-11-22T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
 *              "generatorURL": "", "fingerprint": "8f2c..."}]}
 * }</pre>
 * As in Alertmanager, {@code max_alerts} cuts the alert list first (firing alerts come first) and the
 * status and common labels are computed over what is sent. Acknowledgements and the escalation reason
 * are not part of version 4 and are not added, so that receivers written for Alertmanager read it
 * unchanged (an escalation goes to its own receiver, whose name is in the payload). One field is
 * added at the end: {@code idempotencyKey}, the notification's stable id (also sent as the
 * {@code Idempotency-Key} header), the same on every retry and re-send of one notification.
 */
@JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
public record WebhookPayload(String version, String groupKey, int truncatedAlerts, String status, String receiver,
                             Map<String, String> groupLabels, Map<String, String> commonLabels,
                             Map<String, String> commonAnnotations, @JsonProperty("externalURL") String externalUrl,
                             List<AlertEntry> alerts, String idempotencyKey,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String incidentId,
                             @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("incidentURL") String incidentUrl) {
    public static final String VERSION = "4";

    /** One alert of the payload. */
    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    public record AlertEntry(String status, Map<String, String> labels, Map<String, String> annotations,
                             String startsAt, String endsAt, @JsonProperty("generatorURL") String generatorUrl,
                             String fingerprint, @JsonInclude(JsonInclude.Include.NON_NULL) String incidentId,
                             @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("incidentURL") String incidentUrl) {
    }

    /** The payload for {@code n}, at most {@code maxAlerts} alerts (0: all), resolved ones if {@code sendResolved}. */
    public static WebhookPayload of(Notification n, boolean sendResolved, int maxAlerts, String externalUrl) {
        return of(n, sendResolved, maxAlerts, externalUrl, IncidentLinks.NONE);
    }

    /**
     * The payload, with the incident of each alert found by {@code links}: each alert carries
     * {@code incidentId} and {@code incidentURL} after {@code fingerprint}, and the payload carries the
     * incident all its alerts belong to after {@code idempotencyKey} (both "" when none; both left out
     * without {@code links}).
     */
    public static WebhookPayload of(Notification n, boolean sendResolved, int maxAlerts, String externalUrl,
            IncidentLinks links) {
        List<Alert> shown = new ArrayList<>(n.firing());
        if (sendResolved) {
            shown.addAll(n.resolved());
        }
        int truncated = 0;
        if (maxAlerts > 0 && shown.size() > maxAlerts) {
            truncated = shown.size() - maxAlerts;
            shown = shown.subList(0, maxAlerts);
        }
        TemplateData d = TemplateData.of(n, shown, externalUrl, links);
        boolean linked = links != IncidentLinks.NONE;
        List<AlertEntry> alerts = new ArrayList<>();
        for (TemplateData.AlertData a : d.alerts()) {
            alerts.add(new AlertEntry(a.status(), a.labels(), a.annotations(), a.startsAt(), a.endsAt(),
                    a.generatorUrl(), a.fingerprint(), linked ? a.incidentId() : null, linked ? a.incidentUrl() : null));
        }
        // idempotencyKey is not part of Alertmanager's version 4: the stable id receivers deduplicate by
        // (also the Idempotency-Key header)
        return new WebhookPayload(VERSION, d.groupKey(), truncated, d.status(), d.receiver(), d.groupLabels(),
                d.commonLabels(), d.commonAnnotations(), d.externalUrl(), alerts, d.notificationId(),
                linked ? d.incidentId() : null, linked ? d.incidentUrl() : null);
    }
}
