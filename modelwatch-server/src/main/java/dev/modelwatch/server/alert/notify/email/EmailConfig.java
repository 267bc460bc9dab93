package dev.modelwatch.server.alert.notify.email;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.Secret;
import dev.modelwatch.server.alert.notify.template.DefaultTemplates;
import dev.modelwatch.server.alert.notify.template.MessageTemplate;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One {@code email_configs} entry, as Alertmanager's {@code email_config}:
 * <pre>{@code
 * email_configs:
 *   - to: "oncall@example.com, lead@example.com"   # or a list
 *     from: modelwatch@example.com                 # default: auth_username when it is an address, else modelwatch@localhost
 *     smarthost: smtp.example.com:587              # host:port
 *     hello: localhost                             # the EHLO name, default localhost
 *     auth_username: modelwatch                    # optional, with auth_password_env
 *     auth_password_env: SMTP_PASSWORD
 *     require_tls: true           # default true, as Alertmanager: STARTTLS must be offered and succeed
 *     force_implicit_tls: false   # SMTPS (TLS from the first byte); default: true exactly when the port is 465
 *     tls_config: {insecure_skip_verify: false, ca_file: /etc/ssl/smtp-ca.pem}
 *     headers: {X-Team: ml}       # extra headers, values are templates; Subject here sets the subject
 *     title: '...'                # the subject template; default DefaultTemplates.TITLE
 *     text: '...'                 # the text/plain part; default DefaultTemplates.TEXT, "" for none
 *     html: '...'                 # the text/html part; default DefaultTemplates.HTML, "" for none
 *     send_resolved: false        # default false, as Alertmanager
 *     timeout: 30s                # connect, read and write time-out of the SMTP connection
 * }</pre>
 *
 * @param to           the recipients
 * @param from         the sender
 * @param host         the SMTP server
 * @param port         its port
 * @param hello        the EHLO name
 * @param authUsername the user to authenticate as, null for no authentication
 * @param authPassword the password, null exactly when authUsername is
 * @param tls          how TLS is used
 * @param headers      extra headers, name to value template
 * @param subject      the subject template
 * @param text         the text part template, null for none
 * @param html         the HTML part template, null for none
 * @param sendResolved whether resolved alerts are sent
 * @param timeoutMs    connect, read and write time-out
 */
