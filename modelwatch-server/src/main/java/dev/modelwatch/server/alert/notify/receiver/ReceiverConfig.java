package dev.modelwatch.server.alert.notify.receiver;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.dingtalk.DingTalkConfig;
import dev.modelwatch.server.alert.notify.email.EmailConfig;
import dev.modelwatch.server.alert.notify.feishu.FeishuConfig;
import dev.modelwatch.server.alert.notify.slack.SlackConfig;
import dev.modelwatch.server.alert.notify.webhook.WebhookConfig;
import dev.modelwatch.server.alert.notify.wecom.WeComConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One receiver of the {@code receivers:} section of {@code modelwatch.yml} with its integrations, as
 * Alertmanager's {@code receiver}:
 * <pre>{@code
 * receivers:
 *   - name: oncall
 *     webhook_configs:  [{url: "http://127.0.0.1:9000/hook"}]
 *     email_configs:    [{to: oncall@example.com, from: mw@example.com, smarthost: "smtp.example.com:587",
 *                         auth_username: mw, auth_password_env: SMTP_PASSWORD}]
 *     dingtalk_configs: [{url_env: DINGTALK_URL, secret_env: DINGTALK_SECRET}]
 *     wecom_configs:    [{url_env: WECOM_URL}]
 *     feishu_configs:   [{url_env: FEISHU_URL, secret_env: FEISHU_SECRET}]
 *     slack_configs:    [{url_env: SLACK_WEBHOOK_URL}]
 * }</pre>
 * Each entry's keys are documented on its config record ({@link WebhookConfig}, {@link EmailConfig},
 * {@link DingTalkConfig}, {@link WeComConfig}, {@link FeishuConfig}, {@link SlackConfig}). A receiver
 * without integrations is valid (it drops what it is sent, as in Alertmanager).
 *
 * <p>{@code send_resolved} defaults follow Alertmanager: true for webhooks; false for e-mail, Slack and
 * WeCom (Alertmanager's {@code email_configs}, {@code slack_configs}, {@code wechat_configs}), and
 * false for DingTalk and Feishu, which Alertmanager lacks, like its other group-chat integrations.
 *
 * <p>Secrets are read only from the environment variables the file names ({@code auth_password_env},
 * {@code secret_env}, {@code bearer_token_env}, {@code url_env}), through the injected {@code env};
 * a secret written in the file, or a named variable that is unset, is a problem. {@link #view()} and
 * {@link #toString()} show secrets as {@code <secret>}.
 *
 * <p>Parsing reports every problem at once with its path
 * ({@code receivers[1].email_configs[0].smarthost: is required}); a receiver whose entries have problems
 * is still returned with the valid entries, and the caller checks {@code problems.isEmpty()} first.
 * The name checks (present, unique) are those {@code RoutingConfig} also makes; a problem already
 * recorded in the shared {@link ConfigProblems} is not recorded twice.
 *
 * <p>Usage:
 * <pre>{@code
 * ConfigProblems problems = new ConfigProblems();
 * List<ReceiverConfig> receivers = ReceiverConfig.parse(yaml.get("receivers"), problems, System::getenv);
 * if (!problems.isEmpty()) throw new ConfigException("modelwatch.yml", problems.list());
 * }</pre>
 *
 * @param name            the receiver's name (what routes name)
 * @param webhookConfigs  its webhooks
 * @param emailConfigs    its mailboxes
 * @param dingtalkConfigs its DingTalk robots
 * @param wecomConfigs    its WeCom robots
 * @param feishuConfigs   its Feishu bots
 * @param slackConfigs    its Slack webhooks
 */
public record ReceiverConfig(String name, List<WebhookConfig> webhookConfigs, List<EmailConfig> emailConfigs,
        List<DingTalkConfig> dingtalkConfigs, List<WeComConfig> wecomConfigs, List<FeishuConfig> feishuConfigs,
        List<SlackConfig> slackConfigs) {
    /** The integration lists a receiver may hold. */
    public static final List<String> INTEGRATION_KEYS = List.of("webhook_configs", "email_configs", "dingtalk_configs",
            "wecom_configs", "feishu_configs", "slack_configs");

    public ReceiverConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        webhookConfigs = copy(webhookConfigs);
        emailConfigs = copy(emailConfigs);
        dingtalkConfigs = copy(dingtalkConfigs);
        wecomConfigs = copy(wecomConfigs);
        feishuConfigs = copy(feishuConfigs);
        slackConfigs = copy(slackConfigs);
    }

    private static <T> List<T> copy(List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    /** Reads the {@code receivers} list (the value YAML gives for the key), paths starting {@code receivers}. */
    public static List<ReceiverConfig> parse(Object receivers, ConfigProblems problems, Function<String, String> env) {
        return parse(ConfigNode.root(receivers, "receivers", problems), env);
    }

    /** Reads the receivers list at {@code receivers}. */
    public static List<ReceiverConfig> parse(ConfigNode receivers, Function<String, String> env) {
        if (env == null) {
            throw new IllegalArgumentException("env must not be null");
        }
        List<ReceiverConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigNode r : receivers.items()) {
            if (!r.isMapping()) {
                once(r, "a receiver must be a mapping with a name");
                continue;
            }
            checkKeys(r);
            ConfigNode nameNode = r.get("name");
            String name = null;
            if (nameNode.isUnset()) {
                once(nameNode, "is required");
            } else if (!(nameNode.raw() instanceof String || nameNode.raw() instanceof Number
                    || nameNode.raw() instanceof Boolean)) {
                // the messages of ConfigNode.requireString, which RoutingConfig uses on the same node
                once(nameNode, "must be a string, was " + ConfigNode.describe(nameNode.raw()));
            } else if (String.valueOf(nameNode.raw()).isBlank()) {
                once(nameNode, "must not be empty");
            } else {
                name = String.valueOf(nameNode.raw());
                if (!names.add(name)) {
                    once(nameNode, "receiver name '" + name + "' is not unique");
                }
            }
            List<WebhookConfig> webhooks = entries(r.get("webhook_configs"), env, WebhookConfig::parse);
            List<EmailConfig> emails = entries(r.get("email_configs"), env, EmailConfig::parse);
            List<DingTalkConfig> dingtalks = entries(r.get("dingtalk_configs"), env, DingTalkConfig::parse);
            List<WeComConfig> wecoms = entries(r.get("wecom_configs"), env, WeComConfig::parse);
            List<FeishuConfig> feishus = entries(r.get("feishu_configs"), env, FeishuConfig::parse);
            List<SlackConfig> slacks = entries(r.get("slack_configs"), env, SlackConfig::parse);
            if (name != null) {
                out.add(new ReceiverConfig(name, webhooks, emails, dingtalks, wecoms, feishus, slacks));
            }
        }
        return out;
    }

    private static void checkKeys(ConfigNode r) {
        for (String key : r.entries().keySet()) {
            if (key.equals("name") || INTEGRATION_KEYS.contains(key)) {
                continue;
            }
            String path = r.childPath(key);
            if (key.endsWith("_configs")) {
                r.problems().add(path, "this integration is not supported (supported: " + String.join(", ", INTEGRATION_KEYS) + ")");
            } else {
                r.problems().add(path, "unknown key (known: name, " + String.join(", ", INTEGRATION_KEYS) + ")");
            }
        }
    }

    /** Records {@code path: message} unless the same problem is already recorded (RoutingConfig checks names too). */
    private static void once(ConfigNode node, String message) {
        String full = node.path().isEmpty() ? message : node.path() + ": " + message;
        if (!node.problems().list().contains(full)) {
            node.problem(message);
        }
    }

    private static <T> List<T> entries(ConfigNode list, Function<String, String> env,
            BiFunction<ConfigNode, Function<String, String>, T> parse) {
        List<T> out = new ArrayList<>();
        for (ConfigNode item : list.items()) {
            T c = parse.apply(item, env);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every integration, in the order webhook, email, dingtalk, wecom, feishu, slack, each list in file order. */
    public List<IntegrationConfig> integrations() {
        List<IntegrationConfig> out = new ArrayList<>();
        out.addAll(webhookConfigs);
        out.addAll(emailConfigs);
        out.addAll(dingtalkConfigs);
        out.addAll(wecomConfigs);
        out.addAll(feishuConfigs);
        out.addAll(slackConfigs);
        return out;
    }

    /**
     * Whether any integration wants resolved alerts: what the dispatcher passes as the receiver's
     * {@code sendResolved}, so that a resolution is flushed when one integration shows it (each
     * integration then filters by its own setting).
     */
    public boolean sendResolved() {
        for (IntegrationConfig c : integrations()) {
            if (c.sendResolved()) {
                return true;
            }
        }
        return false;
    }

    /** The receiver as written, secrets as {@code <secret>}; integrations without entries left out. */
    public record View(String name, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IntegrationConfig.View> webhookConfigs,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IntegrationConfig.View> emailConfigs,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IntegrationConfig.View> dingtalkConfigs,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IntegrationConfig.View> wecomConfigs,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IntegrationConfig.View> feishuConfigs,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IntegrationConfig.View> slackConfigs) {
    }

    /** The receiver as written, secrets as {@code <secret>}. */
    public View view() {
        return new View(name, views(webhookConfigs), views(emailConfigs), views(dingtalkConfigs), views(wecomConfigs),
                views(feishuConfigs), views(slackConfigs));
    }

    private static List<IntegrationConfig.View> views(List<? extends IntegrationConfig> configs) {
        return configs.stream().map(IntegrationConfig::view).toList();
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("receiver", view());
    }
}
