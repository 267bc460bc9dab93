package dev.modelwatch.server.alert.notify.dingtalk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.dispatch.NotifyReason;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RecordingServer;
import dev.modelwatch.server.alert.notify.Samples;
import dev.modelwatch.server.alert.notify.Secret;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The DingTalk robot against a local receiver: the signature equals one computed here with
 * {@code javax.crypto} from DingTalk's documented algorithm (and a golden value from Python's
 * {@code hmac}), the markdown message, and the {@code errcode} classification.
 */
class DingTalkNotifierTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final long NOW_MS = 1_700_000_000_123L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW_MS), ZoneOffset.UTC);
    static final String SECRET = "SEC0123456789abcdef0123456789abcdef";
    static final String TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    static DingTalkNotifier notifier(URI robot, Secret secret, List<String> atMobiles) {
        DingTalkConfig c = new DingTalkConfig(EndpointUrl.of(robot, true), secret, atMobiles, List.of(), false,
                MessageTemplate.parse(DefaultTemplates.TITLE), MessageTemplate.parse(DefaultTemplates.MARKDOWN), false, 5_000);
        return new DingTalkNotifier("dingtalk[0]", c, HTTP, CLOCK, "");
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    /**
     * DingTalk's documentation: "把timestamp+"\n"+密钥当做签名字符串，使用HmacSHA256算法计算签名，然后进行Base64
     * encode，最后再把签名参数再进行urlEncode" (string to sign = timestamp + "\n" + secret; HmacSHA256 with the
     * secret as key; Base64; URL-encode; UTF-8).
     */
    static String expectedSign(String secret, long timestampMs) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] raw = mac.doFinal((timestampMs + "\n" + secret).getBytes(StandardCharsets.UTF_8));
        return URLEncoder.encode(Base64.getEncoder().encodeToString(raw), StandardCharsets.UTF_8);
    }

    @Test
    void signatureMatchesTheDocumentedAlgorithmAndAGoldenValue() throws Exception {
        // golden: python3 -c 'import hmac,hashlib,base64;s="SEC0123456789abcdef0123456789abcdef";
        //   print(base64.b64encode(hmac.new(s.encode(),("1700000000123\n"+s).encode(),hashlib.sha256).digest()))'
        assertThat(DingTalkSignature.base64(SECRET, NOW_MS)).isEqualTo("RJSy35h38CnlhhVbDVC4mP8mJp86O4gB70JzBX17Npw=");
        assertThat(DingTalkSignature.sign(SECRET, NOW_MS)).isEqualTo("RJSy35h38CnlhhVbDVC4mP8mJp86O4gB70JzBX17Npw%3D");
        assertThat(DingTalkSignature.sign(SECRET, NOW_MS)).isEqualTo(expectedSign(SECRET, NOW_MS));
        assertThat(DingTalkSignature.sign("another", 1L)).isEqualTo(expectedSign("another", 1L));
    }

    @Test
    void signedMarkdownMessageIsPostedWithTimestampAndSign() throws Exception {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
            NotifyResult r = notifier(server.uri("/robot/send?access_token=" + TOKEN), Secret.of("DT_SECRET", SECRET),
                    List.of("13800000000")).send(Samples.notification("oncall", NotifyReason.ESCALATION));

            assertThat(r.delivered()).isTrue();
            RecordingServer.Request req = server.only();
            Map<String, String> q = query(req.query());
            assertThat(q).containsOnlyKeys("access_token", "timestamp", "sign");
            assertThat(q.get("access_token")).isEqualTo(TOKEN);
            assertThat(q.get("timestamp")).isEqualTo(Long.toString(NOW_MS));
            assertThat(q.get("sign")).isEqualTo(expectedSign(SECRET, NOW_MS));
            assertThat(URLDecoder.decode(q.get("sign"), StandardCharsets.UTF_8)).endsWith("=");

            JsonNode body = JSON.readTree(req.body());
            assertThat(body.get("msgtype").asText()).isEqualTo("markdown");
            assertThat(body.get("markdown").get("title").asText()).isEqualTo("[ESCALATION] [FIRING:2] AccuracyDrop fraud");
            String text = body.get("markdown").get("text").asText();
            assertThat(text).startsWith("#### [ESCALATION] [FIRING:2] AccuracyDrop fraud\n\n**Escalation**");
            assertThat(text).contains("accuracy of fraud is 0.712").contains("acknowledged by alice")
                    .contains("accuracy of fraud is 0.655").doesNotContain("0.790").endsWith(" @13800000000");
            assertThat(body.get("at").get("atMobiles").get(0).asText()).isEqualTo("13800000000");
            assertThat(body.get("at").get("isAtAll").asBoolean()).isFalse();
        }
    }

    @Test
    void withoutASecretTheUrlIsLeftAlone() {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
            notifier(server.uri("/robot/send?access_token=" + TOKEN), null, List.of()).send(Samples.notification("oncall"));
            assertThat(server.only().query()).isEqualTo("access_token=" + TOKEN);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"errcode\":0,\"errmsg\":\"ok\"}                                   | true  | false",
        "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"} | false | true",
        "{\"errcode\":-1,\"errmsg\":\"系统繁忙\"}                               | false | true",
        "{\"errcode\":310000,\"errmsg\":\"sign not match\"}                  | false | false",
        "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}              | false | false",
        "{\"errcode\":400102,\"errmsg\":\"robot is stopped\"}                | false | false",
        "<html>proxy</html>                                                  | false | false",
        "{}                                                                  | false | false"})
    void errcodesAreClassified(String answer, boolean delivered, boolean retryable) {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, answer.strip());
            NotifyResult r = notifier(server.uri("/robot/send?access_token=" + TOKEN), null, List.of())
                    .send(Samples.notification("oncall"));
            assertThat(r.delivered()).isEqualTo(delivered);
            assertThat(r.retryable()).isEqualTo(retryable);
            assertThat(r.statusCode()).isEqualTo(200);
            if (!delivered) {
                assertThat(r.error()).startsWith("DingTalk");
            }
        }
    }

    @Test
    void secretsNeverAppearInErrorsOrConfigText() {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"errcode\":310000,\"errmsg\":\"sign not match for access_token=" + TOKEN + " key " + SECRET + "\"}");
            DingTalkNotifier n = notifier(server.uri("/robot/send?access_token=" + TOKEN), Secret.of("DT_SECRET", SECRET),
                    List.of());
            NotifyResult r = n.send(Samples.notification("oncall"));
            assertThat(r.error()).startsWith("DingTalk error 310000: sign not match").doesNotContain(TOKEN).doesNotContain(SECRET);
            assertThat(n.toString()).doesNotContain(TOKEN).doesNotContain(SECRET).contains("url=<secret>")
                    .contains("secret=<secret>");
        }
    }
}
