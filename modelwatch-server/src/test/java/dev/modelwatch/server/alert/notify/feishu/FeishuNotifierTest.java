package dev.modelwatch.server.alert.notify.feishu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RecordingServer;
import dev.modelwatch.server.alert.notify.Samples;
import dev.modelwatch.server.alert.notify.Secret;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Feishu bot against a local receiver: the signature equals one computed here with
 * {@code javax.crypto} from Feishu's documented algorithm (and a golden value from Python's
 * {@code hmac}), the card and text messages, and the {@code code} classification.
 */
class FeishuNotifierTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_999L), ZoneOffset.UTC);
    static final String SECRET = "feishu-secret-XYZ";
    static final String HOOK = "/open-apis/bot/v2/hook/0f8e1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b";

    static FeishuNotifier notifier(URI url, Secret secret, boolean interactive, boolean sendResolved) {
        FeishuConfig c = new FeishuConfig(EndpointUrl.of(url, true), secret, interactive,
                MessageTemplate.parse(DefaultTemplates.TITLE), MessageTemplate.parse(DefaultTemplates.MARKDOWN), sendResolved, 5_000);
        return new FeishuNotifier("feishu[0]", c, HTTP, CLOCK, "");
    }

    /**
     * Feishu's documentation: "把timestamp + "\n" + 密钥当做签名字符串，使用HmacSHA256算法计算签名，再进行Base64编码",
     * its Java example keying the MAC with that string and signing empty bytes:
     * {@code mac.init(new SecretKeySpec(stringToSign.getBytes(UTF_8), "HmacSHA256")); mac.doFinal(new byte[]{})}.
     */
    static String expectedSign(String secret, long timestampSeconds) throws Exception {
        String stringToSign = timestampSeconds + "\n" + secret;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(stringToSign.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(new byte[] {}));
    }

    @Test
    void signatureMatchesTheDocumentedAlgorithmAndAGoldenValue() throws Exception {
        // golden: python3 -c 'import hmac,hashlib,base64;
        //   print(base64.b64encode(hmac.new(b"1700000000\nfeishu-secret-XYZ",b"",hashlib.sha256).digest()))'
        assertThat(FeishuSignature.sign(SECRET, 1_700_000_000L)).isEqualTo("o1KBpJTznX8C4fxbt8J7Da9Mp4a6EeqmnxCnoApf2vI=");
        assertThat(FeishuSignature.sign(SECRET, 1_700_000_000L)).isEqualTo(expectedSign(SECRET, 1_700_000_000L));
        assertThat(FeishuSignature.sign("x", 42L)).isEqualTo(expectedSign("x", 42L));
    }

    @Test
    void signedCardHasTimestampInSecondsSignAndAColouredHeader() throws Exception {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
            NotifyResult r = notifier(server.uri(HOOK), Secret.of("FS", SECRET), true, false).send(Samples.notification("oncall"));
            assertThat(r.delivered()).isTrue();
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("timestamp").isTextual()).isTrue();
            assertThat(body.get("timestamp").asText()).isEqualTo("1700000000");
            assertThat(body.get("sign").asText()).isEqualTo(expectedSign(SECRET, 1_700_000_000L));
            assertThat(body.get("msg_type").asText()).isEqualTo("interactive");
            JsonNode card = body.get("card");
            assertThat(card.get("header").get("title").get("tag").asText()).isEqualTo("plain_text");
            assertThat(card.get("header").get("title").get("content").asText()).isEqualTo("[FIRING:2] AccuracyDrop fraud");
            assertThat(card.get("header").get("template").asText()).isEqualTo("red");
            assertThat(card.get("elements").get(0).get("tag").asText()).isEqualTo("markdown");
            assertThat(card.get("elements").get(0).get("content").asText()).contains("acknowledged by alice")
                    .doesNotContain("0.790");
        }
    }

    @Test
    void resolvedGroupIsGreenAndTextMessagesCarryTitleAndText() throws Exception {
        try (RecordingServer server = RecordingServer.start()) {
            server.respondAlways(200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}");
            assertThat(notifier(server.uri(HOOK), null, true, true).send(Samples.resolvedOnly("oncall")).delivered()).isTrue();
            JsonNode card = JSON.readTree(server.requests().get(0).body());
            assertThat(card.get("card").get("header").get("template").asText()).isEqualTo("green");
            assertThat(card.has("sign")).isFalse();

            assertThat(notifier(server.uri(HOOK), null, false, true).send(Samples.notification("oncall")).delivered()).isTrue();
            JsonNode text = JSON.readTree(server.requests().get(1).body());
            assertThat(text.get("msg_type").asText()).isEqualTo("text");
            assertThat(text.get("content").get("text").asText()).startsWith("[FIRING:2] AccuracyDrop fraud\n- **FIRING**")
                    .contains("0.790");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"code\":0,\"msg\":\"success\"}                             | true  | false",
        "{\"StatusCode\":0,\"StatusMessage\":\"success\"}             | true  | false",
        "{\"code\":9499,\"msg\":\"too many request\"}                 | false | true",
        "{\"code\":11232,\"msg\":\"frequency limited\"}               | false | true",
        "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"} | false | false",
        "{\"code\":19024,\"msg\":\"Key Words Not Found\"}             | false | false",
        "{\"code\":19001,\"msg\":\"param invalid: incoming webhook access token invalid\"} | false | false",
        "not json                                                      | false | false"})
    void codesAreClassified(String answer, boolean delivered, boolean retryable) {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(200, answer.strip());
            NotifyResult r = notifier(server.uri(HOOK), null, true, false).send(Samples.notification("oncall"));
            assertThat(r.delivered()).isEqualTo(delivered);
            assertThat(r.retryable()).isEqualTo(retryable);
        }
    }

    @Test
    void hookIdAndSecretNeverAppearInErrors() {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(400, "bad hook " + HOOK + " " + SECRET);
            FeishuNotifier n = notifier(server.uri(HOOK), Secret.of("FS", SECRET), true, false);
            NotifyResult r = n.send(Samples.notification("oncall"));
            assertThat(r.retryable()).isFalse();
            assertThat(r.error()).doesNotContain("0f8e1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b").doesNotContain(SECRET);
            assertThat(n.toString()).doesNotContain("0f8e1a2b").doesNotContain(SECRET);
        }
    }
}
