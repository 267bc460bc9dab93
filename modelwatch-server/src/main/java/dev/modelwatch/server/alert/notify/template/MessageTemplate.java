package dev.modelwatch.server.alert.notify.template;

import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.template.GoTemplate;
import dev.modelwatch.server.alert.template.TemplateSyntaxException;
import dev.modelwatch.server.alert.template.TemplateType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A notification message template (a title, a text, an e-mail body) in the subset of Go's
 * {@code text/template} that Alertmanager users write ({@link GoTemplate}, the server's one template
 * engine), over {@link TemplateData}. It is parsed and
 * type-checked when the configuration is loaded: a syntax error, an unknown field or function, or a
 * value used where it does not fit is a {@link TemplateSyntaxException} naming the line and column,
 * so that rendering never fails.
 *
 * <p>The language:
 * <ul>
 *   <li>Fields of the notification: {@code .Status} ({@code firing}/{@code resolved}), {@code .Receiver},
 *       {@code .GroupKey}, {@code .NotificationID} (the stable id receivers deduplicate by), {@code .ExternalURL},
 *       {@code .IncidentID} and {@code .IncidentURL} (the incident all its alerts belong to, "" when none or
 *       several), {@code .Reason} ({@code first_notification},
 *       {@code escalation}, ...), {@code .Escalation} (a boolean), {@code .GroupLabels.name},
 *       {@code .CommonLabels.name}, {@code .CommonAnnotations.name}, {@code .Alerts},
 *       {@code .Alerts.Firing}, {@code .Alerts.Resolved}. A missing label is the empty string.</li>
 *   <li>{@code {{ range .Alerts }}...{{ end }}} (optionally {@code {{ else }}} for none): inside,
 *       {@code .} is one alert with {@code .Status}, {@code .Labels.name}, {@code .Annotations.name},
 *       {@code .StartsAt}, {@code .EndsAt} (RFC 3339, {@value TemplateData#ZERO_TIME} while firing),
 *       {@code .Fingerprint}, {@code .GeneratorURL}, {@code .AcknowledgedBy} ("" when nobody),
 *       {@code .IncidentID}, {@code .IncidentURL} ("" when it belongs to no incident) and
 *       {@code .Acknowledged}; {@code $} is the notification ({@code $.Receiver}).</li>
 *   <li>{@code {{ if PIPELINE }}...{{ else if PIPELINE }}...{{ else }}...{{ end }}}; a value is true
 *       when it is a true boolean, a non-empty string, label map or list, or a non-zero number.</li>
 *   <li>Functions: {@code len} (of a list, label map or string: bytes in UTF-8, as Go), {@code index}
 *       (a label by name), {@code eq a b...} (a equals any of the others), {@code ne},
 *       {@code lt le gt ge} (numbers or strings), {@code not}, {@code and}, {@code or} (as Go's: the
 *       deciding argument), {@code printf} (Go's verbs), {@code toUpper}, {@code toLower},
 *       {@code title}, {@code values} (the values of a label map in name order, space-separated);
 *       pipes pass the value as the last argument ({@code {{ .Status | toUpper }}}); parentheses
 *       group ({@code {{ if gt (len .Alerts.Firing) 1 }}}); string ({@code "..."}, {@code `...`}),
 *       integer, float and {@code true}/{@code false} literals.</li>
 *   <li>Printing a label map writes {@code {name="value", ...}}; a list or an alert cannot be printed
 *       (use {@code range} or {@code len}). Comments (slash-star ... star-slash) are dropped, and
 *       <code>{{-&nbsp;</code> / <code>&nbsp;-}}</code> trim the white space before / after the action, as in
 *       Go.</li>
 * </ul>
 * Printed values are escaped by the channel's {@link Escaping} (HTML e-mail, Slack); the template's
 * own text is not.
 *
 * <p>Immutable and thread-safe. Usage:
 * <pre>{@code
 * MessageTemplate t = MessageTemplate.parse("[{{ .Status | toUpper }}] {{ len .Alerts }} alert(s) for {{ .GroupLabels.model }}");
 * String title = t.render(TemplateData.of(notification, true, ""));   // "[FIRING] 2 alert(s) for fraud"
 * }</pre>
 */
public final class MessageTemplate {
    /** An alert of {@code .Alerts}. */
    private static final TemplateType ALERT = TemplateType.struct("an alert");
    /** A list of alerts, with {@code .Firing} and {@code .Resolved}. */
    private static final TemplateType ALERTS = TemplateType.list("a list of alerts", ALERT);
    /** The notification, the root. */
    private static final TemplateType NOTIFICATION = TemplateType.struct("the notification");

    static {
        ALERT.field("Status", TemplateType.STRING, a -> alert(a).status())
                .field("Labels", TemplateType.LABELS, a -> alert(a).labels())
                .field("Annotations", TemplateType.LABELS, a -> alert(a).annotations())
                .field("StartsAt", TemplateType.STRING, a -> alert(a).startsAt())
                .field("EndsAt", TemplateType.STRING, a -> alert(a).endsAt())
                .field("Fingerprint", TemplateType.STRING, a -> alert(a).fingerprint())
                .field("GeneratorURL", TemplateType.STRING, a -> alert(a).generatorUrl())
                .field("AcknowledgedBy", TemplateType.STRING, a -> alert(a).acknowledgedBy())
                .field("Acknowledged", TemplateType.BOOL, a -> !alert(a).acknowledgedBy().isEmpty())
                .field("IncidentID", TemplateType.STRING, a -> alert(a).incidentId())
                .field("IncidentURL", TemplateType.STRING, a -> alert(a).incidentUrl())
                .unknownFieldHint(name -> NOTIFICATION.fields().containsKey(name)
                        ? "; use $." + name + " for the notification's" : "");
        ALERTS.field("Firing", ALERTS, l -> only(l, true)).field("Resolved", ALERTS, l -> only(l, false));
        NOTIFICATION.field("Status", TemplateType.STRING, d -> data(d).status())
                .field("Receiver", TemplateType.STRING, d -> data(d).receiver())
                .field("GroupKey", TemplateType.STRING, d -> data(d).groupKey())
                .field("NotificationID", TemplateType.STRING, d -> data(d).notificationId())
                .field("ExternalURL", TemplateType.STRING, d -> data(d).externalUrl())
                .field("IncidentID", TemplateType.STRING, d -> data(d).incidentId())
                .field("IncidentURL", TemplateType.STRING, d -> data(d).incidentUrl())
                .field("Reason", TemplateType.STRING, d -> data(d).reason().name().toLowerCase(Locale.ROOT))
                .field("Escalation", TemplateType.BOOL, d -> data(d).escalation())
                .field("GroupLabels", TemplateType.LABELS, d -> data(d).groupLabels())
                .field("CommonLabels", TemplateType.LABELS, d -> data(d).commonLabels())
                .field("CommonAnnotations", TemplateType.LABELS, d -> data(d).commonAnnotations())
                .field("Alerts", ALERTS, d -> data(d).alerts())
                .unknownFieldHint(name -> ALERT.fields().containsKey(name)
                        ? "; ." + name + " is a field of an alert, inside {{ range .Alerts }}" : "");
    }

    private final GoTemplate template;

    private MessageTemplate(GoTemplate template) {
        this.template = template;
    }

    private static TemplateData data(Object o) {
        return (TemplateData) o;
    }

    private static TemplateData.AlertData alert(Object o) {
        return (TemplateData.AlertData) o;
    }

    private static List<Object> only(Object alerts, boolean firing) {
        List<Object> out = new ArrayList<>();
        for (Object o : (List<?>) alerts) {
            if (alert(o).firing() == firing) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * Parses and type-checks a template.
     *
     * @throws TemplateSyntaxException with the line and column of the first problem
     */
    public static MessageTemplate parse(String source) {
        return new MessageTemplate(GoTemplate.parse(source, NOTIFICATION));
    }

    /**
     * The template written at {@code node} (a string), or {@code defaultSource} when it is not written.
     * A template that does not parse is a problem at the node's path and gives null.
     */
    public static MessageTemplate fromConfig(ConfigNode node, String defaultSource) {
        if (node.isUnset()) {
            return parse(defaultSource);
        }
        String text = node.asString();
        if (text == null) {
            return null;
        }
        try {
            return parse(text);
        } catch (TemplateSyntaxException e) {
            node.problem("template " + e.getMessage());
            return null;
        }
    }

    /** The text as written. */
    public String source() {
        return template.source();
    }

    /** The message for {@code data}, printed values as they are. */
    public String render(TemplateData data) {
        return render(data, Escaping.NONE);
    }

    /** The message for {@code data}, printed values escaped by {@code escaping}. */
    public String render(TemplateData data, Escaping escaping) {
        return template.render(data, escaping::apply);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageTemplate && ((MessageTemplate) o).template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    @Override
    public String toString() {
        return template.source();
    }
}
