package dev.modelwatch.server.alert.notify.wecom;

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
public final class WeComNotifier extends RobotNotifier {
    /** The errcodes worth retrying. */
    public static final Set<Long> RETRYABLE_ERRCODES = Set.of(45009L, 45033L, -1L);
    /** The most UTF-8 bytes of a markdown message's content. */
    public static final int MAX_CONTENT_BYTES = 4096;

    private final WeComConfig config;

    public WeComNotifier(String name, WeComConfig config, HttpClient client, Clock clock, String externalUrl) {
        this(name, config, client, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links}. */
    public WeComNotifier(String name, WeComConfig config, HttpClient client, Clock clock, String externalUrl,
            IncidentLinks links) {
        super(name, config, config.sendResolved(), config.timeoutMs(), config.url().redactor(), client, clock, externalUrl, links);
        this.config = config;
    }

    @Override
    protected Message body(TemplateData data, long atMs) {
        String content = "**" + config.title().render(data).strip() + "**\n" + config.text().render(data);
        return new Message("markdown", new Markdown(TextLimit.utf8Bytes(content, MAX_CONTENT_BYTES)));
    }

    @Override
    protected URI uri(long atMs) {
        return config.url().uri();
    }

    @Override
    protected NotifyResult reply(int status, String text, long atMs) {
        return RobotReply.parse(text, new String[] {"errcode"}, new String[] {"errmsg"})
                .result("WeCom", RETRYABLE_ERRCODES, status, text, atMs);
    }

    /** A WeCom group robot message in markdown. */
    record Message(String msgtype, Markdown markdown) implements RobotMessage {
    }

    record Markdown(String content) {
    }
}
