package dev.modelwatch.server.alert.notify.email;

import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.Redactor;
import dev.modelwatch.server.alert.notify.template.Escaping;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Sends an e-mail through an SMTP server with Jakarta Mail (Eclipse Angus): a
 * {@code multipart/alternative} message with a {@code text/plain} and a {@code text/html} part (or the
 * one part configured), UTF-8, the subject and extra headers from their templates, the date from the
 * injected clock.
 *
 * <p>Connection: SMTPS when {@code force_implicit_tls} (default: port 465); otherwise plain SMTP, with
 * STARTTLS required when {@code require_tls} (the default, as Alertmanager: a server that does not
 * offer STARTTLS is an error, never a silent fallback to clear text). The server's certificate and
 * name are checked against the JVM's trust store or the configured {@code ca_file}, unless
 * {@code insecure_skip_verify}. Connect, read and write are bounded by {@code timeout}.
 *
 * <p>Classification: an SMTP 4xx reply (mailbox busy, greylisting) and connection failures or
 * time-outs are retryable; an SMTP 5xx reply (rejected recipient, failed authentication), a missing
 * STARTTLS and a TLS failure (certificate) are not, because they need a configuration change. The
 * status code is the server's last reply code (250 when delivered).
 */
public final class EmailNotifier implements Notifier {
    private final String name;
    private final EmailConfig config;
    private final Clock clock;
    private final String externalUrl;
    private final IncidentLinks links;
    private final Session session;
    private final String protocol;
    private final Redactor redactor;

