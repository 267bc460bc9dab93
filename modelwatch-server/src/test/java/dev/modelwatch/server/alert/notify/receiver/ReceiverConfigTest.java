package dev.modelwatch.server.alert.notify.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.json.Json;
import java.nio.charset.StandardCharsets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.modelwatch.server.alert.dispatch.RoutingConfig;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.dingtalk.DingTalkConfig;
import dev.modelwatch.server.alert.notify.email.EmailConfig;
import dev.modelwatch.server.alert.notify.feishu.FeishuConfig;
import dev.modelwatch.server.alert.notify.slack.SlackConfig;
import dev.modelwatch.server.alert.notify.webhook.WebhookConfig;
import dev.modelwatch.server.alert.notify.wecom.WeComConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code receivers:} section read from what a YAML parser gives: every integration with its
 * settings and defaults, every problem of a bad file at once with its path, secrets only from the
 * (injected) environment and never printed.
 */
class ReceiverConfigTest {
    static final Map<String, String> ENV = Map.of(
            "SMTP_PASSWORD", "smtp-Passw0rd-123",
            "DINGTALK_URL", "https://oapi.dingtalk.com/robot/send?access_token=dt0123456789abcdef",
            "DINGTALK_SECRET", "SECdingtalk0123456789",
            "WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wc-0123456789abcdef",
            "FEISHU_URL", "https://open.feishu.cn/open-apis/bot/v2/hook/fs-0123456789abcdef0123",
            "FEISHU_SECRET", "feishu-secret-0123",
            "SLACK_URL", "https://hooks.slack.com/services/T000/B000/slack0123456789abcdef",
            "HOOK_TOKEN", "hook-token-0123456789",
            "HOOK_URL", "https://hooks.example.com/in?token=hk0123456789abcdef");

