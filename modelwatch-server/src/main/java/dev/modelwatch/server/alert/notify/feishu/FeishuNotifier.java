package dev.modelwatch.server.alert.notify.feishu;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RobotMessage;
import dev.modelwatch.server.alert.notify.RobotNotifier;
import dev.modelwatch.server.alert.notify.RobotReply;
import dev.modelwatch.server.alert.notify.TextLimit;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Posts to a Feishu (Lark) custom bot, with {@code timestamp} and {@code sign}
 * ({@link FeishuSignature}) in the body when the bot has a secret. Interactive (default):
 * <pre>{@code
 * {"msg_type": "interactive", "card": {"config": {"wide_screen_mode": true},
 *   "header": {"title": {"tag": "plain_text", "content": TITLE}, "template": "red" | "green"},
 *   "elements": [{"tag": "markdown", "content": TEXT}]}}
 * }</pre>
 * or text: {@code {"msg_type": "text", "content": {"text": TITLE + "\n" + TEXT}}}. The text is cut to
 * {@value #MAX_TEXT_BYTES} UTF-8 bytes (a bot's request body is limited to 20 KB).
 *
 * <p>Feishu answers {@code {"code": 0, "msg": "success"}} (older bots {@code {"StatusCode": 0}}); a
 * non-zero code is a failure: 9499 and 11232 (request frequency limits) are retryable, any other code
 * (19021 signature mismatch or expired timestamp, 19024 keyword mismatch, ...) is not.
 */
public final class FeishuNotifier extends RobotNotifier {
    /** The codes worth retrying. */
    public static final Set<Long> RETRYABLE_CODES = Set.of(9499L, 11232L);
    /** The most UTF-8 bytes of the message text. */
    public static final int MAX_TEXT_BYTES = 18_000;

    private final FeishuConfig config;

    public FeishuNotifier(String name, FeishuConfig config, HttpClient client, Clock clock, String externalUrl) {
        this(name, config, client, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links}. */
    public FeishuNotifier(String name, FeishuConfig config, HttpClient client, Clock clock, String externalUrl,
            IncidentLinks links) {
        super(name, config, config.sendResolved(), config.timeoutMs(),
                withSecret(config.url().redactor(), config.secret()), client, clock, externalUrl, links);
        this.config = config;
    }

    @Override
    protected Message body(TemplateData data, long atMs) {
        String title = config.title().render(data).strip();
        String text = TextLimit.utf8Bytes(config.text().render(data), MAX_TEXT_BYTES);
        String timestamp = null;
        String sign = null;
        if (config.secret() != null) {
            long seconds = Math.floorDiv(atMs, 1000L);
            timestamp = Long.toString(seconds);
            sign = FeishuSignature.sign(config.secret().reveal(), seconds);
        }
        if (config.interactive()) {
            Card card = new Card(new CardConfig(true), new CardHeader(new Node("plain_text", title),
                    data.firing() ? "red" : "green"), List.of(new Node("markdown", text)));
            return new Message(timestamp, sign, "interactive", null, card);
        }
        return new Message(timestamp, sign, "text", new TextContent(title + "\n" + text), null);
    }

    @Override
    protected URI uri(long atMs) {
        return config.url().uri();
    }

    @Override
    protected NotifyResult reply(int status, String text, long atMs) {
        return RobotReply.parse(text, new String[] {"code", "StatusCode"}, new String[] {"msg", "StatusMessage"})
                .result("Feishu", RETRYABLE_CODES, status, text, atMs);
    }

    /** A Feishu bot message: a text or an interactive card, signed when a secret is set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Message(String timestamp, String sign, String msgType, TextContent content, Card card)
            implements RobotMessage {
    }

    /** A text message's content. */
    record TextContent(String text) {
    }

    /** An interactive card: a coloured header and one markdown element. */
    record Card(CardConfig config, CardHeader header, List<Node> elements) {
    }

    record CardConfig(boolean wideScreenMode) {
    }

    record CardHeader(Node title, String template) {
    }

    /** A card node: its tag and its content. */
    record Node(String tag, String content) {
    }
}
