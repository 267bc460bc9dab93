package dev.modelwatch.server.alert.notify.wecom;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.util.function.Function;

/**
 * One {@code wecom_configs} entry: a WeCom (WeChat Work, 企业微信) group robot ("群机器人").
 * <pre>{@code
 * wecom_configs:
 *   - url_env: WECOM_URL     # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... (or url:, masked either way)
 *     title: '...'           # template; default DefaultTemplates.TITLE, shown in bold as the first line
 *     text: '...'            # markdown template; default DefaultTemplates.MARKDOWN
 *     send_resolved: false   # default false, as Alertmanager's wechat_configs
 *     timeout: 10s
 * }</pre>
 *
 * @param url          the robot URL with its key
 * @param title        the title template
 * @param text         the markdown template
 * @param sendResolved whether resolved alerts are sent
 * @param timeoutMs    the request time-out
 */
public record WeComConfig(EndpointUrl url, MessageTemplate title, MessageTemplate text, boolean sendResolved,
        long timeoutMs) implements IntegrationConfig {
    /** The settings as written, the URL (a secret) masked. */
    public record View(String url, String title, String text, boolean sendResolved, String timeout)
            implements IntegrationConfig.View {
    }

    public static final boolean DEFAULT_SEND_RESOLVED = false;

    public WeComConfig {
        if (url == null || title == null || text == null) {
            throw new IllegalArgumentException("url, title and text must not be null");
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
    }

    /** Reads one entry; null (with problems recorded at their paths) when it cannot be used. */
    public static WeComConfig parse(ConfigNode cfg, Function<String, String> env) {
        if (!cfg.allowKeys("url", "url_env", "title", "text", "send_resolved", "timeout")) {
            if (cfg.isUnset()) {
                cfg.problem("must be a mapping with a url");
            }
            return null;
        }
        EndpointUrl url = EndpointUrl.parse(cfg, env, true);
        MessageTemplate title = MessageTemplate.fromConfig(cfg.get("title"), DefaultTemplates.TITLE);
        MessageTemplate text = MessageTemplate.fromConfig(cfg.get("text"), DefaultTemplates.MARKDOWN);
        boolean sendResolved = IntegrationConfig.readSendResolved(cfg, DEFAULT_SEND_RESOLVED);
        long timeout = IntegrationConfig.readTimeoutMs(cfg, DEFAULT_HTTP_TIMEOUT_MS);
        if (url == null || title == null || text == null) {
            return null;
        }
        return new WeComConfig(url, title, text, sendResolved, timeout);
    }

    @Override
    public String integration() {
        return "wecom";
    }

    @Override
    public View view() {
        return new View(url.toString(), title.source(), text.source(), sendResolved, timeoutMs + "ms");
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("wecom", view());
    }
}
