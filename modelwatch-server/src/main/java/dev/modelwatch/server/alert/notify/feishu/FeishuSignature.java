package dev.modelwatch.server.alert.notify.feishu;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a Feishu (Lark) custom bot call with "签名校验" enabled, per Feishu's custom bot
 * documentation: "把timestamp + "\n" + 密钥当做签名字符串，使用HmacSHA256算法计算签名，再进行Base64编码"
 * — and its Java example keys the MAC with that string and signs an empty message:
 * {@code mac.init(new SecretKeySpec(stringToSign.getBytes(UTF_8), "HmacSHA256")); mac.doFinal(new byte[]{})}.
 * So {@code sign = Base64(HmacSHA256(key = timestamp + "\n" + secret, message = empty))}, with
 * {@code timestamp} in epoch <em>seconds</em> (within an hour of Feishu's clock), both sent in the
 * JSON body as {@code "timestamp": "1599360473", "sign": "..."}. Note the difference from DingTalk,
 * whose key is the secret and whose message is the string.
 */
public final class FeishuSignature {
    private FeishuSignature() {
    }

    /** {@code Base64(HmacSHA256(key = timestampSeconds + "\n" + secret, message = empty))}. */
    public static String sign(String secret, long timestampSeconds) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            String key = timestampSeconds + "\n" + secret;
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(new byte[0]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
