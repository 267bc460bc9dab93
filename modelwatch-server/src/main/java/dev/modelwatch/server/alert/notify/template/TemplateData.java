package dev.modelwatch.server.alert.notify.template;

import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a message template (and the webhook payload) is made from: Alertmanager's
 * {@code template.Data}, computed from a {@link Notification} and the alerts one integration shows.
 *
 * <p>{@link #status()} is {@code firing} when any shown alert fires, else {@code resolved};
 * {@link #commonLabels()} and {@link #commonAnnotations()} are the pairs every shown alert has (empty
 * for no alerts), as in Alertmanager. Maps are sorted by name. Times are written as Go's
 * {@code time.RFC3339Nano} writes them in Alertmanager's JSON ({@code 2026-11-22T10:00:00.5Z}: UTC,
 * trailing fraction zeros dropped), and a firing alert's end is Go's zero time
 * {@value #ZERO_TIME}, as Alertmanager hides an end that is not reached yet.
 *
 * <p>Usage: {@code TemplateData d = TemplateData.of(notification, config.sendResolved(), externalUrl);}
 *
 * @param receiver          the receiver's name
 * @param status            {@code firing} or {@code resolved}
 * @param groupKey          the group's key ({@code routeId:{labels}})
 * @param groupLabels       the group's labels
 * @param commonLabels      the labels all shown alerts share
 * @param commonAnnotations the annotations all shown alerts share
 * @param externalUrl       the server's URL as users reach it ("" when not configured)
 * @param alerts            the shown alerts: firing ones first, then resolved ones
 * @param reason            why the notification is sent
 * @param notificationId    the notification's stable id ({@link Notification#idempotencyKey()}), for
 *                          receivers to deduplicate by
 * @param incidentId        the incident every shown alert belongs to, "" when none or several
 * @param incidentUrl       its dashboard page ("" when none, or when the external URL is not set)
 */
public record TemplateData(String receiver, String status, String groupKey, Map<String, String> groupLabels,
        Map<String, String> commonLabels, Map<String, String> commonAnnotations, String externalUrl,
        List<AlertData> alerts, NotifyReason reason, String notificationId, String incidentId, String incidentUrl) {
    /** Go's zero {@code time.Time} in RFC 3339: the end of an alert that still fires. */
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public TemplateData {
        if (receiver == null || status == null || groupKey == null || reason == null) {
            throw new IllegalArgumentException("receiver, status, groupKey and reason must not be null");
        }
        groupLabels = sorted(groupLabels);
        commonLabels = sorted(commonLabels);
        commonAnnotations = sorted(commonAnnotations);
        externalUrl = externalUrl == null ? "" : externalUrl;
        alerts = List.copyOf(alerts);
        notificationId = notificationId == null ? "" : notificationId;
        incidentId = incidentId == null ? "" : incidentId;
        incidentUrl = incidentUrl == null ? "" : incidentUrl;
    }

    /** The data of alerts that belong to no incident. */
    public TemplateData(String receiver, String status, String groupKey, Map<String, String> groupLabels,
            Map<String, String> commonLabels, Map<String, String> commonAnnotations, String externalUrl,
            List<AlertData> alerts, NotifyReason reason, String notificationId) {
        this(receiver, status, groupKey, groupLabels, commonLabels, commonAnnotations, externalUrl, alerts, reason,
                notificationId, "", "");
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
    }

    /**
     * One shown alert (Alertmanager's {@code template.Alert}) plus who acknowledged it.
     *
     * @param status         {@code firing} or {@code resolved}
     * @param labels         its labels
     * @param annotations    its annotations
     * @param startsAtMs     when its episode started
     * @param endsAtMs       when it resolved, null while it fires
     * @param fingerprint    16 hex digits
     * @param generatorUrl   its dashboard link ({@link AlertLinks}: the model's page over its time range)
     * @param acknowledgedBy who acknowledged it, "" when nobody
     * @param incidentId     the incident it belongs to, "" when none
     * @param incidentUrl    the incident's dashboard page, "" when none or when the external URL is not set
     */
    public record AlertData(String status, Map<String, String> labels, Map<String, String> annotations, long startsAtMs,
            Long endsAtMs, String fingerprint, String generatorUrl, String acknowledgedBy, String incidentId,
            String incidentUrl) {
        public AlertData {
            labels = sorted(labels);
            annotations = sorted(annotations);
            generatorUrl = generatorUrl == null ? "" : generatorUrl;
            acknowledgedBy = acknowledgedBy == null ? "" : acknowledgedBy;
            incidentId = incidentId == null ? "" : incidentId;
            incidentUrl = incidentUrl == null ? "" : incidentUrl;
        }

        /** An alert of no incident. */
        public AlertData(String status, Map<String, String> labels, Map<String, String> annotations, long startsAtMs,
                Long endsAtMs, String fingerprint, String generatorUrl, String acknowledgedBy) {
            this(status, labels, annotations, startsAtMs, endsAtMs, fingerprint, generatorUrl, acknowledgedBy, "", "");
        }

        /**
         * {@code a} as shown, with its dashboard link ({@link AlertLinks}) under {@code externalUrl} and its
         * incident found by {@code links}.
         */
        static AlertData of(Alert a, boolean firing, String externalUrl, IncidentLinks links) {
            IncidentLinks.Link link = links.find(a.id(), a.startsAtMs());
            return new AlertData(firing ? FIRING : RESOLVED, a.labels().asMap(), a.annotations(), a.startsAtMs(),
                    firing ? null : a.resolvedAtMs(), a.id(), AlertLinks.of(externalUrl, firing ? withoutEnd(a) : a),
                    a.acknowledgedBy(), link == null ? "" : link.id(), link == null ? "" : link.url());
        }

        private static Alert withoutEnd(Alert a) {
            return a.resolvedAtMs() == null ? a
                    : new Alert(a.fingerprint(), a.labels(), a.annotations(), a.startsAtMs(), null, a.acknowledgedBy());
        }

        public boolean firing() {
            return FIRING.equals(status);
        }

        /** RFC 3339. */
        public String startsAt() {
            return rfc3339(startsAtMs);
        }

        /** RFC 3339, {@value #ZERO_TIME} while firing. */
        public String endsAt() {
            return endsAtMs == null ? ZERO_TIME : rfc3339(endsAtMs);
        }
    }

    /**
     * The data one integration shows of {@code n}: its firing alerts, and its resolved ones when
     * {@code sendResolved}.
     */
    public static TemplateData of(Notification n, boolean sendResolved, String externalUrl) {
        return of(n, sendResolved, externalUrl, IncidentLinks.NONE);
    }

    /** As {@link #of(Notification, boolean, String)}, with each alert's incident found by {@code links}. */
    public static TemplateData of(Notification n, boolean sendResolved, String externalUrl, IncidentLinks links) {
        List<Alert> shown = new ArrayList<>(n.firing());
        if (sendResolved) {
            shown.addAll(n.resolved());
        }
        return of(n, shown, externalUrl, links);
    }

    /**
     * The data for {@code shown}, alerts of {@code n} (a webhook's {@code max_alerts} may have cut the
     * list); an alert is firing when it is among {@code n.firing()}.
     */
    public static TemplateData of(Notification n, List<Alert> shown, String externalUrl) {
        return of(n, shown, externalUrl, IncidentLinks.NONE);
    }

    /** As {@link #of(Notification, List, String)}, with each alert's incident found by {@code links}. */
    public static TemplateData of(Notification n, List<Alert> shown, String externalUrl, IncidentLinks links) {
        List<AlertData> alerts = new ArrayList<>(shown.size());
        boolean anyFiring = false;
        for (Alert a : shown) {
            boolean firing = n.firing().contains(a);
            anyFiring |= firing;
            alerts.add(AlertData.of(a, firing, externalUrl, links));
        }
        // the notification's incident: the one all its alerts belong to
        String incidentId = alerts.isEmpty() ? "" : alerts.get(0).incidentId();
        String incidentUrl = alerts.isEmpty() ? "" : alerts.get(0).incidentUrl();
        for (AlertData a : alerts) {
            if (!a.incidentId().equals(incidentId)) {
                incidentId = "";
                incidentUrl = "";
            }
        }
        return new TemplateData(n.receiver(), anyFiring ? FIRING : RESOLVED, n.groupKey().toString(),
                n.groupLabels().asMap(), common(alerts, true), common(alerts, false), externalUrl, alerts, n.reason(),
                n.idempotencyKey(), incidentId, incidentUrl);
    }

    private static Map<String, String> common(List<AlertData> alerts, boolean labels) {
        if (alerts.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>(labels ? alerts.get(0).labels() : alerts.get(0).annotations());
        for (int i = 1; i < alerts.size(); i++) {
            Map<String, String> m = labels ? alerts.get(i).labels() : alerts.get(i).annotations();
            out.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
        }
        return out;
    }

    /** Whether the notification is a route's escalation. */
    public boolean escalation() {
        return reason == NotifyReason.ESCALATION;
    }

    public boolean firing() {
        return FIRING.equals(status);
    }

    /** The shown alerts that fire. */
    public List<AlertData> firingAlerts() {
        List<AlertData> out = new ArrayList<>();
        for (AlertData a : alerts) {
            if (a.firing()) {
                out.add(a);
            }
        }
        return out;
    }

    /** The shown alerts that resolved. */
    public List<AlertData> resolvedAlerts() {
        List<AlertData> out = new ArrayList<>();
        for (AlertData a : alerts) {
            if (!a.firing()) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Epoch milliseconds as Go's {@code time.RFC3339Nano} writes a UTC time: seconds, then the fraction
     * without trailing zeros ({@code .5}, {@code .123}), then {@code Z}.
     */
    public static String rfc3339(long epochMs) {
        Instant t = Instant.ofEpochMilli(epochMs);
        StringBuilder sb = new StringBuilder(SECONDS.format(t));
        int ms = t.getNano() / 1_000_000;
        if (ms != 0) {
            String frac = String.format(Locale.ROOT, "%03d", ms);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(frac, 0, end);
        }
        return sb.append('Z').toString();
    }
}
