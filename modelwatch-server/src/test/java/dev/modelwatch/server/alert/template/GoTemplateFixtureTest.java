package dev.modelwatch.server.alert.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.lifecycle.AnnotationTemplate;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The template engine against Go's own {@code text/template}: each case of
 * {@code fixtures/gotemplate/cases.json} is rendered over {@code data.json} by
 * {@link MessageTemplate} (notification data) or {@link AnnotationTemplate} (a series), and must
 * print what Go printed ({@code expected.json}, written by {@code gen/main.go}; see the README
 * there), or fail where Go failed. A case with a {@code java} entry is a deliberate difference: the
 * engine must give that entry's output (or refuse the template) and Go must not.
 */
class GoTemplateFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException {
        JsonNode cases = read("cases.json");
        JsonNode expected = read("expected.json").get("cases");
        assertThat(expected.size()).as("expected.json is up to date with cases.json").isEqualTo(cases.size());
        List<Arguments> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            JsonNode e = expected.get(i);
            assertThat(e.get("template").asText()).isEqualTo(c.get("template").asText());
            out.add(Arguments.of(c.get("name").asText(), c.get("data").asText(), c.get("template").asText(),
                    e.has("error") ? null : e.path("output").asText(""), e.path("error").asText(""), c.get("java")));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theEnginePrintsWhatGoPrints(String name, String data, String template, String goOutput, String goError,
            JsonNode deliberate) throws IOException {
        if (deliberate != null) {
            assertThat(deliberate.path("why").asText()).as("a deliberate difference says why").isNotBlank();
            if (deliberate.path("error").asBoolean(false)) {
                assertThat(goOutput).as("Go accepts it").isNotNull();
                assertThatThrownBy(() -> render(data, template)).isInstanceOf(IllegalArgumentException.class);
            } else {
                String java = deliberate.get("output").asText();
                assertThat(goOutput).as("Go differs").isNotNull().isNotEqualTo(java);
                assertThat(render(data, template)).isEqualTo(java);
            }
            return;
        }
        if (goOutput == null) {
            assertThatThrownBy(() -> render(data, template)).as("Go failed: " + goError)
                    .isInstanceOf(IllegalArgumentException.class);
        } else {
            assertThat(render(data, template)).isEqualTo(goOutput);
        }
    }

    private static String render(String data, String template) throws IOException {
        JsonNode d = read("data.json").get(data);
        if (data.equals("notification")) {
            return MessageTemplate.parse(template).render(notification(d));
        }
        return AnnotationTemplate.parse(template).expand(SeriesLabels.of(strings(d.get("Labels"))), d.get("Value").asDouble());
    }

    private static TemplateData notification(JsonNode d) {
        List<TemplateData.AlertData> alerts = new ArrayList<>();
        for (JsonNode a : d.get("Alerts")) {
            alerts.add(new TemplateData.AlertData(a.get("Status").asText(), strings(a.get("Labels")),
                    strings(a.get("Annotations")), a.get("StartsAtMs").asLong(),
                    a.get("EndsAtMs").isNull() ? null : a.get("EndsAtMs").asLong(), a.get("Fingerprint").asText(),
                    a.get("GeneratorURL").asText(), a.get("AcknowledgedBy").asText()));
        }
        return new TemplateData(d.get("Receiver").asText(), d.get("Status").asText(), d.get("GroupKey").asText(),
                strings(d.get("GroupLabels")), strings(d.get("CommonLabels")), strings(d.get("CommonAnnotations")),
                d.get("ExternalURL").asText(), alerts,
                NotifyReason.valueOf(d.get("Reason").asText().toUpperCase(Locale.ROOT)), d.get("NotificationID").asText());
    }

    private static Map<String, String> strings(JsonNode m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static JsonNode read(String file) throws IOException {
        try (InputStream in = GoTemplateFixtureTest.class.getResourceAsStream("/fixtures/gotemplate/" + file)) {
            return JSON.readTree(in);
        }
    }
}
