package dev.modelwatch.server.alert.notify.wecom;

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
import dev.modelwatch.server.alert.notify.TextLimit;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The WeCom group robot against a local receiver: markdown message, size limit, errcode classification. */
class WeComNotifierTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(Samples.T0 + 200_000), ZoneOffset.UTC);
    static final String KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";

    static WeComNotifier notifier(URI url) {
        WeComConfig c = new WeComConfig(EndpointUrl.of(url, true), MessageTemplate.parse(DefaultTemplates.TITLE),
                MessageTemplate.parse(DefaultTemplates.MARKDOWN), false, 5_000);
        return new WeComNotifier("wecom[0]", c, HTTP, CLOCK, "");
    }

    @Test
    void markdownMessageHasTheTitleInBoldThenOneLinePerAlert() throws Exception {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
            NotifyResult r = notifier(server.uri("/cgi-bin/webhook/send?key=" + KEY)).send(Samples.notification("oncall"));
            assertThat(r.delivered()).isTrue();
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("msgtype").asText()).isEqualTo("markdown");
            String content = body.get("markdown").get("content").asText();
            assertThat(content.lines()).hasSize(5); // title, two alerts, a blank line, the notification id
            assertThat(content).endsWith("\nnotification `" + Samples.notification("oncall").idempotencyKey() + "`");
            assertThat(content).startsWith("**[FIRING:2] AccuracyDrop fraud**\n- **FIRING** AccuracyDrop");
            assertThat(content).contains("acknowledged by alice").doesNotContain("RESOLVED");
        }
    }

    @Test
    void longMessagesAreCutToFourKilobytesOfUtf8() throws Exception {
        List<Alert> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(Alert.firing(SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud", "segment", "区域-" + i),
                    Map.of("summary", "准确率下降 " + i), Samples.T0));
        }
        Notification n = new Notification(Samples.GROUP, "oncall", many, List.of(), false, NotifyReason.FIRST_NOTIFICATION,
                Samples.T0);
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
            notifier(server.uri("/cgi-bin/webhook/send?key=" + KEY)).send(n);
            String content = JSON.readTree(server.only().body()).get("markdown").get("content").asText();
            assertThat(content.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(WeComNotifier.MAX_CONTENT_BYTES);
            assertThat(content).endsWith(TextLimit.MARK).startsWith("**[FIRING:200]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"errcode\":0,\"errmsg\":\"ok\"}                                 | true  | false",
        "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}          | false | true",
        "{\"errcode\":-1,\"errmsg\":\"system busy\"}                       | false | true",
        "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}            | false | false",
        "{\"errcode\":40058,\"errmsg\":\"markdown.content exceed max length 4096\"} | false | false"})
    void errcodesAreClassified(String answer, boolean delivered, boolean retryable) {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, answer.strip());
            NotifyResult r = notifier(server.uri("/cgi-bin/webhook/send?key=" + KEY)).send(Samples.notification("oncall"));
            assertThat(r.delivered()).isEqualTo(delivered);
            assertThat(r.retryable()).isEqualTo(retryable);
            if (!delivered) {
                assertThat(r.error()).startsWith("WeCom error ");
            }
        }
    }

    @Test
    void theKeyNeverAppearsInErrors() {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url, key=" + KEY + "\"}");
            WeComNotifier n = notifier(server.uri("/cgi-bin/webhook/send?key=" + KEY));
            assertThat(n.send(Samples.notification("oncall")).error()).doesNotContain(KEY).contains("<secret>");
            assertThat(n.toString()).doesNotContain(KEY);
        }
    }
}