    public EmailNotifier(String name, EmailConfig config, Clock clock, String externalUrl) {
        this(name, config, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links} (for the message's links). */
    public EmailNotifier(String name, EmailConfig config, Clock clock, String externalUrl, IncidentLinks links) {
        this.links = links == null ? IncidentLinks.NONE : links;
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.externalUrl = externalUrl == null ? "" : externalUrl;
        this.protocol = config.tls().implicitTls() ? "smtps" : "smtp";
        this.session = Session.getInstance(properties(config, protocol));
        this.redactor = config.authPassword() == null ? Redactor.none()
                : Redactor.of(List.of(config.authPassword().reveal()));
    }

    private static Properties properties(EmailConfig c, String proto) {
        String p = "mail." + proto + ".";
        Properties props = new Properties();
        props.put("mail.transport.protocol", proto);
        props.put("mail.from", c.from()); // also spares the Message-ID a local host name look-up
        props.put(p + "host", c.host());
        props.put(p + "port", Integer.toString(c.port()));
        props.put(p + "localhost", c.hello());
        props.put(p + "connectiontimeout", Long.toString(c.timeoutMs()));
        props.put(p + "timeout", Long.toString(c.timeoutMs()));
        props.put(p + "writetimeout", Long.toString(c.timeoutMs()));
        props.put(p + "auth", Boolean.toString(c.authUsername() != null));
        if (!c.tls().implicitTls()) {
            props.put(p + "starttls.enable", Boolean.toString(c.tls().requireTls()));
            props.put(p + "starttls.required", Boolean.toString(c.tls().requireTls()));
        }
        if (c.tls().insecureSkipVerify()) {
            props.put(p + "ssl.trust", "*");
            props.put(p + "ssl.checkserveridentity", "false");
        } else {
            props.put(p + "ssl.checkserveridentity", "true");
            if (!c.tls().caCertificates().isEmpty()) {
                props.put(p + "ssl.socketFactory", sslContext(c.tls()).getSocketFactory());
            }
        }
        return props;
    }

    private static SSLContext sslContext(EmailConfig.Tls tls) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < tls.caCertificates().size(); i++) {
                ks.setCertificateEntry("ca-" + i, tls.caCertificates().get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store from " + tls.caFile(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean sendResolved() {
        return config.sendResolved();
    }

    /** The message for {@code data} (not sent). */
    MimeMessage message(TemplateData data, long atMs) throws MessagingException {
        String messageId = "<" + data.notificationId() + ".notification@modelwatch>";
        MimeMessage msg = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                // stable: a re-sent notification has the Message-ID of the first send, for mail systems to deduplicate
                setHeader("Message-ID", messageId);
            }
        };
        msg.setFrom(new InternetAddress(config.from()));
        List<InternetAddress> to = new ArrayList<>();
        for (String t : config.to()) {
            to.add(new InternetAddress(t));
        }
        msg.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
        msg.setSubject(oneLine(config.subject().render(data)), "UTF-8");
        msg.setSentDate(new Date(atMs));
        for (Map.Entry<String, MessageTemplate> h : config.headers().entrySet()) {
            try {
                msg.setHeader(h.getKey(), MimeUtility.fold(h.getKey().length() + 2,
                        MimeUtility.encodeText(oneLine(h.getValue().render(data)), "UTF-8", null)));
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        String text = config.text() == null ? null : config.text().render(data);
        String html = config.html() == null ? null : config.html().render(data, Escaping.HTML);
        if (text != null && html != null) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart textPart = new MimeBodyPart();
            textPart.setText(text, "UTF-8", "plain");
            MimeBodyPart htmlPart = new MimeBodyPart();
            htmlPart.setText(html, "UTF-8", "html");
            alternative.addBodyPart(textPart); // the preferred part comes last (RFC 2046 §5.1.4)
            alternative.addBodyPart(htmlPart);
            msg.setContent(alternative);
        } else if (text != null) {
            msg.setText(text, "UTF-8", "plain");
        } else {
            msg.setText(html, "UTF-8", "html");
        }
        msg.saveChanges();
        return msg;
    }

    /** A header value on one line: a label value with a line break must not start a new header. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ").strip();
    }

    @Override
    public NotifyResult send(Notification n) {
        long at = clock.millis();
        TemplateData data = TemplateData.of(n, config.sendResolved(), externalUrl, links);
        if (data.alerts().isEmpty()) {
            return NotifyResult.nothingToSend(at);
        }
        Transport transport = null;
        try {
            MimeMessage msg = message(data, at);
            transport = session.getTransport(protocol);
            transport.connect(config.host(), config.port(), config.authUsername(),
                    config.authPassword() == null ? null : config.authPassword().reveal());
            transport.sendMessage(msg, msg.getAllRecipients());
            int code = lastCode(transport);
            return NotifyResult.delivered(code == -1 ? 250 : code, at);
        } catch (MessagingException e) {
            return classify(e, lastCode(transport), at);
        } catch (RuntimeException e) {
            return NotifyResult.failed(false, -1, "failed: " + e.getClass().getSimpleName() + text(e), at);
        } finally {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException ignored) {
                    // the message was handed over or the failure is already reported
                }
            }
        }
    }

    private static int lastCode(Transport t) {
        if (t instanceof SMTPTransport) {
            int c = ((SMTPTransport) t).getLastReturnCode();
            return c >= 200 && c <= 599 ? c : -1;
        }
        return -1;
    }

    private NotifyResult classify(MessagingException e, int lastCode, long at) {
        int code = replyCode(e);
        if (e instanceof AuthenticationFailedException) {
            // the AUTH reply is the transport's last one (535 bad credentials, 454 temporary failure)
            code = code == -1 ? lastCode : code;
            return NotifyResult.failed(code >= 400 && code < 500, code, "SMTP authentication failed" + text(e), at);
        }
        if (code >= 400 && code < 600 && (e instanceof SendFailedException)) {
            return NotifyResult.failed(code < 500, code, "SMTP server refused the message" + text(e), at);
        }
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (msg.startsWith("STARTTLS is required")) {
            return NotifyResult.failed(false, -1, "require_tls is true but " + config.host() + ":" + config.port()
                    + " does not offer STARTTLS", at);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return NotifyResult.failed(false, -1, "TLS failed: " + c.getClass().getSimpleName() + text(c), at);
            }
            if (c instanceof IOException && String.valueOf(c.getMessage()).startsWith("Can't verify identity of server")) {
                // the certificate is trusted but names another host
                return NotifyResult.failed(false, -1, "TLS failed: the server's certificate does not name "
                        + config.host(), at);
            }
            if (c instanceof IOException) {
                return NotifyResult.failed(true, -1, "cannot reach " + config.host() + ":" + config.port() + ": "
                        + c.getClass().getSimpleName() + text(c), at);
            }
        }
        if (code >= 500 && code < 600) {
            return NotifyResult.failed(false, code, "SMTP error" + text(e), at);
        }
        return NotifyResult.failed(true, code, "SMTP error" + text(e), at);
    }

    /** The SMTP reply code an exception (or one it chains) carries, -1 when none. */
    private static int replyCode(MessagingException e) {
        Exception x = e;
        for (int depth = 0; x != null && depth < 8; depth++) {
            if (x instanceof SMTPSendFailedException) {
                return ((SMTPSendFailedException) x).getReturnCode();
            }
            if (x instanceof SMTPAddressFailedException) {
                return ((SMTPAddressFailedException) x).getReturnCode();
            }
            x = x instanceof MessagingException ? ((MessagingException) x).getNextException() : null;
        }
        return -1;
    }

    private String text(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? "" : ": " + redactor.redact(m.strip().replaceAll("\\s+", " "));
    }

    @Override
    public String toString() {
        return name + " " + config;
    }
}