public record EmailConfig(List<String> to, String from, String host, int port, String hello, String authUsername,
        Secret authPassword, Tls tls, Map<String, MessageTemplate> headers, MessageTemplate subject, MessageTemplate text,
        MessageTemplate html, boolean sendResolved, long timeoutMs) implements IntegrationConfig {
    /** The settings as written, the password (when set) as {@value Secret#MASK}. */
    public record View(String to, String from, String smarthost, String hello,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String authUsername, @JsonInclude(JsonInclude.Include.NON_NULL) String authPasswordEnv,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String authPassword, boolean requireTls, boolean forceImplicitTls,
                       TlsView tlsConfig, Map<String, String> headers, String title, String text, String html,
                       boolean sendResolved, String timeout) implements IntegrationConfig.View {
    }

    /** {@code tls_config} as written. */
    public record TlsView(boolean insecureSkipVerify, @JsonInclude(JsonInclude.Include.NON_NULL) String caFile) {
    }

    public static final boolean DEFAULT_SEND_RESOLVED = false;
    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    /** The sender when neither {@code from} nor an address-like {@code auth_username} is written. */
    public static final String DEFAULT_FROM = "modelwatch@localhost";

    /**
     * How the connection is protected.
     *
     * @param requireTls         STARTTLS is required (the server must offer it)
     * @param implicitTls        TLS from the first byte (SMTPS)
     * @param insecureSkipVerify the server's certificate and name are not checked
     * @param caFile             the file the trusted certificates were read from, null for the JVM's
     * @param caCertificates     the certificates trusted instead of the JVM's (empty for the JVM's)
     */
    public record Tls(boolean requireTls, boolean implicitTls, boolean insecureSkipVerify, String caFile,
            List<X509Certificate> caCertificates) {
        public Tls {
            caCertificates = caCertificates == null ? List.of() : List.copyOf(caCertificates);
        }
    }

    public EmailConfig {
        if (to == null || to.isEmpty() || from == null || host == null || tls == null || subject == null) {
            throw new IllegalArgumentException("to, from, host, tls and subject must be set");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
        if ((authUsername == null) != (authPassword == null)) {
            throw new IllegalArgumentException("authUsername and authPassword are set together");
        }
        if (text == null && html == null) {
            throw new IllegalArgumentException("text and html must not both be null");
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
        to = List.copyOf(to);
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        hello = hello == null ? "localhost" : hello;
    }

    /** Reads one entry; null (with problems recorded at their paths) when it cannot be used. */
    public static EmailConfig parse(ConfigNode cfg, Function<String, String> env) {
        if (!cfg.allowKeys("to", "from", "smarthost", "hello", "auth_username", "auth_password", "auth_password_env",
                "require_tls", "force_implicit_tls", "tls_config", "headers", "title", "text", "html", "send_resolved",
                "timeout")) {
            if (cfg.isUnset()) {
                cfg.problem("must be a mapping with to and smarthost");
            }
            return null;
        }
        boolean ok = true;
        List<String> to = recipients(cfg.get("to"));
        ok &= to != null;
        String user = cfg.get("auth_username").asString();
        String from = cfg.get("from").isUnset() ? defaultFrom(user) : cfg.get("from").requireString();
        if (from != null) {
            try {
                new InternetAddress(from, true).validate();
            } catch (AddressException e) {
                cfg.get("from").problem("'" + from + "' is not an e-mail address: " + e.getMessage());
                from = null;
            }
        }
        ok &= from != null;
        String host = null;
        int port = -1;
        ConfigNode smarthost = cfg.get("smarthost");
        String hp = smarthost.requireString();
        if (hp != null) {
            int colon = hp.lastIndexOf(':');
            if (colon <= 0 || colon == hp.length() - 1 || !hp.substring(colon + 1).matches("\\d{1,5}")
                    || Integer.parseInt(hp.substring(colon + 1)) < 1 || Integer.parseInt(hp.substring(colon + 1)) > 65535) {
                smarthost.problem("must be host:port, was '" + hp + "'");
            } else {
                host = hp.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                port = Integer.parseInt(hp.substring(colon + 1));
            }
        }
        ok &= host != null;
        String hello = cfg.get("hello").asString();
        Secret.refuseInFile(cfg, "auth_password", "auth_password_env");
        Secret password = Secret.fromEnv(cfg, "auth_password_env", env);
        if (user != null && password == null && cfg.get("auth_password_env").isUnset()) {
            cfg.get("auth_password_env").problem("required with auth_username");
            ok = false;
        }
        if (user == null && password != null) {
            cfg.get("auth_username").problem("required with auth_password_env");
            ok = false;
        }
        ok &= user == null || password != null;
        Boolean requireTls = cfg.get("require_tls").asBoolean();
        Boolean implicit = cfg.get("force_implicit_tls").asBoolean();
        Tls tls = tls(cfg.get("tls_config"), requireTls == null || requireTls,
                implicit != null ? implicit : port == 465);
        ok &= tls != null;
        Map<String, MessageTemplate> headers = new LinkedHashMap<>();
        MessageTemplate subject = null;
        boolean subjectInHeaders = false;
        for (Map.Entry<String, ConfigNode> h : cfg.get("headers").entries().entrySet()) {
            String name = h.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (!name.matches("[!-9;-~]+")) {
                h.getValue().problem("is not a header name");
                ok = false;
                continue;
            }
            if (lower.equals("from") || lower.equals("to")) {
                h.getValue().problem("set with the " + lower + " key, not as a header");
                ok = false;
                continue;
            }
            MessageTemplate t = h.getValue().isUnset() ? null : MessageTemplate.fromConfig(h.getValue(), "");
            if (h.getValue().isUnset()) {
                h.getValue().problem("must be a string, was null");
            }
            if (t == null) {
                ok = false;
            } else if (lower.equals("subject")) {
                subject = t;
                subjectInHeaders = true;
            } else {
                headers.put(name, t);
            }
        }
        if (subjectInHeaders && !cfg.get("title").isUnset()) {
            cfg.get("title").problem("give title or headers.Subject, not both");
            ok = false;
        }
        if (!subjectInHeaders) {
            subject = MessageTemplate.fromConfig(cfg.get("title"), DefaultTemplates.TITLE);
        }
        ok &= subject != null;
        boolean textOff = isEmptyString(cfg.get("text"));
        boolean htmlOff = isEmptyString(cfg.get("html"));
        MessageTemplate text = textOff ? null : MessageTemplate.fromConfig(cfg.get("text"), DefaultTemplates.TEXT);
        MessageTemplate html = htmlOff ? null : MessageTemplate.fromConfig(cfg.get("html"), DefaultTemplates.HTML);
        ok &= (textOff || text != null) && (htmlOff || html != null);
        if (textOff && htmlOff) {
            cfg.get("html").problem("text and html must not both be empty");
            ok = false;
        }
        boolean sendResolved = IntegrationConfig.readSendResolved(cfg, DEFAULT_SEND_RESOLVED);
        long timeout = IntegrationConfig.readTimeoutMs(cfg, DEFAULT_TIMEOUT_MS);
        if (!ok) {
            return null;
        }
        return new EmailConfig(to, from, host, port, hello, user, password, tls, headers, subject, text, html,
                sendResolved, timeout);
    }

    private static boolean isEmptyString(ConfigNode n) {
        return "".equals(n.raw());
    }

    /**
     * The sender when {@code from} is not written (Alertmanager takes it from its global
     * {@code smtp_from}, which ModelWatch has not): the user name when it is an address, else
     * {@value #DEFAULT_FROM}.
     */
    static String defaultFrom(String authUsername) {
        if (authUsername != null && authUsername.contains("@")) {
            try {
                new InternetAddress(authUsername, true).validate();
                return authUsername;
            } catch (AddressException e) {
                return DEFAULT_FROM;
            }
        }
        return DEFAULT_FROM;
    }

    private static List<String> recipients(ConfigNode node) {
        List<String> raw = new ArrayList<>();
        if (node.isUnset()) {
            node.problem("required");
            return null;
        }
        if (node.raw() instanceof List) {
            for (ConfigNode item : node.items()) {
                String s = item.requireString();
                if (s == null) {
                    return null;
                }
                raw.add(s);
            }
        } else {
            String s = node.requireString();
            if (s == null) {
                return null;
            }
            raw.add(s);
        }
        List<String> out = new ArrayList<>();
        for (String s : raw) {
            try {
                for (InternetAddress a : InternetAddress.parse(s, true)) {
                    a.validate();
                    out.add(a.toString());
                }
            } catch (AddressException e) {
                node.problem("'" + s + "' is not a list of e-mail addresses: " + e.getMessage());
                return null;
            }
        }
        if (out.isEmpty()) {
            node.problem("must name at least one address");
            return null;
        }
        return out;
    }

    private static Tls tls(ConfigNode node, boolean requireTls, boolean implicitTls) {
        node.allowKeys("insecure_skip_verify", "ca_file");
        Boolean insecure = node.get("insecure_skip_verify").asBoolean();
        String caFile = node.get("ca_file").asString();
        List<X509Certificate> certs = new ArrayList<>();
        if (caFile != null) {
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    certs.add((X509Certificate) c);
                }
            } catch (IOException | CertificateException | RuntimeException e) {
                node.get("ca_file").problem("cannot read certificates from '" + caFile + "': " + e.getMessage());
                return null;
            }
            if (certs.isEmpty()) {
                node.get("ca_file").problem("'" + caFile + "' holds no certificate");
                return null;
            }
        }
        return new Tls(requireTls, implicitTls, insecure != null && insecure, caFile, certs);
    }

    @Override
    public String integration() {
        return "email";
    }

    @Override
    public View view() {
        Map<String, String> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, v.source()));
        return new View(String.join(", ", to), from, (host.contains(":") ? "[" + host + "]" : host) + ":" + port, hello,
                authUsername, authUsername == null ? null : authPassword.envName(),
                authUsername == null ? null : Secret.MASK, tls.requireTls(), tls.implicitTls(),
                new TlsView(tls.insecureSkipVerify(), tls.caFile()), h, subject.source(),
                text == null ? "" : text.source(), html == null ? "" : html.source(), sendResolved, timeoutMs + "ms");
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("email", view());
    }
}
