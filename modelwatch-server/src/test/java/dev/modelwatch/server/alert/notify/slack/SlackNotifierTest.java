package dev.modelwatch.server.alert.notify.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RecordingServer;
import dev.modelwatch.server.alert.notify.Samples;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Slack incoming webhook against a local receiver: text, coloured attachment with a mrkdwn block, escaping, errors. */
class SlackNotifierTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(Samples.T0 + 200_000), ZoneOffset.UTC);
    static final String PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    static SlackNotifier notifier(URI url, boolean sendResolved) {
        SlackConfig c = new SlackConfig(EndpointUrl.of(url, true), "#alerts", "modelwatch", ":rotating_light:", null,
                MessageTemplate.parse(DefaultTemplates.TITLE), MessageTemplate.parse(DefaultTemplates.SLACK),
                MessageTemplate.parse(DefaultTemplates.SLACK_COLOR), sendResolved, 5_000);
        return new SlackNotifier("slack[0]", c, HTTP, CLOCK, "");
    }

    @Test
    void messageHasTheTitleAsTextAndTheAlertsInAColouredAttachment() throws Exception {
        try (RecordingServer server = RecordingServer.start()) {
            NotifyResult r = notifier(server.uri(PATH), false).send(Samples.notification("oncall"));
            assertThat(r.delivered()).isTrue();
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("channel").asText()).isEqualTo("#alerts");
            assertThat(body.get("username").asText()).isEqualTo("modelwatch");
            assertThat(body.get("icon_emoji").asText()).isEqualTo(":rotating_light:");
            assertThat(body.has("icon_url")).isFalse();
            assertThat(body.get("text").asText()).isEqualTo("[FIRING:2] AccuracyDrop fraud");
            JsonNode att = body.get("attachments").get(0);
            assertThat(att.get("color").asText()).isEqualTo("danger");
            assertThat(att.get("fallback").asText()).isEqualTo("[FIRING:2] AccuracyDrop fraud");
            JsonNode block = att.get("blocks").get(0);
            assertThat(block.get("type").asText()).isEqualTo("section");
            assertThat(block.get("text").get("type").asText()).isEqualTo("mrkdwn");
            assertThat(block.get("text").get("text").asText()).startsWith("• *FIRING* AccuracyDrop")
                    .contains("acknowledged by alice").doesNotContain("0.790");
        }
    }

    @Test
    void resolvedGroupIsGoodGreen() throws Exception {
        try (RecordingServer server = RecordingServer.start()) {
            notifier(server.uri(PATH), true).send(Samples.resolvedOnly("oncall"));
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("attachments").get(0).get("color").asText()).isEqualTo("good");
            assertThat(body.get("text").asText()).isEqualTo("[RESOLVED] AccuracyDrop fraud");
        }
    }

    @Test
    void labelValuesAreEscapedForMrkdwn() throws Exception {
        Alert a = Alert.firing(SeriesLabels.of("alertname", "X", "model", "<!channel> & co"), Map.of(), Samples.T0);
        Notification n = new Notification(Samples.GROUP, "oncall", List.of(a), List.of(), false,
                NotifyReason.FIRST_NOTIFICATION, Samples.T0);
        try (RecordingServer server = RecordingServer.start()) {
            notifier(server.uri(PATH), false).send(n);
            String text = JSON.readTree(server.only().body()).get("attachments").get(0).get("blocks").get(0)
                    .get("text").get("text").asText();
            assertThat(text).contains("&lt;!channel&gt; &amp; co").doesNotContain("<!channel>");
        }
    }

    @Test
    void slackErrorsAreClassifiedAndTheWebhookPathNeverShown() {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(404, "no_service");
            server.respond(429, "rate_limited", "Retry-After", "30");
            SlackNotifier n = notifier(server.uri(PATH), false);
            NotifyResult notFound = n.send(Samples.notification("oncall"));
            assertThat(notFound.retryable()).isFalse();
            assertThat(notFound.error()).isEqualTo("HTTP 404: no_service");
            NotifyResult limited = n.send(Samples.notification("oncall"));
            assertThat(limited.retryable()).isTrue();
            assertThat(limited.retryAfterMs()).isEqualTo(30_000L);
            assertThat(n.toString()).doesNotContain("XXXXXXXXXXXXXXXXXXXXXXXX").doesNotContain("T00000000");
        }
    }
}
