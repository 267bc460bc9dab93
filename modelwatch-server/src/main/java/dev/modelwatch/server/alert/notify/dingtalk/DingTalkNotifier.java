package dev.modelwatch.server.alert.notify.dingtalk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.HttpDelivery;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.Redactor;
import dev.modelwatch.server.alert.notify.RobotReply;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Posts a markdown message to a DingTalk robot:
 * {@code {"msgtype": "markdown", "markdown": {"title": T, "text": "#### T\n\n" + text}, "at": {...}}},
 * signed ({@code &timestamp=&sign=}, {@link DingTalkSignature}) when the robot has a secret.
 *
 * <p>DingTalk answers HTTP 200 with {@code {"errcode": 0, "errmsg": "ok"}} on success and a non-zero
 * {@code errcode} on failure: 130101 ("send too fast", more than 20 messages a minute) and -1 ("system
 * busy") are retryable; any other code (310000 signature or keyword mismatch, 300001 bad token, ...)
 * is not.
 */
public final class DingTalkNotifier implements Notifier {
    /** The errcodes worth retrying. */
    public static final Set<Long> RETRYABLE_ERRCODES = Set.of(130101L, -1L);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final DingTalkConfig config;
    private final Clock clock;
    private final String externalUrl;
    private final HttpDelivery http;

    public DingTalkNotifier(String name, DingTalkConfig config, HttpClient client, Clock clock, String externalUrl) {
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

    /** The message body for {@code data}. */
    Map<String, Object> body(TemplateData data) {
        String title = config.title().render(data).strip();
        StringBuilder text = new StringBuilder("#### ").append(title).append("\n\n").append(config.text().render(data));
        if (!config.atMobiles().isEmpty()) {
            // DingTalk highlights a mention only when the text holds "@<mobile>"
            text.append('\n');
            for (String m : config.atMobiles()) {
                text.append(" @").append(m);
            }
        }
        Map<String, Object> markdown = new LinkedHashMap<>();
        markdown.put("title", title);
        markdown.put("text", text.toString());
        Map<String, Object> at = new LinkedHashMap<>();
        at.put("atMobiles", config.atMobiles());
        at.put("atUserIds", config.atUserIds());
        at.put("isAtAll", config.atAll());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("msgtype", "markdown");
        body.put("markdown", markdown);
        body.put("at", at);
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
            bytes = JSON.writeValueAsBytes(body(data));
        } catch (JsonProcessingException e) {
            return NotifyResult.failed(false, -1, "cannot write the message: " + e.getOriginalMessage(), at);
        }
        URI uri = config.secret() == null ? config.url().uri()
                : config.url().withQuery("timestamp=" + at + "&sign=" + DingTalkSignature.sign(config.secret().reveal(), at));
        return http.post(uri, Map.of(), bytes, Duration.ofMillis(config.timeoutMs()), at,
                (status, text, atMs) -> RobotReply.parse(text, new String[] {"errcode"}, new String[] {"errmsg"})
                        .result("DingTalk", RETRYABLE_ERRCODES, status, text, atMs));
    }

    @Override
    public String toString() {
        return name + " " + config;
    }
}
