package dev.modelwatch.server.alert.notify.template;

/**
 * The message templates an integration uses when its configuration writes none. The text, Markdown
 * and Slack defaults end with the notification's stable id ({@code .NotificationID}), which chat
 * robots have no field for, so that a reader (or a bot) can tell a re-sent message from a new one. Every default shows
 * one line per alert (status, name, labels, summary, since when, who acknowledged it, its dashboard link), and marks a
 * route's escalation both in the title ({@code [ESCALATION]}) and in the text.
 *
 * <p>Title, e.g. {@code [FIRING:2] AccuracyDrop fraud} (the group's label values), and
 * {@code [ESCALATION] [FIRING:1] ...} for an escalation; {@code [RESOLVED] ...} when nothing fires.
 */
public final class DefaultTemplates {
    /** The title (e-mail subject, robot title, Slack text). */
    public static final String TITLE = "{{ if .Escalation }}[ESCALATION] {{ end }}"
            + "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ len .Alerts.Firing }}{{ end }}] "
            + "{{ if .GroupLabels }}{{ .GroupLabels | values }}{{ else }}{{ .CommonLabels.alertname }}{{ end }}";

    /** Plain text (e-mail text part). */
    public static final String TEXT = "{{ if .Escalation }}Escalation: not acknowledged in time.\n\n{{ end }}"
            + "{{ range .Alerts }}- {{ .Status | toUpper }} {{ .Labels.alertname }} {{ .Labels }}"
            + "{{ if .Annotations.summary }}: {{ .Annotations.summary }}{{ end }}"
            + "{{ if .Annotations.label_status }} [{{ .Annotations.label_status }}{{ if .Annotations.label_note }}: {{ .Annotations.label_note }}{{ end }}]{{ end }}"
            + " (since {{ .StartsAt }}{{ if eq .Status \"resolved\" }}, resolved {{ .EndsAt }}{{ end }}"
            + "{{ if .Acknowledged }}; acknowledged by {{ .AcknowledgedBy }}{{ end }})"
            + "{{ if .IncidentID }} incident {{ .IncidentID }}{{ if .IncidentURL }} {{ .IncidentURL }}{{ end }}{{ end }}\n"
            + "{{ if .GeneratorURL }}  {{ .GeneratorURL }}\n{{ end }}{{ end }}"
            + "{{ if .ExternalURL }}\n{{ .ExternalURL }}\n{{ end }}" + "\nnotification {{ .NotificationID }}\n";

    /** Markdown (DingTalk, WeCom, Feishu). */
    public static final String MARKDOWN = "{{ if .Escalation }}**Escalation**: not acknowledged in time.\n\n{{ end }}"
            + "{{ range .Alerts }}- **{{ .Status | toUpper }}** {{ .Labels.alertname }} `{{ .Labels }}`"
            + "{{ if .Annotations.summary }}: {{ .Annotations.summary }}{{ end }}"
            + "{{ if .Annotations.label_status }} [{{ .Annotations.label_status }}{{ if .Annotations.label_note }}: {{ .Annotations.label_note }}{{ end }}]{{ end }}"
            + " (since {{ .StartsAt }}{{ if eq .Status \"resolved\" }}, resolved {{ .EndsAt }}{{ end }}"
            + "{{ if .Acknowledged }}; acknowledged by {{ .AcknowledgedBy }}{{ end }})"
            + "{{ if .GeneratorURL }} [dashboard]({{ .GeneratorURL }}){{ end }}"
            + "{{ if .IncidentURL }} [incident {{ .IncidentID }}]({{ .IncidentURL }}){{ else if .IncidentID }} incident"
            + " {{ .IncidentID }}{{ end }}\n{{ end }}"
            + "\nnotification `{{ .NotificationID }}`";

    /** Slack {@code mrkdwn}. */
    public static final String SLACK = "{{ if .Escalation }}*Escalation*: not acknowledged in time.\n{{ end }}"
            + "{{ range .Alerts }}• *{{ .Status | toUpper }}* {{ .Labels.alertname }} `{{ .Labels }}`"
            + "{{ if .Annotations.summary }}: {{ .Annotations.summary }}{{ end }}"
            + "{{ if .Annotations.label_status }} [{{ .Annotations.label_status }}{{ if .Annotations.label_note }}: {{ .Annotations.label_note }}{{ end }}]{{ end }}"
            + " (since {{ .StartsAt }}{{ if eq .Status \"resolved\" }}, resolved {{ .EndsAt }}{{ end }}"
            + "{{ if .Acknowledged }}; acknowledged by {{ .AcknowledgedBy }}{{ end }})"
            + "{{ if .GeneratorURL }} <{{ .GeneratorURL }}|dashboard>{{ end }}"
            + "{{ if .IncidentURL }} [incident {{ .IncidentID }}]({{ .IncidentURL }}){{ else if .IncidentID }} incident"
            + " {{ .IncidentID }}{{ end }}\n{{ end }}"
            + "\nnotification `{{ .NotificationID }}`";

    /** Slack attachment colour: Slack's {@code danger} while firing, {@code good} when resolved. */
    public static final String SLACK_COLOR = "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}";

    /** HTML (e-mail HTML part); values are HTML-escaped when rendered. */
    public static final String HTML = "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"></head>"
            + "<body style=\"font-family: sans-serif\">\n"
            + "<h2 style=\"color: {{ if eq .Status \"firing\" }}#c0392b{{ else }}#27ae60{{ end }}\">"
            + TITLE + "</h2>\n"
            + "{{ if .Escalation }}<p><strong>Escalation</strong>: not acknowledged in time.</p>\n{{ end }}"
            + "<table cellpadding=\"4\" style=\"border-collapse: collapse\">\n"
            + "<tr><th align=\"left\">status</th><th align=\"left\">alert</th><th align=\"left\">labels</th>"
            + "<th align=\"left\">summary</th><th align=\"left\">since</th><th align=\"left\">acknowledged by</th>"
            + "<th align=\"left\">dashboard</th></tr>\n"
            + "{{ range .Alerts }}<tr><td>{{ .Status }}</td><td>{{ .Labels.alertname }}</td><td>{{ .Labels }}</td>"
            + "<td>{{ .Annotations.summary }}{{ if .Annotations.label_status }} [{{ .Annotations.label_status }}{{ if .Annotations.label_note }}: {{ .Annotations.label_note }}{{ end }}]{{ end }}</td><td>{{ .StartsAt }}</td><td>{{ .AcknowledgedBy }}</td>"
            + "<td>{{ if .GeneratorURL }}<a href=\"{{ .GeneratorURL }}\">open</a>{{ end }}</td></tr>\n{{ end }}"
            + "</table>\n"
            + "{{ if .ExternalURL }}<p><a href=\"{{ .ExternalURL }}\">{{ .ExternalURL }}</a></p>\n{{ end }}"
            + "</body></html>\n";

    private DefaultTemplates() {
    }
}
