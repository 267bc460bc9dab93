package dev.modelwatch.server.alert.notify.slack;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RobotMessage;
import dev.modelwatch.server.alert.notify.RobotNotifier;
import dev.modelwatch.server.alert.notify.TextLimit;
import dev.modelwatch.server.alert.notify.template.Escaping;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;

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
    protected Message body(TemplateData data, long atMs) {
        String title = config.title().render(data, Escaping.SLACK).strip();
        String text = TextLimit.chars(config.text().render(data, Escaping.SLACK), MAX_SECTION_CHARS);
        Attachment attachment = new Attachment(config.color().render(data).strip(), title,
                List.of(new Block("section", new BlockText("mrkdwn", text))));
        return new Message(config.channel(), config.username(), config.iconEmoji(), config.iconUrl(), title,
                List.of(attachment));
    }

    @Override
    protected URI uri(long atMs) {
        return config.url().uri();
    }

    @Override
    protected NotifyResult reply(int status, String text, long atMs) {
        return NotifyResult.delivered(status, atMs);
    }

    /** A Slack incoming-webhook message: the overrides that are set, a fallback text, one attachment. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Message(String channel, String username, String iconEmoji, String iconUrl, String text,
                   List<Attachment> attachments) implements RobotMessage {
    }

    /** A coloured attachment of blocks. */
    record Attachment(String color, String fallback, List<Block> blocks) {
    }

    record Block(String type, BlockText text) {
    }

    record BlockText(String type, String text) {
    }
}
