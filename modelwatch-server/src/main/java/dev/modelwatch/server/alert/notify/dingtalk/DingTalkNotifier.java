package dev.modelwatch.server.alert.notify.dingtalk;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RobotMessage;
import dev.modelwatch.server.alert.notify.RobotNotifier;
import dev.modelwatch.server.alert.notify.RobotReply;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
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
public final class DingTalkNotifier extends RobotNotifier {
    /** The errcodes worth retrying. */
    public static final Set<Long> RETRYABLE_ERRCODES = Set.of(130101L, -1L);

    private final DingTalkConfig config;

    public DingTalkNotifier(String name, DingTalkConfig config, HttpClient client, Clock clock, String externalUrl) {
        this(name, config, client, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links}. */
    public DingTalkNotifier(String name, DingTalkConfig config, HttpClient client, Clock clock, String externalUrl,
            IncidentLinks links) {
        super(name, config, config.sendResolved(), config.timeoutMs(),
                withSecret(config.url().redactor(), config.secret()), client, clock, externalUrl, links);
        this.config = config;
    }

    @Override
    protected Message body(TemplateData data, long atMs) {
        String title = config.title().render(data).strip();
        StringBuilder text = new StringBuilder("#### ").append(title).append("\n\n").append(config.text().render(data));
        if (!config.atMobiles().isEmpty()) {
            // DingTalk highlights a mention only when the text holds "@<mobile>"
            text.append('\n');
            for (String m : config.atMobiles()) {
                text.append(" @").append(m);
            }
        }
        return new Message("markdown", new Markdown(title, text.toString()),
                new At(config.atMobiles(), config.atUserIds(), config.atAll()));
    }

    @Override
    protected URI uri(long atMs) {
        return config.secret() == null ? config.url().uri()
                : config.url().withQuery("timestamp=" + atMs + "&sign=" + DingTalkSignature.sign(config.secret().reveal(), atMs));
    }

    @Override
    protected NotifyResult reply(int status, String text, long atMs) {
        return RobotReply.parse(text, new String[] {"errcode"}, new String[] {"errmsg"})
                .result("DingTalk", RETRYABLE_ERRCODES, status, text, atMs);
    }

    /** A DingTalk robot message: markdown, and whom it mentions. */
    record Message(String msgtype, Markdown markdown, At at) implements RobotMessage {
    }

    record Markdown(String title, String text) {
    }

    /** Whom the message mentions, in DingTalk's camelCase. */
    record At(@JsonProperty("atMobiles") List<String> atMobiles, @JsonProperty("atUserIds") List<String> atUserIds,
              @JsonProperty("isAtAll") boolean isAtAll) {
    }
}
