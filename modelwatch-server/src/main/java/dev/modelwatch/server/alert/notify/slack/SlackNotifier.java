package dev.modelwatch.server.alert.notify.slack;

import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RobotNotifier;
import dev.modelwatch.server.alert.notify.TextLimit;
import dev.modelwatch.server.alert.notify.template.Escaping;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Posts to a Slack incoming webhook: the title as the message {@code text} (what notifications and
 * screen readers show), and the alerts in one attachment coloured by status ({@code danger} while
 * firing, {@code good} when resolved, by default) holding a {@code mrkdwn} section block:
 * <pre>{@code
 * {"text": TITLE, "attachments": [{"color": "danger", "fallback": TITLE,
 *   "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": TEXT}}]}]}
 * }</pre>
 * plus {@code channel}, {@code username}, {@code icon_emoji}/{@code icon_url} when configured. Printed
 * values are escaped for {@code mrkdwn} ({@code & < >}); the section text is cut to Slack's 3000
 * characters. Slack answers {@code 200 ok}; errors are 4xx ({@code invalid_payload},
 * {@code channel_not_found}: not retryable), 429 with {@code Retry-After}, or 5xx.
 */
public final class SlackNotifier extends RobotNotifier {
    /** Slack's limit on a section block's text. */
    public static final int MAX_SECTION_CHARS = 3000;

    private final SlackConfig config;

    public SlackNotifier(String name, SlackConfig config, HttpClient client, Clock clock, String externalUrl) {
        this(name, config, client, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links}. */
    public SlackNotifier(String name, SlackConfig config, HttpClient client, Clock clock, String externalUrl,
            IncidentLinks links) {
        super(name, config, config.sendResolved(), config.timeoutMs(), config.url().redactor(), client, clock, externalUrl, links);
        this.config = config;
    }

    @Override
    protected Map<String, Object> body(TemplateData data, long atMs) {
        String title = config.title().render(data, Escaping.SLACK).strip();
        String text = TextLimit.chars(config.text().render(data, Escaping.SLACK), MAX_SECTION_CHARS);
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("type", "section");
        section.put("text", Map.of("type", "mrkdwn", "text", text));
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("color", config.color().render(data).strip());
        attachment.put("fallback", title);
        attachment.put("blocks", List.of(section));
        Map<String, Object> body = new LinkedHashMap<>();
        if (config.channel() != null) {
            body.put("channel", config.channel());
        }
        if (config.username() != null) {
            body.put("username", config.username());
        }
        if (config.iconEmoji() != null) {
            body.put("icon_emoji", config.iconEmoji());
        }
        if (config.iconUrl() != null) {
            body.put("icon_url", config.iconUrl());
        }
        body.put("text", title);
        body.put("attachments", List.of(attachment));
        return body;
    }

    @Override
    protected URI uri(long atMs) {
        return config.url().uri();
    }

    @Override
    protected NotifyResult reply(int status, String text, long atMs) {
        return NotifyResult.delivered(status, atMs);
    }
}
