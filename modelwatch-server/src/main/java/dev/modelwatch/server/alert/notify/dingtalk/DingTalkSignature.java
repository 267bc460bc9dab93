package dev.modelwatch.server.alert.notify.dingtalk;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a DingTalk robot call with "加签" (signing) enabled, per DingTalk's custom robot
 * documentation: "把timestamp+"\n"+密钥当做签名字符串，使用HmacSHA256算法计算签名，然后进行Base64 encode，最后再把签名参数再进行urlEncode，得到最终的签名（需要使用UTF-8字符集）"
 * — the string to sign is {@code timestamp + "\n" + secret}, signed with HmacSHA256 keyed by the
 * secret, Base64-encoded, then URL-encoded (UTF-8). {@code timestamp} is the current time in epoch
 * milliseconds, and must be within one hour of DingTalk's clock. Both are sent as query parameters:
 * {@code &timestamp=...&sign=...}.
 */
public final class DingTalkSignature {
    private DingTalkSignature() {
    }

    /** {@code Base64(HmacSHA256(key = secret, message = timestampMs + "\n" + secret))}. */
    public static String base64(String secret, long timestampMs) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal((timestampMs + "\n" + secret).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The {@code sign} query parameter: {@link #base64} URL-encoded. */
    public static String sign(String secret, long timestampMs) {
        return URLEncoder.encode(base64(secret, timestampMs), StandardCharsets.UTF_8);
    }
}