    static Object yaml(String text) {
        try {
            Map<String, Object> m = new YAMLMapper().readValue(text, new TypeReference<Map<String, Object>>() { });
            return m.get("receivers");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String VALID = String.join("\n",
            "receivers:",
            "  - name: ops",
            "    webhook_configs:",
            "      - url: http://127.0.0.1:9000/hook",
            "      - {url_env: HOOK_URL, bearer_token_env: HOOK_TOKEN, max_alerts: 20, send_resolved: false, timeout: 5s}",
            "  - name: oncall",
            "    email_configs:",
            "      - to: oncall@example.com",
            "        from: mw@example.com",
            "        smarthost: smtp.example.com:587",
            "        auth_username: mw",
            "        auth_password_env: SMTP_PASSWORD",
            "        headers: {X-Team: ml}",
            "    dingtalk_configs:",
            "      - {url_env: DINGTALK_URL, secret_env: DINGTALK_SECRET, at_mobiles: ['13800000000']}",
            "    wecom_configs:",
            "      - {url_env: WECOM_URL, title: '{{ .Status }}'}",
            "    feishu_configs:",
            "      - {url_env: FEISHU_URL, secret_env: FEISHU_SECRET, message_type: text}",
            "    slack_configs:",
            "      - {url_env: SLACK_URL, channel: '#ml-alerts', send_resolved: true}",
            "  - name: blackhole");

    @Test
    void everyIntegrationIsReadWithItsSettingsAndAlertmanagersDefaults() {
        ConfigProblems problems = new ConfigProblems();
        List<ReceiverConfig> receivers = ReceiverConfig.parse(yaml(VALID), problems, ENV::get);
        assertThat(problems.list()).isEmpty();
        assertThat(receivers).extracting(ReceiverConfig::name).containsExactly("ops", "oncall", "blackhole");

        ReceiverConfig ops = receivers.get(0);
        WebhookConfig plain = ops.webhookConfigs().get(0);
        assertThat(plain.url().uri().toString()).isEqualTo("http://127.0.0.1:9000/hook");
        assertThat(plain.sendResolved()).isTrue();
        assertThat(plain.maxAlerts()).isZero();
        assertThat(plain.timeoutMs()).isEqualTo(10_000);
        WebhookConfig secret = ops.webhookConfigs().get(1);
        assertThat(secret.url().secret()).isTrue();
        assertThat(secret.bearerToken().reveal()).isEqualTo("hook-token-0123456789");
        assertThat(secret.maxAlerts()).isEqualTo(20);
        assertThat(secret.sendResolved()).isFalse();
        assertThat(secret.timeoutMs()).isEqualTo(5_000);
        assertThat(ops.sendResolved()).isTrue();

        ReceiverConfig oncall = receivers.get(1);
        EmailConfig email = oncall.emailConfigs().get(0);
        assertThat(email.to()).containsExactly("oncall@example.com");
        assertThat(email.host()).isEqualTo("smtp.example.com");
        assertThat(email.port()).isEqualTo(587);
        assertThat(email.tls().requireTls()).isTrue();
        assertThat(email.tls().implicitTls()).isFalse();
        assertThat(email.authPassword().reveal()).isEqualTo("smtp-Passw0rd-123");
        assertThat(email.sendResolved()).isFalse();
        assertThat(email.timeoutMs()).isEqualTo(30_000);
        assertThat(email.headers()).containsOnlyKeys("X-Team");
        DingTalkConfig dt = oncall.dingtalkConfigs().get(0);
        assertThat(dt.secret().reveal()).isEqualTo("SECdingtalk0123456789");
        assertThat(dt.atMobiles()).containsExactly("13800000000");
        assertThat(dt.sendResolved()).isFalse();
        WeComConfig wc = oncall.wecomConfigs().get(0);
        assertThat(wc.title().source()).isEqualTo("{{ .Status }}");
        assertThat(wc.sendResolved()).isFalse();
        FeishuConfig fs = oncall.feishuConfigs().get(0);
        assertThat(fs.interactive()).isFalse();
        assertThat(fs.sendResolved()).isFalse();
        SlackConfig sl = oncall.slackConfigs().get(0);
        assertThat(sl.channel()).isEqualTo("#ml-alerts");
        assertThat(sl.sendResolved()).isTrue();
        assertThat(oncall.integrations()).extracting(IntegrationConfig::integration)
                .containsExactly("email", "dingtalk", "wecom", "feishu", "slack");
        assertThat(oncall.sendResolved()).isTrue();

        assertThat(receivers.get(2).integrations()).isEmpty();
        assertThat(receivers.get(2).sendResolved()).isFalse();

        List<Notifier> notifiers = Notifiers.forReceiver(oncall, HttpClient.newHttpClient(), Clock.systemUTC());
        assertThat(notifiers).extracting(Notifier::name).containsExactly("email[0]", "dingtalk[0]", "wecom[0]", "feishu[0]",
                "slack[0]");
        assertThat(Notifiers.forReceiver(ops, Notifiers.httpClient(Duration.ofSeconds(1)), Clock.systemUTC()))
                .extracting(Notifier::name).containsExactly("webhook[0]", "webhook[1]");
    }

    @Test
    void theContractsConfigurationExampleLoads() {
        // the receivers of the HTTP API contract's configuration example, its ".."/"..." placeholders filled in
        String api = String.join("\n",
                "receivers:",
                "  - name: ops",
                "    webhook_configs: [{url: \"http://127.0.0.1:9000/hook\"}]",
                "  - name: oncall",
                "    email_configs: [{to: \"oncall@example.com\", smarthost: \"smtp.example.com:587\", auth_username: \"mw\","
                        + " auth_password_env: SMTP_PASSWORD}]",
                "    dingtalk_configs: [{url: \"https://oapi.dingtalk.com/robot/send?access_token=abc0123456789\","
                        + " secret_env: DINGTALK_SECRET}]");
        ConfigProblems problems = new ConfigProblems();
        List<ReceiverConfig> receivers = ReceiverConfig.parse(yaml(api), problems, ENV::get);
        assertThat(problems.list()).isEmpty();
        assertThat(receivers.get(1).emailConfigs().get(0).from()).isEqualTo(EmailConfig.DEFAULT_FROM);
        assertThat(receivers.get(1).dingtalkConfigs().get(0).url().secret()).isTrue();
        assertThat(receivers.get(1).toString()).doesNotContain("abc0123456789");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPath() {
        String bad = String.join("\n",
                "receivers:",
                "  - name: ops",
                "    webhook_configs:",
                "      - {url: 'ftp://example.com/x'}",
                "      - {url: 'http://a.example.com', url_env: HOOK_URL}",
                "      - {url: 'http://a.example.com', max_alerts: -1, bearer_token: abc, colour: red}",
                "      - {}",
                "  - name: oncall",
                "    email_configs:",
                "      - {to: 'oncall@example.com', auth_username: mw, auth_password_env: SMTP_PASS}",
                "      - {to: 'not an address', smarthost: 'smtp.example.com', auth_password: hunter2}",
                "    dingtalk_configs:",
                "      - {url_env: DINGTALK_TOKEN_URL, secret: SEC123}",
                "    slack_configs:",
                "      - {url_env: SLACK_URL, title: '{{ .Foo }}', text: \"ok\\n{{ if .Status }}\"}",
                "    feishu_configs:",
                "      - {url_env: FEISHU_URL, message_type: card}",
                "    wecom_configs:",
                "      - {url_env: 'lower-case', send_resolved: maybe, timeout: 10x}",
                "    pagerduty_configs: [{routing_key: x}]",
                "  - name: ops",
                "  - {webhook_configs: []}",
                "  - just a string");
        ConfigProblems problems = new ConfigProblems();
        ReceiverConfig.parse(yaml(bad), problems, ENV::get);
        assertThat(problems.list()).containsExactlyInAnyOrder(
                "receivers[0].webhook_configs[0].url: 'ftp://example.com/x' is not an absolute http(s) URL",
                "receivers[0].webhook_configs[1].url_env: give url or url_env, not both",
                "receivers[0].webhook_configs[2].colour: unknown key (known: bearer_token, bearer_token_env, max_alerts,"
                        + " send_resolved, timeout, url, url_env)",
                "receivers[0].webhook_configs[2].max_alerts: must be between 0 and 2147483647, was -1",
                "receivers[0].webhook_configs[2].bearer_token: secrets are not read from the configuration file: put the"
                        + " value in an environment variable and name it with bearer_token_env",
                "receivers[0].webhook_configs[3].url: required (or url_env naming an environment variable that holds the URL)",
                "receivers[1].email_configs[0].smarthost: is required",
                "receivers[1].email_configs[0].auth_password_env: environment variable SMTP_PASS is not set",
                "receivers[1].email_configs[1].to: 'not an address' is not a list of e-mail addresses: Local address"
                        + " contains control or whitespace",
                "receivers[1].email_configs[1].smarthost: must be host:port, was 'smtp.example.com'",
                "receivers[1].email_configs[1].auth_password: secrets are not read from the configuration file: put the"
                        + " value in an environment variable and name it with auth_password_env",
                "receivers[1].dingtalk_configs[0].url_env: environment variable DINGTALK_TOKEN_URL is not set",
                "receivers[1].dingtalk_configs[0].secret: secrets are not read from the configuration file: put the value"
                        + " in an environment variable and name it with secret_env",
                "receivers[1].slack_configs[0].title: template line 1, column 4: unknown field .Foo (fields of the"
                        + " notification: Alerts, CommonAnnotations, CommonLabels, Escalation, ExternalURL, GroupKey,"
                        + " GroupLabels, IncidentID, IncidentURL, NotificationID, Reason, Receiver, Status)",
                "receivers[1].slack_configs[0].text: template line 2, column 1: {{ if }} without {{ end }}",
                "receivers[1].feishu_configs[0].message_type: must be interactive or text, was 'card'",
                "receivers[1].wecom_configs[0].url_env: 'lower-case' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
                "receivers[1].wecom_configs[0].send_resolved: must be true or false, was 'maybe'",
                "receivers[1].wecom_configs[0].timeout: '10x' is not a duration (like 500ms, 30s, 5m, 1h30m, 7d)",
                "receivers[1].pagerduty_configs: this integration is not supported (supported: webhook_configs,"
                        + " email_configs, dingtalk_configs, wecom_configs, feishu_configs, slack_configs)",
                "receivers[2].name: receiver name 'ops' is not unique",
                "receivers[3].name: is required",
                "receivers[4]: a receiver must be a mapping with a name");
    }

    @Test
    void nameProblemsSharedWithTheRoutingConfigAreReportedOnce() {
        String text = String.join("\n", "receivers:", "  - name: ops", "  - name: ops", "  - {webhook_configs: []}");
        Object receivers = yaml(text);
        ConfigProblems problems = new ConfigProblems();
        RoutingConfig.parse(ConfigNode.root(Map.of("receivers", receivers), "", problems));
        ReceiverConfig.parse(receivers, problems, ENV::get);
        assertThat(problems.list()).containsExactly("receivers[1].name: receiver name 'ops' is not unique",
                "receivers[2].name: is required");
    }

    @Test
    void secretsAreNeverPrinted() {
        ConfigProblems problems = new ConfigProblems();
        List<ReceiverConfig> receivers = ReceiverConfig.parse(yaml(VALID), problems, ENV::get);
        List<String> printed = new ArrayList<>();
        for (ReceiverConfig r : receivers) {
            printed.add(r.toString());
            printed.add(new String(Json.bytes(r.view()), StandardCharsets.UTF_8));
            for (Notifier n : Notifiers.forReceiver(r, HttpClient.newHttpClient(), Clock.systemUTC())) {
                printed.add(n.toString());
            }
        }
        String all = String.join("\n", printed);
        for (String secret : ENV.values()) {
            assertThat(all).doesNotContain(secret);
        }
        assertThat(all).contains("http://127.0.0.1:9000/hook"); // a plain webhook URL is not a secret
        JsonNode oncall = Json.MAPPER.valueToTree(receivers.get(1).view());
        JsonNode email = oncall.get("email_configs").get(0);
        assertThat(email.get("auth_password").asText()).isEqualTo("<secret>");
        assertThat(email.get("auth_password_env").asText()).isEqualTo("SMTP_PASSWORD");
        JsonNode dingtalk = oncall.get("dingtalk_configs").get(0);
        assertThat(dingtalk.get("url").asText()).isEqualTo("<secret>");
        assertThat(dingtalk.get("secret").asText()).isEqualTo("<secret>");
    }

    @Test
    void problemsNeverQuoteASecretValue() {
        String text = String.join("\n", "receivers:", "  - name: x",
                "    slack_configs: [{url_env: BAD_URL}]",
                "    dingtalk_configs: [{url: 'robot/send?access_token=tok0123456789abcdef'}]");
        ConfigProblems problems = new ConfigProblems();
        ReceiverConfig.parse(yaml(text), problems, Map.of("BAD_URL", "not-a-url-sl0123456789")::get);
        assertThat(problems.list()).containsExactly(
                "receivers[0].dingtalk_configs[0].url: the URL is not an absolute http(s) URL",
                "receivers[0].slack_configs[0].url_env: the value of environment variable BAD_URL is not an absolute"
                        + " http(s) URL");
    }
}
