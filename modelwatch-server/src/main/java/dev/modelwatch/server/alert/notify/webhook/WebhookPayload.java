package dev.modelwatch.server.alert.notify.webhook;

import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
public final class WebhookPayload {
    public static final String VERSION = "4";

    private WebhookPayload() {
    }

    /** The payload for {@code n} as a map in Alertmanager's field order (for a JSON writer). */
    public static Map<String, Object> of(Notification n, boolean sendResolved, int maxAlerts, String externalUrl) {
        return of(n, sendResolved, maxAlerts, externalUrl, IncidentLinks.NONE);
    }

    /**
     * The payload, with the incident of each alert found by {@code links}: each alert carries
     * {@code incidentId} and {@code incidentURL} after {@code fingerprint}, and the payload carries the
     * incident all its alerts belong to after {@code idempotencyKey} (both "" when none).
     */
    public static Map<String, Object> of(Notification n, boolean sendResolved, int maxAlerts, String externalUrl,
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("groupKey", d.groupKey());
        m.put("truncatedAlerts", truncated);
        m.put("status", d.status());
        m.put("receiver", d.receiver());
        m.put("groupLabels", d.groupLabels());
        m.put("commonLabels", d.commonLabels());
        m.put("commonAnnotations", d.commonAnnotations());
        m.put("externalURL", d.externalUrl());
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (TemplateData.AlertData a : d.alerts()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("status", a.status());
            am.put("labels", a.labels());
            am.put("annotations", a.annotations());
            am.put("startsAt", a.startsAt());
            am.put("endsAt", a.endsAt());
            am.put("generatorURL", a.generatorUrl());
            am.put("fingerprint", a.fingerprint());
            if (links != IncidentLinks.NONE) {
                am.put("incidentId", a.incidentId());
                am.put("incidentURL", a.incidentUrl());
            }
            alerts.add(am);
        }
        m.put("alerts", alerts);
        // not part of Alertmanager's version 4: the stable id receivers deduplicate by (also the Idempotency-Key header)
        m.put("idempotencyKey", d.notificationId());
        if (links != IncidentLinks.NONE) {
            m.put("incidentId", d.incidentId());
            m.put("incidentURL", d.incidentUrl());
        }
        return m;
    }
}
