package dev.modelwatch.server.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Secrets removed from text that leaves a notifier, and messages cut to a channel's limit. */
class RedactorTest {
    @Test
    void secretsAndTheirUrlEncodingAreReplaced() {
        Redactor r = Redactor.of(List.of("p@ss word+1"));
        assertThat(r.redact("auth with p@ss word+1 failed")).isEqualTo("auth with <secret> failed");
        assertThat(r.redact("url ?pw=p%40ss+word%2B1")).isEqualTo("url ?pw=<secret>");
        assertThat(r.redact(null)).isNull();
        assertThat(Redactor.none().redact("nothing to hide")).isEqualTo("nothing to hide");
    }

    @Test
    void aSecretUrlIsReplacedWholeAndByItsLongParts() {
        URI url = URI.create("https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789&x=1");
        Redactor r = Redactor.none().withUrl(url);
        assertThat(r.redact("POST " + url + " failed")).isEqualTo("POST <secret> failed");
        assertThat(r.redact("token abcdef0123456789 is invalid")).isEqualTo("token <secret> is invalid");
        assertThat(r.redact("robot/send x=1")).isEqualTo("robot/send x=1"); // short, common parts are kept
        URI slack = URI.create("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX");
        assertThat(Redactor.none().withUrl(slack).redact("no_service for XXXXXXXXXXXXXXXXXXXXXXXX"))
                .isEqualTo("no_service for <secret>");
    }

    @Test
    void textIsCutWithAMarkWithoutSplittingACharacter() {
        String s = "告警".repeat(1000); // 3 bytes each in UTF-8
        String cut = TextLimit.utf8Bytes(s, 100);
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(100);
        assertThat(cut).endsWith(TextLimit.MARK);
        assertThat(cut.substring(0, cut.length() - TextLimit.MARK.length())).matches("(告警)*告?");
        assertThat(TextLimit.utf8Bytes("short", 100)).isEqualTo("short");
        String emoji = "🚨".repeat(100);
        String chars = TextLimit.chars(emoji, 50);
        assertThat(chars.length()).isLessThanOrEqualTo(50);
        assertThat(Character.isHighSurrogate(chars.charAt(chars.length() - TextLimit.MARK.length() - 1))).isFalse();
    }
}
