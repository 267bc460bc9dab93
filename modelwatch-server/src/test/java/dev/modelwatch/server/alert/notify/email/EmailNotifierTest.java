package dev.modelwatch.server.alert.notify.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.lifecycle.ConfigProblems;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.Samples;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The e-mail integration through a real in-JVM SMTP server (GreenMail): plain SMTP with
 * authentication, SMTPS with the certificate trusted through {@code ca_file} or skipped, STARTTLS
 * required but not offered (GreenMail's SMTP has no STARTTLS, which is exactly that case), the
 * multipart text + HTML message, and the failures' classification without the password in errors.
 *
 * <p>GreenMail's SMTPS certificate is replaced by one made here with {@code keytool} for
 * {@code 127.0.0.1} ({@code greenmail.tls.keystore.file}), so that the server's identity can be
 * checked against {@code ca_file}.
 */
class EmailNotifierTest {
    static final String PASSWORD = "s3cret-Passw0rd-XYZ";
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(Samples.T0 + 181_000), ZoneOffset.UTC);
    static final Path CA_FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("mw-email-tls");
            Path keystore = dir.resolve("server.p12");
            CA_FILE = dir.resolve("ca.pem");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                    "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
            run(keytool, "-exportcert", "-rfc", "-alias", "smtp", "-keystore", keystore.toString(), "-storepass", "changeit",
                    "-file", CA_FILE.toString());
            System.setProperty("greenmail.tls.keystore.file", keystore.toString());
            System.setProperty("greenmail.tls.keystore.password", "changeit");
            System.setProperty("greenmail.tls.key.password", "changeit");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(Arrays.toString(cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(
            ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP, ServerSetupTest.SMTPS}))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("mw@example.com", "mw", PASSWORD));

    static EmailConfig config(Map<String, Object> overrides) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to", "oncall@example.com, lead@example.com");
        m.put("from", "mw@example.com");
        m.put("smarthost", "127.0.0.1:" + MAIL.getSmtp().getPort());
        m.put("require_tls", false);
        m.put("auth_username", "mw");
        m.put("auth_password_env", "SMTP_PASSWORD");
        m.put("headers", Map.of("X-Team", "ml {{ .GroupLabels.model }}"));
        m.put("send_resolved", true);
        m.put("timeout", "10s");
        m.putAll(overrides);
        m.values().removeIf(v -> v == null);
        ConfigProblems problems = new ConfigProblems();
        Map<String, String> env = new HashMap<>(Map.of("SMTP_PASSWORD", PASSWORD, "WRONG", "wrong-Passw0rd-XYZ"));
        EmailConfig c = EmailConfig.parse(ConfigNode.root(m, "email_configs[0]", problems), env::get);
        assertThat(problems.list()).isEmpty();
        return c;
    }

    static NotifyResult send(EmailConfig c) {
        return new EmailNotifier("email[0]", c, CLOCK, "https://mw.example.com").send(Samples.notification("oncall"));
    }

    static Map<String, Object> with(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void plainSmtpWithAuthenticationDeliversATextAndHtmlMessage() throws Exception {
        NotifyResult r = send(config(Map.of()));

        assertThat(r.delivered()).as(String.valueOf(r.error())).isTrue();
        assertThat(r.statusCode()).isEqualTo(250);
        MimeMessage[] received = MAIL.getReceivedMessages();
        assertThat(received).hasSize(2); // one copy per recipient
        MimeMessage m = received[0];
        assertThat(m.getSubject()).isEqualTo("[FIRING:2] AccuracyDrop fraud");
        assertThat(Arrays.stream(m.getFrom()).map(Address::toString)).containsExactly("mw@example.com");
        assertThat(Arrays.stream(m.getAllRecipients()).map(Address::toString))
                .containsExactly("oncall@example.com", "lead@example.com");
        assertThat(m.getSentDate().getTime() / 1000).isEqualTo(CLOCK.millis() / 1000);
        assertThat(m.getHeader("X-Team")[0]).isEqualTo("ml fraud");
        // the notification's stable id: a re-send after a crash has the Message-ID of the first send
        assertThat(m.getMessageID()).isEqualTo("<" + Samples.notification("oncall").idempotencyKey()
                + ".notification@modelwatch>");
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        Multipart mp = (Multipart) m.getContent();
        assertThat(mp.getCount()).isEqualTo(2);
        BodyPart text = mp.getBodyPart(0);
        BodyPart html = mp.getBodyPart(1);
        assertThat(text.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(html.getContentType()).startsWith("text/html").containsIgnoringCase("charset=UTF-8");
        assertThat((String) text.getContent()).contains("- FIRING AccuracyDrop")
                .contains("(since 2026-11-22T10:00:00Z; acknowledged by alice)")
                .contains("- RESOLVED AccuracyDrop").contains("https://mw.example.com");
        assertThat((String) html.getContent()).contains("<h2").contains("[FIRING:2] AccuracyDrop fraud</h2>")
                .contains("<td>alice</td>").contains("{alertname=&#34;AccuracyDrop&#34;");
    }

    @Test
    void aWrongPasswordIsNotRetryableAndTheErrorNeverShowsAPassword() {
        NotifyResult r = send(config(with("auth_password_env", "WRONG")));
        assertThat(r.delivered()).isFalse();
        assertThat(r.retryable()).isFalse();
        assertThat(r.statusCode()).isEqualTo(535);
        assertThat(r.error()).startsWith("SMTP authentication failed").doesNotContain("wrong-Passw0rd").doesNotContain(PASSWORD);
        assertThat(MAIL.getReceivedMessages()).isEmpty();
        EmailConfig c = config(Map.of());
        assertThat(c.toString()).doesNotContain(PASSWORD).contains("auth_password=<secret>");
        assertThat(new EmailNotifier("email[0]", c, CLOCK, "").toString()).doesNotContain(PASSWORD);
    }

    @Test
    void requireTlsRefusesAServerWithoutStartTlsInsteadOfSendingInClearText() {
        NotifyResult r = send(config(with("require_tls", true)));
        assertThat(r.delivered()).isFalse();
        assertThat(r.retryable()).isFalse();
        assertThat(r.error()).contains("does not offer STARTTLS");
        assertThat(r.statusCode()).isEqualTo(-1);
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void smtpsWithTheServersCertificateTrustedThroughCaFileDelivers() {
        NotifyResult r = send(config(with("smarthost", "127.0.0.1:" + MAIL.getSmtps().getPort(), "force_implicit_tls", true,
                "tls_config", Map.of("ca_file", CA_FILE.toString()))));
        assertThat(r.delivered()).as(String.valueOf(r.error())).isTrue();
        assertThat(MAIL.getReceivedMessages()).hasSize(2);
    }

    @Test
    void smtpsWithInsecureSkipVerifyDelivers() {
        NotifyResult r = send(config(with("smarthost", "127.0.0.1:" + MAIL.getSmtps().getPort(), "force_implicit_tls", true,
                "tls_config", Map.of("insecure_skip_verify", true))));
        assertThat(r.delivered()).as(String.valueOf(r.error())).isTrue();
    }

    @Test
    void smtpsWithAnUntrustedCertificateIsANonRetryableTlsFailure() {
        NotifyResult r = send(config(with("smarthost", "127.0.0.1:" + MAIL.getSmtps().getPort(), "force_implicit_tls", true)));
        assertThat(r.delivered()).isFalse();
        assertThat(r.retryable()).isFalse();
        assertThat(r.error()).startsWith("TLS failed");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void anUnreachableServerIsRetryable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NotifyResult r = send(config(with("smarthost", "127.0.0.1:" + port)));
        assertThat(r.delivered()).isFalse();
        assertThat(r.retryable()).isTrue();
        assertThat(r.error()).contains("cannot reach 127.0.0.1:" + port);
    }

    @Test
    void aTextOnlyMessageWhenHtmlIsEmptyAndNothingWhenOnlyResolvedAlertsAreNotWanted() throws Exception {
        assertThat(send(config(with("html", ""))).delivered()).isTrue();
        MimeMessage m = MAIL.getReceivedMessages()[0];
        assertThat(m.getContentType()).startsWith("text/plain");
        assertThat((String) m.getContent()).contains("- FIRING AccuracyDrop");

        NotifyResult nothing = new EmailNotifier("email[0]", config(with("send_resolved", false)), CLOCK, "")
                .send(Samples.resolvedOnly("oncall"));
        assertThat(nothing.delivered()).isTrue();
        assertThat(nothing.statusCode()).isEqualTo(-1);
        assertThat(MAIL.getReceivedMessages()).hasSize(2);
    }

    @Test
    void headerValuesStayOnOneLine() throws Exception {
        EmailConfig c = config(with("headers", Map.of("X-Summary", "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}")));
        assertThat(send(c).delivered()).isTrue();
        String v = MAIL.getReceivedMessages()[0].getHeader("X-Summary")[0];
        assertThat(jakarta.mail.internet.MimeUtility.unfold(v)).isEqualTo(
                "accuracy of fraud is 0.712 accuracy of fraud is 0.655 accuracy of fraud is 0.790");
        assertThat(List.of(MAIL.getReceivedMessages()[0].getHeader("Subject"))).hasSize(1);
    }
}
