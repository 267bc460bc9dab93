package dev.modelwatch.server.alert.notify.dingtalk;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.Secret;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One {@code dingtalk_configs} entry: a DingTalk group robot ("自定义机器人").
 * <pre>{@code
 * dingtalk_configs:
 *   - url_env: DINGTALK_URL        # https://oapi.dingtalk.com/robot/send?access_token=... (or url:, masked either way)
 *     secret_env: DINGTALK_SECRET  # optional: the robot's signing secret (SEC...), see DingTalkSignature
 *     at_mobiles: ["138..."]       # optional: mention these members
 *     at_user_ids: ["user1"]       # optional
 *     is_at_all: false
 *     title: '...'                 # template; default DefaultTemplates.TITLE
 *     text: '...'                  # markdown template; default DefaultTemplates.MARKDOWN
 *     send_resolved: false         # default false, as Alertmanager's chat integrations (Slack, WeChat)
 *     timeout: 10s
 * }</pre>
 *
 * @param url          the robot URL with its access token
 * @param secret       the signing secret, null when the robot does not sign
 * @param atMobiles    members to mention by phone number
 * @param atUserIds    members to mention by user id
 * @param atAll        whether to mention everyone
 * @param title        the title template (the notification preview, and the text's heading)
 * @param text         the markdown body template
 * @param sendResolved whether resolved alerts are sent
 * @param timeoutMs    the request time-out
 */
public record DingTalkConfig(EndpointUrl url, Secret secret, List<String> atMobiles, List<String> atUserIds, boolean atAll,
        MessageTemplate title, MessageTemplate text, boolean sendResolved, long timeoutMs) implements IntegrationConfig {
    /** The settings as written, the URL and the signing secret (when set) masked. */
    public record View(String url, @JsonInclude(JsonInclude.Include.NON_NULL) String secretEnv, @JsonInclude(JsonInclude.Include.NON_NULL) String secret,
                       List<String> atMobiles, List<String> atUserIds, boolean isAtAll, String title, String text,
                       boolean sendResolved, String timeout) implements IntegrationConfig.View {
    }

    public static final boolean DEFAULT_SEND_RESOLVED = false;

    public DingTalkConfig {
        if (url == null || title == null || text == null) {
            throw new IllegalArgumentException("url, title and text must not be null");
        }
        atMobiles = atMobiles == null ? List.of() : List.copyOf(atMobiles);
        atUserIds = atUserIds == null ? List.of() : List.copyOf(atUserIds);
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
    }

    /** Reads one entry; null (with problems recorded at their paths) when it cannot be used. */
    public static DingTalkConfig parse(ConfigNode cfg, Function<String, String> env) {
        if (!cfg.allowKeys("url", "url_env", "secret", "secret_env", "at_mobiles", "at_user_ids", "is_at_all", "title",
                "text", "send_resolved", "timeout")) {
            if (cfg.isUnset()) {
                cfg.problem("must be a mapping with a url");
            }
            return null;
        }
        EndpointUrl url = EndpointUrl.parse(cfg, env, true);
        Secret.refuseInFile(cfg, "secret", "secret_env");
        Secret secret = Secret.fromEnv(cfg, "secret_env", env);
        List<String> mobiles = strings(cfg.get("at_mobiles"));
        List<String> userIds = strings(cfg.get("at_user_ids"));
        Boolean all = cfg.get("is_at_all").asBoolean();
        MessageTemplate title = MessageTemplate.fromConfig(cfg.get("title"), DefaultTemplates.TITLE);
        MessageTemplate text = MessageTemplate.fromConfig(cfg.get("text"), DefaultTemplates.MARKDOWN);
        boolean sendResolved = IntegrationConfig.readSendResolved(cfg, DEFAULT_SEND_RESOLVED);
        long timeout = IntegrationConfig.readTimeoutMs(cfg, DEFAULT_HTTP_TIMEOUT_MS);
        if (url == null || title == null || text == null) {
            return null;
        }
        return new DingTalkConfig(url, secret, mobiles, userIds, all != null && all, title, text, sendResolved, timeout);
    }

    static List<String> strings(ConfigNode list) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : list.items()) {
            String s = item.requireString();
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public String integration() {
        return "dingtalk";
    }

    @Override
    public View view() {
        return new View(url.toString(), secret == null ? null : secret.envName(), secret == null ? null : Secret.MASK,
                atMobiles, atUserIds, atAll, title.source(), text.source(), sendResolved, timeoutMs + "ms");
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("dingtalk", view());
    }
}
