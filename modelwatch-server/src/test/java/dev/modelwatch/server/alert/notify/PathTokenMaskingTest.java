package dev.modelwatch.server.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.alert.notify.dingtalk.DingTalkConfig;
import dev.modelwatch.server.alert.notify.dingtalk.DingTalkNotifier;
import dev.modelwatch.server.alert.notify.feishu.FeishuConfig;
import dev.modelwatch.server.alert.notify.feishu.FeishuNotifier;
import dev.modelwatch.server.alert.notify.slack.SlackConfig;
import dev.modelwatch.server.alert.notify.slack.SlackNotifier;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import dev.modelwatch.server.alert.notify.wecom.WeComConfig;
import dev.modelwatch.server.alert.notify.wecom.WeComNotifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every integration whose URL carries its token: an endpoint that echoes the request path (whole,
 * its tail, or the token alone) in its error answer never gets the token into the delivery error,
 * which is what logs, the API's delivery log and {@code modelwatch alert test} show. The tokens
 * here are short, as a test workspace's or a self-hosted relay's can be.
 */
class PathTokenMaskingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Clock CLOCK = Clock.systemUTC();

    @Test
    void slackWorkspaceBotAndTokenSegmentsAreMaskedInAnEchoedPath() {
        assertEchoMasked("/services/T1A2B3/B9Z8Y7/s3cr3tK", List.of("T1A2B3", "B9Z8Y7", "s3cr3tK"),
                url -> new SlackNotifier("slack[0]", new SlackConfig(EndpointUrl.of(url, true), "#alerts", "mw", null, null,
                        MessageTemplate.parse(DefaultTemplates.TITLE), MessageTemplate.parse(DefaultTemplates.SLACK),
                        MessageTemplate.parse(DefaultTemplates.SLACK_COLOR), false, 5_000), HTTP, CLOCK, ""));
    }

    @Test
    void feishuHookIdIsMaskedInAnEchoedPath() {
        assertEchoMasked("/open-apis/bot/v2/hook/ab12cd34", List.of("ab12cd34"),
                url -> new FeishuNotifier("feishu[0]", new FeishuConfig(EndpointUrl.of(url, true), null, false,
                        MessageTemplate.parse(DefaultTemplates.TITLE), MessageTemplate.parse(DefaultTemplates.MARKDOWN),
                        false, 5_000), HTTP, CLOCK, ""));
    }

    @Test
    void weComKeyIsMaskedInAnEchoedQuery() {
        assertEchoMasked("/cgi-bin/webhook/send?key=k3y-0123-4567", List.of("k3y-0123-4567"),
                url -> new WeComNotifier("wecom[0]", new WeComConfig(EndpointUrl.of(url, true),
                        MessageTemplate.parse(DefaultTemplates.TITLE), MessageTemplate.parse(DefaultTemplates.MARKDOWN),
                        false, 5_000), HTTP, CLOCK, ""));
    }

    @Test
    void dingTalkAccessTokenIsMaskedInAnEchoedQuery() {
        assertEchoMasked("/robot/send?access_token=t0k3n1234", List.of("t0k3n1234"),
                url -> new DingTalkNotifier("dingtalk[0]", new DingTalkConfig(EndpointUrl.of(url, true), null, List.of(),
                        List.of(), false, MessageTemplate.parse(DefaultTemplates.TITLE),
                        MessageTemplate.parse(DefaultTemplates.MARKDOWN), false, 5_000), HTTP, CLOCK, ""));
    }

    private static void assertEchoMasked(String pathAndQuery, List<String> tokens, Function<URI, Notifier> notifier) {
        try (RecordingServer server = RecordingServer.start()) {
            URI url = server.uri(pathAndQuery);
            String tail = pathAndQuery.substring(pathAndQuery.lastIndexOf('/') + 1);
            server.respondAlways(404, "no such hook: " + pathAndQuery + " (" + url + "), last part " + tail
                    + ", token " + String.join(" and ", tokens));
            Notifier n = notifier.apply(url);
            NotifyResult r = n.send(Samples.notification("oncall"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.error()).contains("HTTP 404").contains(Secret.MASK);
            for (String token : tokens) {
                assertThat(r.error()).as("error text").doesNotContain(token);
                assertThat(n.toString()).as("the notifier as logged").doesNotContain(token);
            }
        }
    }
}
