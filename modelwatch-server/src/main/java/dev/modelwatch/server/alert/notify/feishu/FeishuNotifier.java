package dev.modelwatch.server.alert.notify.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.HttpDelivery;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.Redactor;
import dev.modelwatch.server.alert.notify.RobotReply;
import dev.modelwatch.server.alert.notify.TextLimit;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
public final class FeishuNotifier implements Notifier {
    /** The codes worth retrying. */
    public static final Set<Long> RETRYABLE_CODES = Set.of(9499L, 11232L);
    /** The most UTF-8 bytes of the message text. */
    public static final int MAX_TEXT_BYTES = 18_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final FeishuConfig config;
    private final Clock clock;
    private final String externalUrl;
    private final HttpDelivery http;

    public FeishuNotifier(String name, FeishuConfig config, HttpClient client, Clock clock, String externalUrl) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.externalUrl = externalUrl == null ? "" : externalUrl;
        Redactor r = config.url().redactor();
        if (config.secret() != null) {
            r = r.with(List.of(config.secret().reveal()));
        }
        this.http = new HttpDelivery(client, r);
    }

    @Override
    public String name() {
        return name;
    }

    Map<String, Object> body(TemplateData data, long atMs) {
        String title = config.title().render(data).strip();
        String text = TextLimit.utf8Bytes(config.text().render(data), MAX_TEXT_BYTES);
        Map<String, Object> body = new LinkedHashMap<>();
        if (config.secret() != null) {
            long seconds = Math.floorDiv(atMs, 1000L);
            body.put("timestamp", Long.toString(seconds));
            body.put("sign", FeishuSignature.sign(config.secret().reveal(), seconds));
        }
        if (config.interactive()) {
            Map<String, Object> titleNode = new LinkedHashMap<>();
            titleNode.put("tag", "plain_text");
            titleNode.put("content", title);
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("title", titleNode);
            header.put("template", data.firing() ? "red" : "green");
            Map<String, Object> element = new LinkedHashMap<>();
            element.put("tag", "markdown");
            element.put("content", text);
            Map<String, Object> card = new LinkedHashMap<>();
            card.put("config", Map.of("wide_screen_mode", true));
            card.put("header", header);
            card.put("elements", List.of(element));
            body.put("msg_type", "interactive");
            body.put("card", card);
        } else {
            body.put("msg_type", "text");
            body.put("content", Map.of("text", title + "\n" + text));
        }
        return body;
    }

    @Override
    public NotifyResult send(Notification n) {
        long at = clock.millis();
        TemplateData data = TemplateData.of(n, config.sendResolved(), externalUrl);
        if (data.alerts().isEmpty()) {
            return NotifyResult.nothingToSend(at);
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body(data, at));
        } catch (JsonProcessingException e) {
            return NotifyResult.failed(false, -1, "cannot write the message: " + e.getOriginalMessage(), at);
        }
        return http.post(config.url().uri(), Map.of(), bytes, Duration.ofMillis(config.timeoutMs()), at,
                (status, text, atMs) -> RobotReply.parse(text, new String[] {"code", "StatusCode"},
                        new String[] {"msg", "StatusMessage"}).result("Feishu", RETRYABLE_CODES, status, text, atMs));
    }

    @Override
    public String toString() {
        return name + " " + config;
    }
}
