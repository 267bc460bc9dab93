package dev.modelwatch.server.alert.notify.feishu;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.Secret;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.util.function.Function;

/**
 * One {@code feishu_configs} entry: a Feishu (Lark) custom bot ("自定义机器人").
 * <pre>{@code
 * feishu_configs:
 *   - url_env: FEISHU_URL         # https://open.feishu.cn/open-apis/bot/v2/hook/... (or url:, masked either way)
 *     secret_env: FEISHU_SECRET   # optional: the bot's signing secret, see FeishuSignature
 *     message_type: interactive   # interactive (a card with a coloured header, default) or text
 *     title: '...'                # template; default DefaultTemplates.TITLE
 *     text: '...'                 # template (card markdown); default DefaultTemplates.MARKDOWN
 *     send_resolved: false        # default false, as Alertmanager's chat integrations (Slack, WeChat)
 *     timeout: 10s
 * }</pre>
 *
 * @param url          the bot URL
 * @param secret       the signing secret, null when the bot does not sign
 * @param interactive  whether a card is sent (else a text message)
 * @param title        the title template
 * @param text         the body template
 * @param sendResolved whether resolved alerts are sent
 * @param timeoutMs    the request time-out
 */
public record FeishuConfig(EndpointUrl url, Secret secret, boolean interactive, MessageTemplate title, MessageTemplate text,
        boolean sendResolved, long timeoutMs) implements IntegrationConfig {
    /** The settings as written, the URL and the signing secret (when set) masked. */
    public record View(String url, @JsonInclude(JsonInclude.Include.NON_NULL) String secretEnv, @JsonInclude(JsonInclude.Include.NON_NULL) String secret,
                       String messageType, String title, String text, boolean sendResolved, String timeout)
            implements IntegrationConfig.View {
    }

    public static final boolean DEFAULT_SEND_RESOLVED = false;

    public FeishuConfig {
        if (url == null || title == null || text == null) {
            throw new IllegalArgumentException("url, title and text must not be null");
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
    }

    /** Reads one entry; null (with problems recorded at their paths) when it cannot be used. */
    public static FeishuConfig parse(ConfigNode cfg, Function<String, String> env) {
        if (!cfg.allowKeys("url", "url_env", "secret", "secret_env", "message_type", "title", "text", "send_resolved",
                "timeout")) {
            if (cfg.isUnset()) {
                cfg.problem("must be a mapping with a url");
            }
            return null;
        }
        EndpointUrl url = EndpointUrl.parse(cfg, env, true);
        Secret.refuseInFile(cfg, "secret", "secret_env");
        Secret secret = Secret.fromEnv(cfg, "secret_env", env);
        String type = cfg.get("message_type").asString();
        boolean interactive = true;
        if (type != null) {
            if (type.equals("text")) {
                interactive = false;
            } else if (!type.equals("interactive")) {
                cfg.get("message_type").problem("must be interactive or text, was '" + type + "'");
            }
        }
        MessageTemplate title = MessageTemplate.fromConfig(cfg.get("title"), DefaultTemplates.TITLE);
        MessageTemplate text = MessageTemplate.fromConfig(cfg.get("text"), DefaultTemplates.MARKDOWN);
        boolean sendResolved = IntegrationConfig.readSendResolved(cfg, DEFAULT_SEND_RESOLVED);
        long timeout = IntegrationConfig.readTimeoutMs(cfg, DEFAULT_HTTP_TIMEOUT_MS);
        if (url == null || title == null || text == null) {
            return null;
        }
        return new FeishuConfig(url, secret, interactive, title, text, sendResolved, timeout);
    }

    @Override
    public String integration() {
        return "feishu";
    }

    @Override
    public View view() {
        return new View(url.toString(), secret == null ? null : secret.envName(), secret == null ? null : Secret.MASK,
                interactive ? "interactive" : "text", title.source(), text.source(), sendResolved, timeoutMs + "ms");
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("feishu", view());
    }
}
