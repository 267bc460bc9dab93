package dev.modelwatch.server.alert.notify.slack;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.util.function.Function;

/**
 * One {@code slack_configs} entry: a Slack incoming webhook.
 * <pre>{@code
 * slack_configs:
 *   - url_env: SLACK_WEBHOOK_URL   # https://hooks.slack.com/services/T../B../... (or url:, masked either way)
 *     channel: '#alerts'           # optional, for legacy webhooks that may choose the channel
 *     username: modelwatch         # optional
 *     icon_emoji: ':rotating_light:'  # optional (or icon_url)
 *     title: '...'                 # template; default DefaultTemplates.TITLE (the message's text)
 *     text: '...'                  # mrkdwn template; default DefaultTemplates.SLACK (the attachment)
 *     color: '...'                 # template; default danger while firing, good when resolved
 *     send_resolved: false         # default false, as Alertmanager's slack_configs
 *     timeout: 10s
 * }</pre>
 *
 * @param url          the incoming webhook URL
 * @param channel      the channel, null for the webhook's own
 * @param username     the sender name, null for the webhook's own
 * @param iconEmoji    the sender icon emoji, null when none
 * @param iconUrl      the sender icon URL, null when none
 * @param title        the title template
 * @param text         the body template
 * @param color        the attachment colour template
 * @param sendResolved whether resolved alerts are sent
 * @param timeoutMs    the request time-out
 */
public record SlackConfig(EndpointUrl url, String channel, String username, String iconEmoji, String iconUrl,
        MessageTemplate title, MessageTemplate text, MessageTemplate color, boolean sendResolved, long timeoutMs)
        implements IntegrationConfig {
    /** The settings as written, the URL (a secret when read from {@code url_env}) masked. */
    public record View(String url, @JsonInclude(JsonInclude.Include.NON_NULL) String channel, @JsonInclude(JsonInclude.Include.NON_NULL) String username,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String iconEmoji, @JsonInclude(JsonInclude.Include.NON_NULL) String iconUrl, String title,
                       String text, String color, boolean sendResolved, String timeout) implements IntegrationConfig.View {
    }

    public static final boolean DEFAULT_SEND_RESOLVED = false;

    public SlackConfig {
        if (url == null || title == null || text == null || color == null) {
            throw new IllegalArgumentException("url, title, text and color must not be null");
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
    }

    /** Reads one entry; null (with problems recorded at their paths) when it cannot be used. */
    public static SlackConfig parse(ConfigNode cfg, Function<String, String> env) {
        if (!cfg.allowKeys("url", "url_env", "channel", "username", "icon_emoji", "icon_url", "title", "text", "color",
                "send_resolved", "timeout")) {
            if (cfg.isUnset()) {
                cfg.problem("must be a mapping with a url");
            }
            return null;
        }
        EndpointUrl url = EndpointUrl.parse(cfg, env, true);
        String channel = cfg.get("channel").asString();
        String username = cfg.get("username").asString();
        String iconEmoji = cfg.get("icon_emoji").asString();
        String iconUrl = cfg.get("icon_url").asString();
        if (iconEmoji != null && iconUrl != null) {
            cfg.get("icon_url").problem("give icon_emoji or icon_url, not both");
        }
        MessageTemplate title = MessageTemplate.fromConfig(cfg.get("title"), DefaultTemplates.TITLE);
        MessageTemplate text = MessageTemplate.fromConfig(cfg.get("text"), DefaultTemplates.SLACK);
        MessageTemplate color = MessageTemplate.fromConfig(cfg.get("color"), DefaultTemplates.SLACK_COLOR);
        boolean sendResolved = IntegrationConfig.readSendResolved(cfg, DEFAULT_SEND_RESOLVED);
        long timeout = IntegrationConfig.readTimeoutMs(cfg, DEFAULT_HTTP_TIMEOUT_MS);
        if (url == null || title == null || text == null || color == null) {
            return null;
        }
        return new SlackConfig(url, channel, username, iconEmoji, iconUrl, title, text, color, sendResolved, timeout);
    }

    @Override
    public String integration() {
        return "slack";
    }

    @Override
    public View view() {
        return new View(url.toString(), channel, username, iconEmoji, iconUrl, title.source(), text.source(),
                color.source(), sendResolved, timeoutMs + "ms");
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("slack", view());
    }
}
