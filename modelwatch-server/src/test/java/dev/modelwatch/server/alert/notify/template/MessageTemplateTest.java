package dev.modelwatch.server.alert.notify.template;

import dev.modelwatch.server.alert.template.TemplateSyntaxException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.notify.Samples;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The message template language: what each construct renders over the sample group (two firing
 * alerts, v3 acknowledged by alice and v4, one resolved, v2), and that every mistake is refused at
 * parse time with its line and column.
 */
class MessageTemplateTest {
    static final TemplateData DATA = TemplateData.of(Samples.notification("oncall"), true, "https://mw.example.com");

    static Stream<Arguments> renderings() {
        return Stream.of(
                Arguments.of("{{ .Status }}", "firing"),
                Arguments.of("{{ .Receiver }}", "oncall"),
                Arguments.of("{{ .GroupKey }}", "root:{alertname=\"AccuracyDrop\", model=\"fraud\"}"),
                Arguments.of("{{ .GroupLabels.model }}", "fraud"),
                Arguments.of("{{ .CommonLabels.severity }}", "critical"),
                Arguments.of("[{{ .CommonLabels.version }}]", "[]"),
                Arguments.of("[{{ .CommonAnnotations.summary }}]", "[]"),
                Arguments.of("{{ .ExternalURL }}", "https://mw.example.com"),
                Arguments.of("{{ .Reason }} {{ .Escalation }}", "first_notification false"),
                Arguments.of("{{ len .Alerts }}", "3"),
                Arguments.of("{{ len .Alerts.Firing }}/{{ len .Alerts.Resolved }}", "2/1"),
                Arguments.of("{{ range .Alerts }}{{ .Labels.version }} {{ end }}", "v3 v4 v2 "),
                Arguments.of("{{ range .Alerts.Firing }}{{ .Annotations.summary }};{{ end }}",
                        "accuracy of fraud is 0.712;accuracy of fraud is 0.655;"),
                Arguments.of("{{ range .Alerts.Resolved }}{{ .Labels.version }}{{ else }}none{{ end }}", "v2"),
                Arguments.of("{{ range .Alerts }}{{ .Status }},{{ end }}", "firing,firing,resolved,"),
                Arguments.of("{{ if eq .Status \"firing\" }}F{{ else }}R{{ end }}", "F"),
                Arguments.of("{{ if .Escalation }}E{{ else if eq .Status \"firing\" }}F{{ else }}R{{ end }}", "F"),
                Arguments.of("{{ if ne .Status \"firing\" }}R{{ end }}", ""),
                Arguments.of("{{ range .Alerts }}{{ if .Acknowledged }}{{ .AcknowledgedBy }}{{ else }}-{{ end }}{{ end }}",
                        "alice--"),
                Arguments.of("{{ range .Alerts }}{{ .StartsAt }}|{{ .EndsAt }}\n{{ end }}",
                        "2026-11-22T10:00:00Z|0001-01-01T00:00:00Z\n"
                                + "2026-11-22T10:01:30.5Z|0001-01-01T00:00:00Z\n"
                                + "2026-11-22T09:00:00Z|2026-11-22T10:02:00Z\n"),
                Arguments.of("{{ range .Alerts.Firing }}{{ .Fingerprint }} {{ end }}",
                        Samples.FIRING_V3.id() + " " + Samples.FIRING_V4.id() + " "),
                Arguments.of("{{ .GroupLabels }}", "{alertname=\"AccuracyDrop\", model=\"fraud\"}"),
                Arguments.of("{{ .GroupLabels | values }}", "AccuracyDrop fraud"),
                Arguments.of("{{ values .CommonLabels }}", "AccuracyDrop fraud critical"),
                Arguments.of("{{ .Status | toUpper }} {{ toLower \"ABC\" }} {{ title \"hello world-wide\" }}",
                        "FIRING abc Hello World-Wide"),
                Arguments.of("{{ range .Alerts }}{{ $.Receiver }}.{{ end }}", "oncall.oncall.oncall."),
                Arguments.of("{{ if gt (len .Alerts.Firing) 1 }}many{{ end }}", "many"),
                Arguments.of("{{ if le (len .Alerts) 2 }}few{{ else }}more{{ end }}", "more"),
                Arguments.of("{{ if and .Alerts.Firing (not .Escalation) }}x{{ end }}", "x"),
                Arguments.of("{{ if or .Escalation .Alerts.Resolved }}y{{ end }}", "y"),
                Arguments.of("{{ if eq .Reason \"escalation\" \"first_notification\" }}z{{ end }}", "z"),
                Arguments.of("{{ if eq true .Alerts.Firing }}never compiles{{ end }}", null),
                Arguments.of("a  {{- \" b \" -}}  c", "a b c"),
                Arguments.of("{{/* a comment */}}x{{- /* trimmed */ -}} y", "xy"),
                Arguments.of("{{ `raw \"quoted\"` }}", "raw \"quoted\""),
                Arguments.of("{{ \"tab\\there\" }}", "tab\there"),
                Arguments.of("{{ len \"héllo\" }}", "6"),
                Arguments.of("no actions", "no actions"),
                Arguments.of("", ""),
                Arguments.of("{{ range .Alerts }}{{ if eq .Labels.version \"v4\" }}{{ .Labels }}{{ end }}{{ end }}",
                        "{alertname=\"AccuracyDrop\", model=\"fraud\", severity=\"critical\", version=\"v4\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void templatesRenderTheNotification(String source, String expected) {
        if (expected == null) {
            assertThatThrownBy(() -> MessageTemplate.parse(source)).isInstanceOf(TemplateSyntaxException.class);
            return;
        }
        assertThat(MessageTemplate.parse(source).render(DATA)).isEqualTo(expected);
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("{{ .Foo }}", 1, 4, "unknown field .Foo (fields of the notification: Alerts, CommonAnnotations"),
                Arguments.of("hello\n  {{ .Labels.model }}", 2, 6, ".Labels is a field of an alert, inside {{ range .Alerts }}"),
                Arguments.of("{{ range .Alerts }}{{ .Receiver }}{{ end }}", 1, 23, "use $.Receiver"),
                Arguments.of("{{ if .Status }}x", 1, 1, "{{ if }} without {{ end }}"),
                Arguments.of("{{ range .Alerts }}x", 1, 1, "{{ range }} without {{ end }}"),
                Arguments.of("x{{ end }}", 1, 2, "unexpected {{ end }} without {{ if }} or {{ range }}"),
                Arguments.of("{{ else }}", 1, 1, "unexpected {{ else }}"),
                Arguments.of("a\nb {{ .Status", 2, 3, "unclosed action"),
                Arguments.of("{{ }}", 1, 1, "empty action"),
                Arguments.of("{{ range .GroupLabels }}{{ end }}", 1, 10, "range over a label map"),
                Arguments.of("{{ len .Status .Receiver }}", 1, 4, "len takes 1 argument, was given 2"),
                Arguments.of("{{ eq .Status 1 }}", 1, 4, "eq compares a string with a number"),
                Arguments.of("{{ frobnicate .Status }}", 1, 4, "unknown function 'frobnicate'"),
                Arguments.of("line1\nline2 {{ .Status | humanize }}", 2, 20, "unknown function 'humanize'"),
                Arguments.of("{{ .Alerts }}", 1, 4, "cannot print a list of alerts: use {{ range }} or {{ len }}"),
                Arguments.of("{{ range .Alerts }}{{ . }}{{ end }}", 1, 23, "cannot print an alert"),
                Arguments.of("{{ \"abc }}", 1, 4, "unterminated string"),
                Arguments.of("{{ $x := .Status }}", 1, 4, "variables are not supported"),
                Arguments.of("{{ .Status | }}", 1, 13, "'|' without a function after it"),
                Arguments.of("{{ .Status | .Receiver }}", 1, 14, "after '|' a function is expected"),
                Arguments.of("{{ .Status .Receiver }}", 1, 12, "unexpected '.Receiver' after a value"),
                Arguments.of("{{ if .Status }}a{{ else }}b{{ else }}c{{ end }}", 1, 29, "a second {{ else }}"),
                Arguments.of("{{ if .Status }}{{ end x }}", 1, 24, "unexpected 'x' after {{ end }}"),
                Arguments.of("{{ with .Status }}{{ end }}", 1, 4, "{{ with }} is not supported"),
                Arguments.of("{{ eq len .Alerts 1 }}", 1, 7, "a function used as an argument needs parentheses"),
                Arguments.of("{{ if gt (len .Alerts 1 }}{{ end }}", 1, 11, "len takes 1 argument"),
                Arguments.of("{{ if (len .Alerts }}{{ end }}", 1, 7, "unclosed '('"),
                Arguments.of("{{ .Status.Foo }}", 1, 11, "cannot take field .Foo of a string"),
                Arguments.of("{{ .Alerts.Open }}", 1, 11, "unknown field .Open of a list of alerts"),
                Arguments.of("{{ 1.5x }}", 1, 4, "malformed number"),
                Arguments.of("{{ toUpper .GroupLabels }}", 1, 4, "toUpper takes 1 string, was given a label map"),
                Arguments.of("{{ \"a\\qb\" }}", 1, 6, "unsupported escape"),
                Arguments.of("{{ .Status # }}", 1, 12, "unexpected '#' in an action"),
                Arguments.of("{{/* open", 1, 3, "unclosed comment"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesAreRefusedAtParseTimeWithTheirPosition(String source, int line, int column, String reason) {
        assertThatThrownBy(() -> MessageTemplate.parse(source))
                .isInstanceOfSatisfying(TemplateSyntaxException.class, e -> {
                    assertThat(e.reason()).contains(reason);
                    assertThat(e.line()).as("line").isEqualTo(line);
                    assertThat(e.column()).as("column").isEqualTo(column);
                    assertThat(e.getMessage()).startsWith("line " + line + ", column " + column + ": ");
                });
    }

    @Test
    void printedValuesAreEscapedForTheChannelButTheTemplateTextIsNot() {
        Alert a = Alert.firing(SeriesLabels.of("alertname", "X", "model", "a<b>&c"),
                Map.of("summary", "\"quoted\" & 'single'"), Samples.T0);
        Notification n = new Notification(Samples.GROUP, "r", List.of(a), List.of(), false, NotifyReason.FIRST_NOTIFICATION,
                Samples.T0);
        TemplateData d = TemplateData.of(n, false, "");
        MessageTemplate t = MessageTemplate.parse("<b>{{ range .Alerts }}{{ .Labels.model }} {{ .Annotations.summary }}{{ end }}</b>");
        assertThat(t.render(d, Escaping.HTML)).isEqualTo("<b>a&lt;b&gt;&amp;c &#34;quoted&#34; &amp; &#39;single&#39;</b>");
        assertThat(t.render(d, Escaping.SLACK)).isEqualTo("<b>a&lt;b&gt;&amp;c \"quoted\" &amp; 'single'</b>");
        assertThat(t.render(d)).isEqualTo("<b>a<b>&c \"quoted\" & 'single'</b>");
    }

    @Test
    void defaultTemplatesShowOneLinePerAlertWithAcknowledgementAndMarkEscalation() {
        TemplateData normal = TemplateData.of(Samples.notification("oncall"), true, "https://mw.example.com/");
        TemplateData escalation = TemplateData.of(Samples.notification("managers", NotifyReason.ESCALATION), false, "");
        MessageTemplate title = MessageTemplate.parse(DefaultTemplates.TITLE);
        assertThat(title.render(normal)).isEqualTo("[FIRING:2] AccuracyDrop fraud");
        assertThat(title.render(escalation)).isEqualTo("[ESCALATION] [FIRING:2] AccuracyDrop fraud");
        assertThat(title.render(TemplateData.of(Samples.resolvedOnly("oncall"), true, ""))).isEqualTo("[RESOLVED] AccuracyDrop fraud");

        String text = MessageTemplate.parse(DefaultTemplates.TEXT).render(normal);
        assertThat(text.lines()).containsExactly(
                "- FIRING AccuracyDrop {alertname=\"AccuracyDrop\", model=\"fraud\", severity=\"critical\", version=\"v3\"}:"
                        + " accuracy of fraud is 0.712 (since 2026-11-22T10:00:00Z; acknowledged by alice)",
                // each alert's dashboard link: its model's page from an hour before it started (until now while it fires)
                "  https://mw.example.com/ui/models/fraud?range=custom&from=1795338000000&version=v3&alert=f51063b11cf05ed2",
                "- FIRING AccuracyDrop {alertname=\"AccuracyDrop\", model=\"fraud\", severity=\"critical\", version=\"v4\"}:"
                        + " accuracy of fraud is 0.655 (since 2026-11-22T10:01:30.5Z)",
                "  https://mw.example.com/ui/models/fraud?range=custom&from=1795338090500&version=v4&alert=f51263b11cf0e1a9",
                "- RESOLVED AccuracyDrop {alertname=\"AccuracyDrop\", model=\"fraud\", severity=\"critical\", version=\"v2\"}:"
                        + " accuracy of fraud is 0.790 (since 2026-11-22T09:00:00Z, resolved 2026-11-22T10:02:00Z)",
                // and an hour past its end once resolved
                "  https://mw.example.com/ui/models/fraud?range=custom&from=1795334400000&to=1795345320000&version=v2"
                        + "&alert=f50c63b11cec75fb",
                "",
                "https://mw.example.com/",
                "",
                "notification " + Samples.notification("oncall").idempotencyKey());
        assertThat(MessageTemplate.parse(DefaultTemplates.TEXT).render(escalation))
                .startsWith("Escalation: not acknowledged in time.\n\n- FIRING");
        for (String src : List.of(DefaultTemplates.MARKDOWN, DefaultTemplates.SLACK)) {
            String out = MessageTemplate.parse(src).render(escalation);
            assertThat(out).contains("Escalation").contains("acknowledged by alice").contains("accuracy of fraud is 0.655");
        }
        // without server.external_url, links from the server's root
        assertThat(MessageTemplate.parse(DefaultTemplates.MARKDOWN).render(escalation))
                .contains(" [dashboard](/ui/models/fraud?range=custom&from=1795338000000&version=v3&alert=f51063b11cf05ed2)");
        assertThat(MessageTemplate.parse(DefaultTemplates.SLACK).render(normal, Escaping.SLACK))
                .contains(" <https://mw.example.com/ui/models/fraud?range=custom&amp;from=1795338000000&amp;version=v3"
                        + "&amp;alert=f51063b11cf05ed2|dashboard>");
        assertThat(MessageTemplate.parse(DefaultTemplates.HTML).render(normal, Escaping.HTML))
                .contains("<td><a href=\"https://mw.example.com/ui/models/fraud?range=custom&amp;from=1795338000000&amp;"
                        + "version=v3&amp;alert=f51063b11cf05ed2\">open</a></td>");
        assertThat(MessageTemplate.parse(DefaultTemplates.HTML).render(escalation, Escaping.HTML))
                .contains("[ESCALATION] [FIRING:2] AccuracyDrop fraud</h2>").contains("<strong>Escalation</strong>")
                .contains("<td>alice</td>").contains("<td>accuracy of fraud is 0.655</td>")
                .contains("{alertname=&#34;AccuracyDrop&#34;");
        assertThat(MessageTemplate.parse(DefaultTemplates.SLACK_COLOR).render(normal)).isEqualTo("danger");
    }

    @Test
    void goTimeFormatDropsTrailingFractionZeros() {
        assertThat(TemplateData.rfc3339(0)).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(TemplateData.rfc3339(Samples.T0 + 500)).isEqualTo("2026-11-22T10:00:00.5Z");
        assertThat(TemplateData.rfc3339(Samples.T0 + 120)).isEqualTo("2026-11-22T10:00:00.12Z");
        assertThat(TemplateData.rfc3339(Samples.T0 + 7)).isEqualTo("2026-11-22T10:00:00.007Z");
    }

    @Test
    void eachAlertAndANotificationOfOneIncidentLinkToIt() {
        Notification n = Samples.notification("oncall");
        IncidentLinks one = (alertId, startsAtMs) -> new IncidentLinks.Link("7", "https://mw.example.com/ui/incidents/7");
        TemplateData d = TemplateData.of(n, true, "", one);
        assertThat(MessageTemplate.parse("{{ .IncidentID }} {{ .IncidentURL }}|{{ range .Alerts }}{{ .IncidentID }},{{ end }}")
                .render(d)).isEqualTo("7 https://mw.example.com/ui/incidents/7|7,7,7,");
        assertThat(MessageTemplate.parse(DefaultTemplates.TEXT).render(d).lines().filter(l -> l.startsWith("- ")))
                .allMatch(l -> l.endsWith(") incident 7 https://mw.example.com/ui/incidents/7"));
        assertThat(MessageTemplate.parse(DefaultTemplates.MARKDOWN).render(d))
                .contains(" [incident 7](https://mw.example.com/ui/incidents/7)\n");

        String first = n.firing().get(0).id();
        IncidentLinks two = (alertId, startsAtMs) -> new IncidentLinks.Link(alertId.equals(first) ? "7" : "8", "");
        TemplateData mixed = TemplateData.of(n, true, "", two);
        assertThat(MessageTemplate.parse("[{{ .IncidentID }}]{{ range .Alerts }} {{ .IncidentID }}{{ end }}").render(mixed))
                .as("alerts of two incidents: the notification names none").isEqualTo("[] 7 8 8");
        assertThat(MessageTemplate.parse(DefaultTemplates.MARKDOWN).render(mixed)).contains(" incident 8\n");
    }
}
