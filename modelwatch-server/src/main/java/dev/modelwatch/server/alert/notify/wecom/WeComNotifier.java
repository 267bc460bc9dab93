package dev.modelwatch.server.alert.notify.wecom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.HttpDelivery;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RobotReply;
import dev.modelwatch.server.alert.notify.TextLimit;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Posts a markdown message to a WeCom group robot:
 * {@code {"msgtype": "markdown", "markdown": {"content": "**title**\n" + text}}}, cut to the
 * documented 4096 UTF-8 bytes of a markdown message.
 *
 * <p>WeCom answers HTTP 200 with {@code {"errcode": 0, "errmsg": "ok"}} on success: 45009 (API
 * frequency limit; a robot takes 20 messages a minute), 45033 (concurrency limit) and -1 (system busy)
 * are retryable; any other code (93000 invalid webhook URL, 40058 bad parameter, ...) is not.
 */
public final class WeComNotifier implements Notifier {
    /** The errcodes worth retrying. */
    public static final Set<Long> RETRYABLE_ERRCODES = Set.of(45009L, 45033L, -1L);
    /** The most UTF-8 bytes of a markdown message's content. */
    public static final int MAX_CONTENT_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final WeComConfig config;
    private final Clock clock;
    private final String externalUrl;
    private final HttpDelivery http;

    public WeComNotifier(String name, WeComConfig config, HttpClient client, Clock clock, String externalUrl) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.externalUrl = externalUrl == null ? "" : externalUrl;
        this.http = new HttpDelivery(client, config.url().redactor());
    }

    @Override
    public String name() {
        return name;
    }

    Map<String, Object> body(TemplateData data) {
        String content = "**" + config.title().render(data).strip() + "**\n" + config.text().render(data);
        Map<String, Object> markdown = new LinkedHashMap<>();
        markdown.put("content", TextLimit.utf8Bytes(content, MAX_CONTENT_BYTES));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("msgtype", "markdown");
        body.put("markdown", markdown);
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
        return http.post(config.url().uri(), Map.of(), bytes, Duration.ofMillis(config.timeoutMs()), at,
                (status, text, atMs) -> RobotReply.parse(text, new String[] {"errcode"}, new String[] {"errmsg"})
                        .result("WeCom", RETRYABLE_ERRCODES, status, text, atMs));
    }

    @Override
    public String toString() {
        return name + " " + config;
    }
}
